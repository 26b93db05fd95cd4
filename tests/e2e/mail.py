"""The people, the register and the messages of the end-to-end tests, built in the test.

A council (internal domain council.example) writes to members of the public. Jane Doe's
address is protected; her ex-partner must never receive it.
"""

from __future__ import annotations

import secrets
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

import icalendar
from message.builders import docx, pdf, w_p

INTERNAL = "council.example"
SENDER = "sam.worker@council.example"
COLLEAGUE = "lee@council.example"
ORGANISER = "events@council.example"
EX_PARTNER = "ex.partner@gmail.com"
PUBLIC = ("ann.brown@outlook.com", "john.smith@gmail.com", "officer@housing-partner.example")

PROTECTED = "14 Orchard Close, Bristol BS1 4DJ"
REGISTER_CSV = (
    "id,name,address,postcode,phone,flagged_recipients\n"
    f'P000123,Jane Doe,"14 Orchard Close, Bristol",BS1 4DJ,0117 496 0123,{EX_PARTNER}\n'
    'P000124,Sam Roe,"Flat 2, 7 Mill Lane, Leeds",LS6 2AB,,sam.ex@hotmail.co.uk\n'
)

REPO_RULES = Path(__file__).resolve().parents[2] / "rules"


def marker() -> str:
    """A unique word for a subject, so a test finds its own mail at the shared upstream."""
    return f"t{secrets.token_hex(4)}"


def _base(subject: str, to: str, cc: str = "") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Sam Worker <{SENDER}>"
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{secrets.token_hex(8)}@council.example>"
    msg["Date"] = "Sun, 22 Nov 2026 09:30:00 +0000"
    return msg


def wire(msg: EmailMessage) -> bytes:
    """CRLF line ends, as a client puts a message on the wire."""
    return msg.as_bytes(policy=policy.SMTP)


def protected_attachment(subject: str, kind: str = "pdf") -> bytes:
    """Jane Doe's address in an attached PDF or DOCX, the body itself harmless."""
    text = f"Family assessment. The children now live with their mother at {PROTECTED}."
    msg = _base(subject, f"<{EX_PARTNER}>", cc=COLLEAGUE)
    msg.set_content("Please find the assessment attached.\n")
    if kind == "pdf":
        msg.add_attachment(pdf([text]), maintype="application", subtype="pdf", filename="assessment.pdf")
    else:
        subtype = "vnd.openxmlformats-officedocument.wordprocessingml.document"
        msg.add_attachment(docx(w_p(text)), maintype="application", subtype=subtype, filename="assessment.docx")
    return wire(msg)


# Quoted-printable with a soft line break and an `=3D`: a body a re-serialising rewrite would change.
EXPOSED_BODY = (
    b"Dear residents,\r\n\r\nThe consultation meeting is on Thursday at 7pm in the caf=C3=A9 of the library, ple=\r\n"
    b"ase bring your questions. 2+2=3D4.\r\n"
)


def exposed(subject: str) -> bytes:
    """Three outside parties in To and Cc (a folded To line), one colleague."""
    head = (
        f"From: Sam Worker <{SENDER}>\r\n"
        f'To: "Brown, Ann" <{PUBLIC[0]}>,\r\n {PUBLIC[1]}\r\n'
        f"Cc: {PUBLIC[2]}, Lee <{COLLEAGUE}>\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{secrets.token_hex(8)}@council.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    return head.encode() + EXPOSED_BODY


def invite(subject: str) -> bytes:
    """A meeting invite whose ATTENDEE lines list every outside attendee and a colleague."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//council//e2e//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"{secrets.token_hex(6)}@council.example")
    event.add("summary", subject)
    event.add("dtstart", icalendar.vDatetime.from_ical("20261203T180000Z"))
    event.add("dtstamp", icalendar.vDatetime.from_ical("20261122T090000Z"))
    event.add("organizer", f"mailto:{ORGANISER}")
    for address in (*PUBLIC, COLLEAGUE):
        event.add("attendee", f"mailto:{address}", parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "TRUE"})
    cal.add_component(event)
    msg = _base(subject, ", ".join((*PUBLIC, COLLEAGUE)))
    msg.set_content("You are invited to the consultation evening.\n")
    msg.add_alternative(cal.to_ical().decode(), subtype="calendar", params={"method": "REQUEST"})
    return wire(msg)


def clean(subject: str, to: str = COLLEAGUE) -> bytes:
    msg = _base(subject, to)
    msg.set_content("Minutes of Tuesday's team meeting attached in the shared drive.\n")
    return wire(msg)


# --- reading what arrived ---------------------------------------------------------------


def header_and_body(data: bytes) -> tuple[bytes, bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def visible(data: bytes) -> set[str]:
    """Addresses in the To and Cc headers, lower case."""
    msg = message_from_bytes(data, policy=policy.compat32)
    fields = [*msg.get_all("To", []), *msg.get_all("Cc", [])]
    return {a.lower() for _, a in getaddresses(fields) if "@" in a}


def attendees(data: bytes) -> tuple[set[str], set[str]]:
    """(attendees, organisers) of every VEVENT in the message's calendar parts."""
    msg = message_from_bytes(data, policy=policy.default)
    people: set[str] = set()
    organisers: set[str] = set()
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert parts, "no calendar part"
    for part in parts:
        for event in icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT"):
            found = event.get("attendee", [])
            for value in found if isinstance(found, list) else [found]:
                people.add(str(value).lower().removeprefix("mailto:"))
            organisers.add(str(event.get("organizer")).lower().removeprefix("mailto:"))
    return people, organisers


def subject_of(data: bytes) -> str:
    return " ".join(str(message_from_bytes(data, policy=policy.default)["Subject"] or "").split())


def text_of(data: bytes) -> str:
    """The decoded text/plain body (notices are one text part)."""
    msg = message_from_bytes(data, policy=policy.default)
    part = msg.get_body(("plain",))
    return str(part.get_content()) if part is not None else ""
