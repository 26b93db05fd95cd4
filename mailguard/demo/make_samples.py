"""Regenerate the demo's sample messages, register and settings (the outputs are committed).

    python -m mailguard.demo.make_samples        # needs the test extras: fpdf2, python-docx, openpyxl

Every person, address, phone number and mailbox here is invented. Internal mail is at
council.example.gov.uk, partner organisations at *.example.* domains; members of the public
are at real consumer mail domains (so the exposure rule counts each as a party of their own)
with invented local parts. Phone numbers are from Ofcom's drama ranges (01632 960xxx,
07700 900xxx). Output is deterministic: fixed dates, boundaries, ids and zip timestamps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import textwrap
import zipfile
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).resolve().parent
COUNCIL = "council.example.gov.uk"
WHEN = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
DATE = "Mon, 02 Nov 2026 09:30:00 +0000"

REGISTER = [  # id, name, address, postcode, phone, flagged_recipients
    ("P0001", "Kerry Holt", "Flat 3, 27 Larkspur Close, Hartwell", "HW4 7QD", "07700 900123",
     "darren.holt84@gmail.com"),
    ("P0002", "Agnieszka Nowak", "41 Wrenfield Road, Hartwell", "HW2 3LP", "01632 960417",
     "pawel.nowak77@outlook.com;@nowak-transport.example.co.uk"),
    ("P0003", "", "Rose Cottage, 2 Church Lane, Little Ashby", "HW9 1EZ", "",
     "m.brennan@btinternet.com"),
    ("P0004", "Samira Haddad", "18B Station Parade, Hartwell", "HW1 5TN", "07700 900456",
     "@haddad-motors.example.co.uk"),
    ("P0005", "Jodie Marsh-Lyons", "Flat 11, Beech House, 9 Orchard Way, Hartwell", "HW3 8RS", "",
     "lee.lyons@hotmail.co.uk;lyons.lee@gmail.com"),
]

PUBLIC_FIRST = ("Aisha Bev Carl Dee Ellis Fran Gareth Hana Ivan Jas Kim Lola Mo Nina Owen Priya Quinn "
                "Rhys Sian Tom Una Vic Wes Xena Yusuf Zara").split()
PUBLIC_LAST = ("Ahmed Barker Cole Doyle Evans Frost Grant Hussain Iqbal Jones Khan Lewis Moss Nash Owusu "
               "Patel Quayle Reid Singh Turner Upton Vance Walsh Xu Young Zielinski").split()
CONSUMER = ("gmail.com", "outlook.com", "btinternet.com", "hotmail.co.uk", "yahoo.co.uk", "icloud.com")
PARTNERS = (  # organisation domain, people
    ("hartwell-ccg.example.nhs.uk", ("Dr Helen Aske", "Raj Bhatt", "Carol Dunne", "Ian Fell")),
    ("hartwell-housing.example.org.uk", ("Mark Gale", "Tessa Hart", "Olu Idowu", "Jen Kay")),
    ("hartwellpolice.example.police.uk", ("PC Amy Lord", "Sgt Dev Mann", "Paula Neal")),
    ("hartwell-cab.example.org.uk", ("Sue Orme", "Gary Pike", "Ann Quill")),
    ("ashby-vcs.example.org.uk", ("Ben Rowe", "Cath Sale", "Dan Tate", "Eve Umber")),
)
STAFF = (
    ("Priya Natarajan", "Community Engagement Lead"), ("Tom Whitcombe", "Engagement Officer"),
    ("Grace Obi", "Engagement Officer"), ("Liam Farrow", "Planning Policy Manager"),
    ("Helen Stroud", "Senior Planner"), ("Marcus Lee", "Housing Strategy Officer"),
    ("Nadia Karim", "Equalities Officer"), ("Owen Price", "Democratic Services"),
    ("Ruth Allen", "Communications Officer"), ("Simon Dale", "Head of Regeneration"),
    ("Yvonne Ash", "Business Support"),
)


def mailbox(name: str) -> str:
    return name.lower().replace("dr ", "").replace("pc ", "").replace("sgt ", "").replace(" ", ".")


def staff_address(name: str) -> str:
    return f"{mailbox(name)}@{COUNCIL}"


def staff_member(name: str) -> tuple[str, str]:
    return (name, staff_address(name))


def public_people(count: int, offset: int = 0) -> list[tuple[str, str]]:
    people = []
    for i in range(offset, offset + count):
        first, last = PUBLIC_FIRST[i % 26], PUBLIC_LAST[(i * 7) % 26]
        local = [f"{first}.{last}", f"{first[0]}{last}{70 + i}", f"{last}.{first}{i}"][i % 3].lower()
        people.append((f"{first} {last}", f"{local}@{CONSUMER[i % len(CONSUMER)]}"))
    return people


def partner_people() -> list[tuple[str, str]]:
    return [(name, f"{mailbox(name)}@{domain}") for domain, names in PARTNERS for name in names]


def base(subject: str, sender: tuple[str, str], to: list[tuple[str, str]], n: int) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = f"{sender[0]} <{sender[1]}>"
    msg["To"] = ", ".join(f"{name} <{addr}>" for name, addr in to)
    msg["Subject"] = subject
    msg["Date"] = DATE
    msg["Message-ID"] = f"<demo-{n:04d}@{COUNCIL}>"
    return msg


def fold_ical(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF + space."""
    raw = line.encode("utf-8")
    parts = [raw[:75]] + [raw[i : i + 74] for i in range(75, len(raw), 74)]
    return "\r\n ".join(p.decode("utf-8") for p in parts) + "\r\n"


