"""Exposure families: external parties shown to each other in headers, invites and address lists."""

from __future__ import annotations

from email.utils import formataddr

from corpora.builders import Attachment, docx_bytes, xlsx, zip_of

from ..uk import AGENCIES
from .corpus import Corpus
from .documents import DOCX_TYPE, XLSX_TYPE, invite
from .mail import as_bytes, message
from .names import FIRST, INTERNAL, LAST, ORGS


def party(c: Corpus, kind: str) -> str:
    if kind == "consumer":
        return formataddr((f"{c.rnd.choice(FIRST)} {c.rnd.choice(LAST)}", c.person_email()))
    dom = c.rnd.choice(ORGS)
    return formataddr((c.rnd.choice(FIRST), f"{c.rnd.choice(FIRST).lower()}@{dom}"))


def bare(addr: str) -> str:
    return addr.rpartition("<")[2].rstrip(">")


def headers_case(c: Corpus, to: list[str], cc: list[str], expect: str, family: str, why: str) -> None:
    """A consultation from a colleague to the parties in `to` and `cc`, all in the envelope."""
    frm = c.sender()
    rcpt = [bare(a) for a in (*to, *cc)]
    data = as_bytes(message(frm, to, "Consultation", f"Dear all,\n\n{c.filler(3)}\n", cc=cc))
    c.add(data, frm, rcpt, expect, family, why)


def exposure_headers(c: Corpus) -> None:
    """Parties shown to each other in To and Cc, however the header is written."""
    for n in (2, 3, 7):
        headers_case(
            c,
            [party(c, "consumer") for _ in range(n)],
            [],
            "rewrite",
            "exposure/to_consumers",
            f"{n} consumer parties in To",
        )
    headers_case(
        c,
        [party(c, "consumer")],
        [party(c, "org")],
        "pass",
        "exposure-negative/consumer_and_org",
        "one consumer in To, an organisation in Cc: one member of the public",
    )
    headers_case(
        c,
        [party(c, "consumer")],
        [party(c, "org"), party(c, "consumer")],
        "rewrite",
        "exposure/to_cc_mix",
        "consumer in To, org and consumer in Cc",
    )
    headers_case(
        c,
        [f"colleague@{INTERNAL}"],
        [party(c, "consumer"), party(c, "consumer")],
        "rewrite",
        "exposure/cc_only",
        "two consumers in Cc",
    )
    doms = c.rnd.sample(ORGS, 3)
    headers_case(c, [f"a@{d}" for d in doms], [], "pass", "exposure-negative/orgs", "three organisations")
    multi_agency(c)
    headers_case(
        c,
        ["Smith, John <john.smith@gmail.com>", '"O\'Brien, Ann" <ann.ob@outlook.com>'],
        [],
        "rewrite",
        "exposure/quoted_display_names",
        "display names with commas",
    )
    a, b = c.person_email(), c.person_email()
    frm = c.sender()
    data = as_bytes(message(frm, [], "Group", "Hello all", headers={"To": f"Parents: {a}, {b};"}))
    c.add(data, frm, [a, b], "rewrite", "exposure/group_syntax", "group syntax exposes two consumers")
    a, b = c.person_email(), c.person_email()
    data = (f"From: {frm}\r\nTo: {a},\r\n {b}\r\nSubject: folded\r\n\r\nhi\r\n").encode()
    c.add(data, frm, [a, b], "rewrite", "exposure/folded_to", "folded To header")
    a = c.person_email()
    b = "jo.bloggs@gmail.com"
    data = (f"From: {frm}\r\nTo: =?utf-8?q?J=C3=B6_Bloggs?= <{b}>, {a}\r\nSubject: encoded\r\n\r\nhi\r\n").encode()
    c.add(data, frm, [a, b], "rewrite", "exposure/encoded_word_names", "RFC 2047 display names")
    a, b = c.person_email(), c.person_email()
    data = (f"From: {frm}\r\nTo: {a}\r\nCc: {b}\r\nSubject: x\r\n\r\nhi\r\n").encode()
    c.add(data, frm, [a, b], "rewrite", "exposure/to_cc_plain", "one in To, one in Cc")
    a, b = c.person_email(), c.person_email()
    data = (f"From: {frm}\r\nTo: {a}\r\nTo: {b}\r\nSubject: x\r\n\r\nhi\r\n").encode()
    c.add(data, frm, [a, b], "nopass", "exposure/duplicate_to_header", "two To headers")
    a, b = c.person_email(), c.person_email()
    data = (f"From: {frm}\r\nTO: {a}\r\ncc: {b}\r\nSubject: x\r\n\r\nhi\r\n").encode()
    c.add(data, frm, [a, b], "rewrite", "exposure/header_case", "upper/lower-case header names")
    # negatives
    org = c.rnd.choice(ORGS)
    headers_case(
        c,
        [f"{n.lower()}@{org}" for n in c.rnd.sample(FIRST, 6)],
        [],
        "pass",
        "exposure-negative/one_org",
        "six people of one organisation",
    )
    headers_case(
        c,
        [f"x@{org}"],
        [f"y@{org.upper()}"],
        "pass",
        "exposure-negative/one_org_case",
        "one org, domain case differs",
    )
    one = c.person_email()
    headers_case(c, [one], [one.upper()], "pass", "exposure-negative/same_person_twice", "the same consumer twice")
    headers_case(
        c,
        [party(c, "consumer")],
        [f"a@{INTERNAL}", f"b@{INTERNAL}"],
        "pass",
        "exposure-negative/one_external",
        "one external with colleagues",
    )
    headers_case(
        c,
        [party(c, "consumer")],
        [f"head@schools.{INTERNAL}"],
        "pass",
        "exposure-negative/internal_subdomain",
        "one external with a colleague at an internal subdomain",
    )
    headers_case(
        c,
        [f"head@{INTERNAL}".upper()],
        [party(c, "consumer")],
        "pass",
        "exposure-negative/internal_upper",
        "internal domain in upper case with one external",
    )
    ext = [c.person_email() for _ in range(5)]
    frm = c.sender()
    data = as_bytes(message(frm, [], "Newsletter", "Hello", headers={"To": "undisclosed-recipients:;"}))
    c.add(data, frm, ext, "pass", "exposure-negative/bcc_only", "externals only in the envelope")
    data = as_bytes(message(frm, [frm], "Newsletter", "Hello"))
    c.add(data, frm, [frm, *ext], "pass", "exposure-negative/bcc_only_to_self", "To self, externals in Bcc")


