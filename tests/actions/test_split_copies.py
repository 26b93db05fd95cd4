"""split_copies: one copy per external recipient; calendar parts pruned, everything else kept."""

from __future__ import annotations

import base64
import binascii
import json
import re
from email import message_from_bytes, policy
from pathlib import Path

import icalendar
import pytest

from mailguard.actions.split import SplitError, split_copies
from mailguard.envelope import Envelope

COUNCIL = "council.example.gov.uk"
ORGANISER = f"org@{COUNCIL}"
PDF = b"%PDF-1.4\r\n%\xe2\xe3\xcf\xd3 binary \x00\x01 stays\r\n%%EOF\r\n"


def internal(address: str) -> bool:
    return address.rpartition("@")[2].endswith(COUNCIL)


def calendar(attendees: list[tuple[str, str]]) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
             "UID:ev-1@council.example.gov.uk", "DTSTAMP:20261102T090000Z", "DTSTART:20261119T180000Z",
             "SUMMARY:Consultation", f'ORGANIZER;CN="Team, Engagement":mailto:{ORGANISER}']
    for cn, addr in attendees:
        lines.append(f'ATTENDEE;CN="{cn}";ROLE=REQ-PARTICIPANT;RSVP=TRUE:MAILTO:{addr}')
    lines += ["END:VEVENT", "END:VCALENDAR"]
    out = []
    for line in lines:  # fold at 75 octets, as RFC 5545 clients do (splitting mailto: values too)
        out.append(line[:75] + "".join("\r\n " + line[i : i + 74] for i in range(75, len(line), 74)))
    return ("\r\n".join(out) + "\r\n").encode()


def encode(raw: bytes, cte: str) -> bytes:
    if cte == "base64":
        return base64.encodebytes(raw).replace(b"\n", b"\r\n")
    if cte == "quoted-printable":
        return binascii.b2a_qp(raw.replace(b"\r\n", b"\n"), istext=True).replace(b"\n", b"\r\n")
    return raw


PEOPLE = [
    ("Smith, J: resident", "j.smith@gmail.com"),
    ("Kim", f"Kim@{COUNCIL}"),
    ("Doyle, Tom", "TDoyle89@Outlook.com"),
    ("Partner", "p.a.r.t.n.e.r.with.a.long.address.to.fold@housing.example.org.uk"),
    ("Ann", f"ann@hr.{COUNCIL}"),
]


def invite(cte: str, *, as_attachment: bool = False, cc: str = "") -> bytes:
    to = ", ".join(f'"{cn}" <{addr}>' for cn, addr in PEOPLE)
    cal_headers = (
        "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"invite.ics\""
        if as_attachment
        else 'Content-Type: text/calendar; charset="utf-8"; method=REQUEST'
    )
    head = (
        f"From: Team <{ORGANISER}>\r\nTo: {to}\r\n{cc}Subject: Invite\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="outer"\r\n\r\npreamble\r\n'
    )
    parts = [
        'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n'
        "--inner\r\nContent-Type: text/plain\r\n\r\nJoin us. Attendees: see invite.\r\n"
        f"--inner\r\n{cal_headers}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
        + encode(calendar(PEOPLE), cte).decode("latin-1")
        + "\r\n--inner--\r\n",
        "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(PDF).decode().replace("\n", "\r\n"),
    ]
    body = "".join(f"--outer\r\n{p}\r\n" for p in parts) + "--outer--\r\nepilogue\r\n"
    return (head + body).encode("latin-1")


def envelope(*rcpt: str) -> Envelope:
    return Envelope(ORGANISER, tuple(rcpt))


def calendar_attendees(data: bytes) -> list[set[str]]:
    found = []
    for part in message_from_bytes(data, policy=policy.default).walk():
        if part.get_content_type() == "text/calendar" or part.get_filename() == "invite.ics":
            cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            event = cal.walk("VEVENT")[0]
            assert str(event["ORGANIZER"]).lower().startswith("mailto:")  # the organiser stays
            attendees = event.get("ATTENDEE", [])
            attendees = attendees if isinstance(attendees, list) else [attendees]
            found.append({str(a).lower().removeprefix("mailto:") for a in attendees})
    return found


def visible(data: bytes) -> set[str]:
    msg = message_from_bytes(data, policy=policy.default)
    return {a.addr_spec.lower() for h in ("to", "cc") for v in msg.get_all(h, []) for a in v.addresses}


def non_calendar_parts(data: bytes) -> list[bytes]:
    """Every byte outside the calendar part's body: headers of parts, other parts, boundaries."""
    body = data.partition(b"\r\n\r\n")[2]
    second_inner = body.index(b"--inner\r\n", body.index(b"--inner\r\n") + 1)
    start = body.index(b"Content-Transfer-Encoding: ", second_inner)
    start = body.index(b"\r\n\r\n", start) + 4
    end = body.index(b"\r\n--inner--")
    return [body[:start], body[end:]]


INSIDERS = {f"kim@{COUNCIL}", f"ann@hr.{COUNCIL}"}