def invite(uid: str, summary: str, start: str, end: str, organiser: tuple[str, str],
           attendees: list[tuple[str, str]], location: str) -> str:
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Hartwell Council//Demo//EN", "VERSION:2.0", "METHOD:REQUEST",
             "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261102T093000Z", f"DTSTART:{start}", f"DTEND:{end}",
             f"SUMMARY:{summary}", f"LOCATION:{location}", "SEQUENCE:0",
             f'ORGANIZER;CN="{organiser[0]}":mailto:{organiser[1]}']
    for name, addr in attendees:
        last, _, first = name.rpartition(" ")
        lines.append(f'ATTENDEE;CN="{first}, {last}";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;'
                     f"RSVP=TRUE:mailto:{addr}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold_ical(line) for line in lines)


def deterministic_zip(data: bytes) -> bytes:
    """Office files are zips stamped with the current time (member dates, and openpyxl's
    dcterms:modified on save): pin both."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-11-02T09:30:00Z", member)
            dst.writestr(zipfile.ZipInfo(info.filename, (2026, 11, 2, 9, 30, 0)), member,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def staff_list_xlsx(partners: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = "Hartwell Borough Council"
    wb.properties.created = wb.properties.modified = WHEN.replace(tzinfo=None)
    ws = wb.active
    ws.title = "Staff and facilitators"
    ws.append(["Name", "Role", "Organisation", "Email", "Direct line", "Mobile"])
    for i, (name, role) in enumerate(STAFF):
        ws.append([name, role, "Hartwell Borough Council", staff_address(name), f"01632 960{100 + i:03d}",
                   f"07700 900{700 + i:03d}"])
    for i, (name, addr) in enumerate(partners[::3]):
        ws.append([name, "Table facilitator", addr.partition("@")[2], addr, f"01632 960{200 + i:03d}", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return deterministic_zip(buf.getvalue())


def assessment_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(WHEN)
    pdf.set_title("Child and Family Assessment")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 10, "Hartwell Borough Council - Children's Services", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, "Child and Family Assessment (Single Assessment)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    body = (
        "Case reference: CFA/2026/0419. Children: Mia Holt (7) and Jack Holt (4). "
        "Assessing social worker: Sam Okafor.\n\n"
        "1. Family circumstances\n"
        "Following the incident reported in August, Ms Kerry Holt and both children moved from the former "
        "family home. They now live at Flat 3, 27 Larkspur Close, Hartwell HW4 7QD, provided through the "
        "refuge move-on scheme. Ms Holt can be reached on 07700 900123.\n\n"
        "2. Contact arrangements\n"
        "Father's contact to remain supervised at the Hartwell Family Centre. Handovers must not take place "
        "at or near the children's home.\n\n"
        "3. Analysis\n"
        "The children are settling well at their new school. Ms Holt is engaging with the outreach service. "
        "The plan will be reviewed in eight weeks."
    )
    pdf.multi_cell(0, 6, body)
    return bytes(pdf.output())


def neglect_report_docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.author = "Hartwell Borough Council"
    doc.core_properties.created = doc.core_properties.modified = WHEN.replace(tzinfo=None)
    doc.add_heading("Child Protection Conference - Neglect Report", level=1)
    table = doc.add_table(rows=0, cols=2)
    for label, value in (
        ("Child", "Zofia Nowak (9)"),
        ("Parent with care", "Agnieszka Nowak"),
        ("Home address", "41 Wrenfield Road"),
        ("Town", "Hartwell"),
        ("Postcode", "HW2 3LP"),
        ("School", "Hartwell St Anne's Primary"),
        ("Conference date", "16 November 2026"),
    ):
        row = table.add_row().cells
        row[0].text, row[1].text = label, value
    doc.add_paragraph(
        "Concerns: school attendance 71%; two missed health appointments; the home was found without "
        "heating during the visit of 28 October. Ms Nowak has asked that her address is not shared with "
        "her former partner or his family."
    )
    buf = io.BytesIO()
    doc.save(buf)
    return deterministic_zip(buf.getvalue())


def pin_boundaries(msg: EmailMessage, n: int) -> None:
    for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_demo{n:02d}_{i}_mailguard")


def consultation_invite() -> tuple[EmailMessage, list[str]]:
    organiser = ("Community Engagement Team", f"engagement@{COUNCIL}")
    public = public_people(26)
    partners = partner_people()
    staff = [(name, staff_address(name)) for name, _ in STAFF]
    attendees = public[:9] + partners[:9] + staff[:5] + public[9:18] + partners[9:] + staff[5:] + public[18:]
    assert len(attendees) == 55 and len(public) == 26
    msg = base("Invitation: Hartwell Town Centre Regeneration - public consultation", organiser, attendees, 1)
    text = textwrap.dedent("""\
        Dear all,

        You are invited to the public consultation on the Hartwell Town Centre Regeneration plan,
        Thursday 19 November 2026, 18:00-20:00, Hartwell Library meeting room.

        The attached sheet lists the council staff and partner facilitators at each table.

        Community Engagement Team
        Hartwell Borough Council
        """)
    msg.set_content(text)
    cal = invite(f"consultation-2026-11-19@{COUNCIL}", "Town Centre Regeneration - public consultation",
                 "20261119T180000Z", "20261119T200000Z", organiser, attendees,
                 "Hartwell Library, meeting room 2")
    msg.add_alternative(cal, subtype="calendar", params={"method": "REQUEST"}, cte="quoted-printable")
    msg.add_attachment(staff_list_xlsx(partners), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       filename="Consultation staff and facilitators.xlsx")
    return msg, [a for _, a in attendees]


def dropin_invite() -> tuple[EmailMessage, list[str]]:
    organiser = staff_member("Tom Whitcombe")
    people = [*public_people(4, offset=40), staff_member("Grace Obi")]
    msg = base("Invitation: Larch Estate play area drop-in", organiser, people, 6)
    msg.set_content("Hello,\n\nPlease join the drop-in about the Larch Estate play area on "
                    "Saturday.\n\nTom\n")
    cal = invite("larch-dropin-2026-11-21@council.example.gov.uk", "Larch Estate play area drop-in",
                 "20261121T100000Z", "20261121T120000Z", organiser, people, "Larch Estate community room")
    msg.add_alternative(cal, subtype="calendar", params={"method": "REQUEST"}, cte="base64")
    return msg, [a for _, a in people]


def letter(n: int, subject: str, sender: tuple[str, str], to: list[tuple[str, str]], text: str, *,
           cc: Sequence[tuple[str, str]] = (), attachment: tuple[bytes, str, str] | None = None,
           ) -> tuple[EmailMessage, list[str]]:
    """Sample `n`: a plain-text message, optionally with one (data, content type, filename) attachment."""
    msg = base(subject, sender, to, n)
    if cc:
        msg["Cc"] = ", ".join(f"{name} <{addr}>" for name, addr in cc)
    msg.set_content(text)
    if attachment is not None:
        data, ctype, filename = attachment
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg, [a for _, a in (*to, *cc)]


def family_assessment() -> tuple[EmailMessage, list[str]]:
    return letter(2, "Family assessment - Holt children (CFA/2026/0419)", staff_member("Sam Okafor"),
                  [("Darren Holt", "darren.holt84@gmail.com")],
                  "Dear Mr Holt,\n\nPlease find the completed family assessment attached, as discussed "
                  "at the meeting on Friday.\n\nKind regards,\nSam Okafor\n"
                  "Social Worker, Children's Services\n",
                  attachment=(assessment_pdf(), "application/pdf", "Family assessment - Holt.pdf"))


def wrong_family_report() -> tuple[EmailMessage, list[str]]:
    return letter(3, "Conference report - Nowak", staff_member("Lucy Mbeki"),
                  [("J Nowak", "j.nowak@nowak-transport.example.co.uk")],
                  "Dear Mrs Nowak,\n\nAhead of the conference on 16 November, please find the report "
                  "attached.\n\nLucy Mbeki\nChild Protection Coordinator\n",
                  attachment=(neglect_report_docx(),
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                              "Neglect report - Nowak.docx"))


def newsletter() -> tuple[EmailMessage, list[str]]:
    return letter(4, "Allotments newsletter - November", ("Hartwell Allotments", f"allotments@{COUNCIL}"),
                  public_people(5, offset=30),
                  "Dear plot holders,\n\nWater troughs will be drained on 30 November. The seed swap is "
                  "on Saturday 5 December at the pavilion.\n\nHartwell Allotments Officer\n")


def internal_memo() -> tuple[EmailMessage, list[str]]:
    return letter(5, "Regeneration: consultation responses so far", staff_member("Liam Farrow"),
                  [staff_member(n) for n in ("Helen Stroud", "Marcus Lee", "Simon Dale")],
                  "Hi all,\n\n212 responses so far; summary at Thursday's board.\n\nLiam\n",
                  cc=[staff_member("Owen Price")])


def external_reply() -> tuple[EmailMessage, list[str]]:
    return letter(7, "Re: Planning application 26/0833/FUL", staff_member("Helen Stroud"),
                  [("Rhys Reid", "rhys.reid@outlook.com")],
                  "Dear Mr Reid,\n\nThank you for your comments on the application for Unit 4, Mill Lane "
                  "Trading Estate. They will be considered by the planning committee.\n\nHelen Stroud\n")


SAMPLES_SPEC: tuple[tuple, ...] = (  # file, builder, expected verdict, what it re-enacts[, extra keys]
    ("01-consultation-invite.eml", consultation_invite, "hold",
     "55 attendees in To (26 members of the public, 5 partner organisations), every one in the invite's "
     "ATTENDEE lines, and a staff and facilitator list attached: a header rewrite can't fix the invite "
     "or the list, so it is held for review"),
    ("02-family-assessment.eml", family_assessment, "hold",
     "family assessment PDF carrying the protected address of register row P0001, sent to the ex-partner "
     "flagged for it"),
    ("03-wrong-family-report.eml", wrong_family_report, "hold",
     "child-neglect report DOCX with the address of register row P0002 in a table, sent to the wrong "
     "Nowak family, whose domain is flagged for that row"),
    ("04-newsletter.eml", newsletter, "rewrite",
     "newsletter with 5 members of the public in To: moved to Bcc, everyone still gets it"),
    ("05-internal-memo.eml", internal_memo, "pass", "internal only"),
    ("06-dropin-invite.eml", dropin_invite, "hold",
     "meeting invite to 4 members of the public and one colleague, all in To and in the ATTENDEE lines: "
     "held by default; with MAILGUARD_SPLIT_INVITES=true the verdict stays hold but split, and the relay "
     "sends 5 copies (one per resident listing only them, the organiser and staff, one for staff)",
     {"with_split_invites": {"split": True, "copies": 5}}),
    ("07-external-reply.eml", external_reply, "pass", "one external recipient, nothing protected"),
)

SETTINGS = {
    "note": "Settings the demo runs with (Settings field names; 'register' is relative to this folder). "
            "Expected verdicts in samples/index.json assume exactly these and the bundled rules. "
            "split_invites=true turns the hold of 06 (and, with the shipped exposure.yaml, of 01) into "
            "a per-recipient split.",
    "internal_domains": COUNCIL,
    "exposure_threshold": 2,
    "exposure_action": "rewrite",
    "split_invites": False,
    "register": "register.csv",
}


def main(out: Path = HERE) -> None:
    samples = out / "samples"
    samples.mkdir(parents=True, exist_ok=True)
    index = []
    for n, (name, build, expect, note, *extra) in enumerate(SAMPLES_SPEC, 1):
        msg, rcpt = build()
        pin_boundaries(msg, n)
        (samples / name).write_bytes(msg.as_bytes(policy=policy.SMTP))
        sender = msg["From"].addresses[0].addr_spec
        index.append({"file": name, "mail_from": sender, "rcpt": rcpt, "expect": expect, "note": note,
                      **(extra[0] if extra else {})})
    (samples / "index.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    with (out / "register.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "name", "address", "postcode", "phone", "flagged_recipients"])
        writer.writerows(REGISTER)
    (out / "settings.json").write_text(json.dumps(SETTINGS, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(index)} samples to {samples}")


if __name__ == "__main__":
    main()