def multi_agency(c: Corpus) -> None:
    """Professionals of 2-8 agencies working together (with or without one member of the public)
    are not an exposure; ten or more organisations are a mass mailing; two members of the public
    among agencies are."""
    for n in (2, 3, 5, 8):
        doms = c.rnd.sample([d for d, _ in AGENCIES], n)
        to = [formataddr((org, f"{c.rnd.choice(FIRST).lower()}.{c.rnd.choice(LAST).lower()}@{d}"))
              for d, org in AGENCIES if d in doms]
        half = len(to) // 2
        headers_case(c, to[:half] or to, to[half:] if half else [], "pass", "exposure-negative/multi_agency",
                     f"{n} professional organisations working together")
        one = party(c, "consumer")
        headers_case(c, [one, *to], [], "pass", "exposure-negative/multi_agency_one_public",
                     f"{n} organisations and one member of the public")
    to = [f"{c.rnd.choice(FIRST).lower()}@{d}" for d, _ in AGENCIES[:12]]
    headers_case(c, to, [], "rewrite", "exposure/mass_mailing_orgs", "twelve organisations: a mass mailing")
    doms = c.rnd.sample([d for d, _ in AGENCIES], 3)
    headers_case(c, [f"duty@{d}" for d in doms], [party(c, "consumer"), party(c, "consumer")], "rewrite",
                 "exposure/agencies_and_two_public", "three agencies and two members of the public")


def invite_mail(frm: str, attachment: Attachment, to: tuple[str, ...] = (f"room@{INTERNAL}",)) -> bytes:
    return as_bytes(message(frm, list(to), "Meeting", "Invite attached.", attachments=[attachment]))


def invites(c: Corpus) -> None:
    """External attendees of a meeting invite, shown to each other."""
    for n_att in (2, 4):
        atts = [c.person_email() for _ in range(n_att)]
        frm = c.sender()
        data = invite_mail(frm, ("invite.ics", invite(frm, atts), "text/calendar"))
        c.add(data, frm, atts, "hold", "exposure/invite_attendees", f"{n_att} external attendees")
    atts = [c.person_email(), c.person_email()]
    data = invite_mail(frm, ("invite.ics", invite(frm, atts, fold=True), "text/calendar"))
    c.add(data, frm, atts, "hold", "exposure/invite_folded", "attendees folded mid-address")
    atts = [c.person_email(), c.person_email()]
    ics = invite(frm, atts)
    msg = message(frm, [], "Meeting", None, headers={"To": f"room@{INTERNAL}"})
    msg.set_content(ics.decode(), subtype="calendar", params={"method": "REQUEST"})
    c.add(as_bytes(msg), frm, atts, "hold", "exposure/invite_inline", "text/calendar body")
    atts = [c.person_email(), c.person_email()]
    data = invite_mail(frm, ("meeting.zip", zip_of({"invite.ics": invite(frm, atts)}), "application/zip"))
    c.add(data, frm, atts, "hold", "exposure/invite_in_zip", "attendees in a zipped ics")
    one = c.person_email()
    ics = invite(frm, [one, f"a@{INTERNAL}", f"b@{INTERNAL}"])
    data = invite_mail(frm, ("invite.ics", ics, "text/calendar"), to=(one,))
    c.add(data, frm, [one], "pass", "exposure-negative/invite_one_external", "one external attendee")