@pytest.mark.parametrize("cte", ["base64", "quoted-printable", "7bit"])
def test_one_copy_per_external_plus_one_internal(cte: str) -> None:
    data = invite(cte)
    rcpt = [addr for _, addr in PEOPLE] + ["bcc.only@yahoo.co.uk"]
    copies = split_copies(data, envelope(*rcpt), internal)
    assert len(copies) == 4 + 1  # 4 external envelope recipients, one internal copy
    assert copies[0][0] == [f"Kim@{COUNCIL}", f"ann@hr.{COUNCIL}"]
    assert [c[0] for c in copies[1:]] == [[a] for a in rcpt if not internal(a.lower())]
    for recipients, copy in copies:
        me = {recipients[0].lower()} if len(recipients) == 1 else set()
        was_visible = me & {a.lower() for _, a in PEOPLE}
        assert visible(copy) == INSIDERS | was_visible
        assert calendar_attendees(copy) == [INSIDERS | was_visible]
        assert non_calendar_parts(copy) == non_calendar_parts(data)
        assert b"X-Mailguard-Rewritten: one copy per external recipient" in copy
        assert re.search(rb"Content-Transfer-Encoding: " + cte.encode(), copy)
        lines = copy.split(b"\r\n")
        assert all(len(line) <= 998 for line in lines)
        if cte != "7bit":
            assert all(len(line) <= 76 for line in lines[lines.index(b"") + 1 :])


def test_other_parts_byte_identical_and_pdf_decodes() -> None:
    data = invite("base64")
    for _, copy in split_copies(data, envelope("j.smith@gmail.com", f"kim@{COUNCIL}"), internal):
        pdf = [p for p in message_from_bytes(copy, policy=policy.default).walk()
               if p.get_content_type() == "application/pdf"]
        assert pdf[0].get_payload(decode=True) == PDF
        assert copy.endswith(data[data.index(b"\r\n--inner--") :])


def test_no_internal_recipient_gives_n_copies() -> None:
    copies = split_copies(invite("base64"), envelope("j.smith@gmail.com", "tdoyle89@outlook.com"), internal)
    assert [c[0] for c in copies] == [["j.smith@gmail.com"], ["tdoyle89@outlook.com"]]
    assert calendar_attendees(copies[1][1]) == [INSIDERS | {"tdoyle89@outlook.com"}]


def test_duplicate_envelope_recipients_get_one_copy() -> None:
    copies = split_copies(invite("7bit"), envelope("j.smith@gmail.com", "J.Smith@GMAIL.com"), internal)
    assert len(copies) == 1


def test_calendar_attachment_by_filename_and_cc() -> None:
    data = invite("base64", as_attachment=True, cc="Cc: Other <o@icloud.com>\r\n")
    copies = split_copies(data, envelope("o@icloud.com", f"kim@{COUNCIL}"), internal)
    assert calendar_attendees(copies[1][1]) == [INSIDERS]  # o@ was not an attendee
    assert visible(copies[1][1]) == INSIDERS | {"o@icloud.com"}
    assert b"Cc: Other <o@icloud.com>" in copies[1][1]
    assert not any(ln.lower().startswith(b"cc:") for ln in copies[0][1].split(b"\r\n"))


def test_single_part_calendar_message() -> None:
    cal = calendar(PEOPLE)
    data = (f"From: {ORGANISER}\r\nTo: j.smith@gmail.com\r\nContent-Type: text/calendar; method=REQUEST\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode() + encode(cal, "quoted-printable")
    copies = split_copies(data, envelope("j.smith@gmail.com"), internal)
    assert calendar_attendees(copies[0][1]) == [INSIDERS | {"j.smith@gmail.com"}]


def test_ambiguous_boundary_refused() -> None:
    data = invite("7bit").replace(b'boundary="outer"', b'boundary="outer"; boundary="other"')
    with pytest.raises(SplitError):
        split_copies(data, envelope("j.smith@gmail.com"), internal)


def test_bad_base64_calendar_refused() -> None:
    data = invite("base64")
    start = data.index(b"base64\r\n\r\n") + 10
    data = data[:start] + b"QkVH=" + data[start:]
    with pytest.raises(SplitError):
        split_copies(data, envelope("j.smith@gmail.com"), internal)


DEMO = Path(__file__).resolve().parents[2] / "mailguard" / "demo" / "samples"


def test_demo_invites_split() -> None:
    index = {e["file"]: e for e in json.loads((DEMO / "index.json").read_text())}
    for name, expected in (("06-dropin-invite.eml", 5), ("01-consultation-invite.eml", 45)):
        entry = index[name]
        data = (DEMO / name).read_bytes()
        copies = split_copies(data, Envelope(entry["mail_from"], tuple(entry["rcpt"])), internal)
        assert len(copies) == expected
        insiders = {a for a in entry["rcpt"] if internal(a)}
        for recipients, copy in copies:
            me = set(recipients) - insiders
            assert visible(copy) == insiders | me
            assert calendar_attendees(copy) == [insiders | me]


def test_stray_cr_never_strands_a_folded_address() -> None:
    data = invite("7bit").replace(b"\r\n ", b"\r\r\n ")  # a broken client: CR CR LF before folds
    for recipients, copy in split_copies(data, envelope("tdoyle89@outlook.com", f"kim@{COUNCIL}"), internal):
        cal = copy[copy.index(b"BEGIN:VCALENDAR") : copy.index(b"END:VCALENDAR")]
        assert b"gmail" not in cal and b"housing.example" not in cal
        assert (b"look.com" in cal) == (recipients == ["tdoyle89@outlook.com"])