def address_lists(c: Corpus) -> None:
    """A list of externals' addresses (in a file or the body) sent to other externals."""
    people = [c.person_email() for _ in range(6)]
    listing = "name,email\n" + "".join(f"P{i},{p}\n" for i, p in enumerate(people))
    for carrier in ("csv", "xlsx", "body", "docx"):
        rcpt = [c.person_email(), c.person_email()]
        frm = c.sender()
        if carrier == "csv":
            att = [("attendees.csv", listing.encode(), "text/csv")]
            body = "List attached."
        elif carrier == "xlsx":
            att = [("attendees.xlsx", xlsx({"S": [r.split(",") for r in listing.splitlines()]}), XLSX_TYPE)]
            body = "List attached."
        elif carrier == "docx":

            def build(doc: object, people: list[str] = people) -> None:
                for p in people:
                    doc.add_paragraph(p)  # type: ignore[attr-defined]

            att = [("attendees.docx", docx_bytes(build), DOCX_TYPE)]
            body = "List attached."
        else:
            att = []
            body = "Attendees:\n" + "\n".join(people)
        msg = message(frm, [f"events@{INTERNAL}"], "Attendees", body, attachments=att)
        c.add(as_bytes(msg), frm, rcpt, "hold", f"exposure/address_list_{carrier}", "list of six externals sent to two")
    rcpt = [c.person_email()]
    msg = message(frm, rcpt, "Attendees", "List attached.", attachments=[("a.csv", listing.encode(), "text/csv")])
    c.add(as_bytes(msg), frm, rcpt, "pass", "exposure-negative/list_to_one", "a list sent to one external")


def hello(c: Corpus, frm: str, rcpt: list[str], expect: str, family: str, why: str, text: str = "Hello all") -> None:
    """A short greeting with every recipient in To."""
    c.add(as_bytes(message(frm, rcpt, "Hello", text)), frm, rcpt, expect, family, why)


def more_exposure(c: Corpus) -> None:
    """Exposure at more consumer domains and at subdomains of one organisation; odd To headers."""
    for dom in (
        "googlemail.com",
        "live.co.uk",
        "talktalk.net",
        "ntlworld.com",
        "aol.co.uk",
        "me.com",
        "proton.me",
        "sky.com",
        "virginmedia.com",
        "tiscali.co.uk",
        "hotmail.com",
        "yahoo.com",
        "outlook.co.uk",
        "wanadoo.co.uk",
        "orange.net",
        "tesco.net",
        "fsmail.net",
    ):
        a, b = f"{c.rnd.choice(FIRST).lower()}1@{dom}", f"{c.rnd.choice(FIRST).lower()}2@{dom}"
        frm = c.sender()
        family = f"exposure/two_at_consumer_{dom.split('.')[0]}"
        hello(c, frm, [a, b], "rewrite", family, f"two people at consumer domain {dom}", "Hello both")
    frm = c.sender()
    rcpt = [
        "a.smith@partner-housing.org.uk",
        "b.jones@mail.partner-housing.org.uk",
        "c@PARTNER-HOUSING.ORG.UK",
    ]
    hello(c, frm, rcpt, "pass", "exposure-negative/one_org_subdomain", "one organisation at its domain and a subdomain")
    rcpt = ["a@leeds.gov.uk", "b@bristol.gov.uk"]
    hello(c, frm, rcpt, "pass", "exposure-negative/two_councils", "two councils under gov.uk: professionals")
    rcpt = ["a@nhs.example.uk", "b@gmail.com"]
    hello(c, frm, rcpt, "pass", "exposure-negative/org_and_consumer", "an organisation and one consumer")
    rcpt = ["x@gmail.com", "y@gmail.com"]
    data = as_bytes(message(frm, [], "Hello", "Hello", headers={"To": "x@gmail.com", "Cc": "<y@gmail.com>"}))
    c.add(data, frm, rcpt, "rewrite", "exposure/angle_only_cc", "bare angle address in Cc")
    data = (f'From: {frm}\r\nTo: x@gmail.com, "y@gmail.com" <y@gmail.com>\r\nSubject: s\r\n\r\nhi\r\n').encode()
    c.add(data, frm, rcpt, "rewrite", "exposure/address_as_name", "display name that is an address")
    data = (f"From: {frm}\r\nTo: x@gmail.com; y@gmail.com\r\nSubject: s\r\n\r\nhi\r\n").encode()
    c.add(data, frm, rcpt, "rewrite", "exposure/semicolon_separated", "Outlook-style ; separated To")
    data = (f"From: {frm}\r\nTo: x@gmail.com (Mr X), y@gmail.com (Ms Y)\r\nSubject: s\r\n\r\nhi\r\n").encode()
    c.add(data, frm, rcpt, "rewrite", "exposure/comments_in_to", "RFC 5322 comments")
