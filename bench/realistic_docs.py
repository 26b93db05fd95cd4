"""Containers for bench/realistic_corpus.py: MIME messages, Word, Excel, PDF, calendar invites,
and the prose, signatures and disclaimers a UK council really puts in them."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import struct
import zlib
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from realistic_data import ORG, ORG_NAME

FILLER = [
    "Thank you for your recent correspondence, which was received on {d} {m}.",
    "I am writing to confirm the outcome of the review carried out under Section {n} of the Housing Act 1996.",
    "The Council has considered all of the information available, including the reports dated {d} {m} {y}.",
    "Please note that the charge of £{n}.{p:02d} is payable within 14 days of the date of this letter.",
    "If you disagree with this decision you have the right to request a review within 21 days.",
    "The next review meeting is scheduled for {d} {m} at 10:30 in Room {n}, Civic Centre.",
    "Our reference is {ref}; please quote it in all correspondence.",
    "Paragraph {n} of the assessment sets out the reasons for this recommendation.",
    "The arrears on the account stood at £{n}{p:02d}.00 on {d} {m} {y}.",
    "This information is provided under the Data Protection Act 2018 and the UK GDPR.",
    "A copy of this letter has been placed on the case file ({ref}).",
    "Officers attended on {d} {m} between 9am and {n2}pm and no further action was required.",
    "Item {n}: the minutes of the previous meeting were agreed as a true record.",
    "The appeal must be lodged within {n} working days.",
    "Please bring photographic identification and proof of income for the last 3 months.",
    "Bin collections in your area will move from Tuesday to Thursday from week {n}.",
    "Your council tax band remains Band {band} for {y}/{y2}.",
    "Under Article {n} of the Order, the authority must give 28 days' notice.",
    "The panel noted the {n} outstanding actions from the last quarter.",
    "Children's Services will write to you separately about the contact arrangements.",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DISCLAIMER = (
    "This email and any attachments are confidential and intended solely for the addressee. If you have "
    "received it in error, please notify the sender and delete it. {org} may monitor email traffic. "
    "Views expressed are those of the author and not necessarily those of {org}. "
    "Find out how we use your personal information at www.westmere.gov.uk/privacy."
)


def filler(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        d = rng.randint(1, 28)
        out.append(
            rng.choice(FILLER).format(
                d=d,
                m=rng.choice(MONTHS),
                y=rng.choice([2024, 2025, 2026]),
                y2=rng.choice([25, 26, 27]),
                n=rng.randint(2, 60),
                n2=rng.randint(2, 5),
                p=rng.randint(0, 99),
                band=rng.choice("ABCDEFG"),
                ref=case_ref(rng),
            )
        )
    return out


def case_ref(rng: random.Random) -> str:
    return rng.choice(
        [
            f"HOU/{rng.randint(2023, 2026)}/{rng.randint(100, 99999):05d}",
            f"CS-{rng.randint(10000, 99999)}",
            f"ASB{rng.randint(1000, 9999)}",
            f"FC{rng.randint(10, 26)}P{rng.randint(100, 999)}",
        ]
    )


def signature(name: str, title: str, office: str, phone: str) -> str:
    return (
        f"Kind regards\n\n{name}\n{title}\n{ORG_NAME}\n{office}\nTel: {phone}\n"
        f"www.westmere.gov.uk | Follow us @WestmereCouncil\n"
    )


def disclaimer() -> str:
    return "\n" + "-" * 60 + "\n" + DISCLAIMER.format(org=ORG_NAME) + "\n"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x66\x99"))
        + chunk(b"IEND", b"")
    )


class Mail:
    """Builds one outbound message as Outlook/Exchange would send it."""

    def __init__(
        self,
        rng: random.Random,
        n: int,
        frm: tuple[str, str],
        subject: str,
        to: list[tuple[str, str]],
        cc: list[tuple[str, str]] | None = None,
    ) -> None:
        self.rng, self.n = rng, n
        self.msg = EmailMessage()
        self.msg["From"] = formataddr(frm)
        if to:
            self.msg["To"] = ", ".join(formataddr(a) for a in to)
        else:
            self.msg["To"] = "undisclosed-recipients:;"
        if cc:
            self.msg["Cc"] = ", ".join(formataddr(a) for a in cc)
        self.msg["Subject"] = subject
        when = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=37 * n)
        self.msg["Date"] = format_datetime(when)
        self.msg["Message-ID"] = f"<{rng.getrandbits(64):016x}.{n}@{ORG}>"
        self.msg["X-MS-Has-Attach"] = ""
        self.msg["Content-Language"] = "en-GB"

    def body(self, text: str, html: str | None = None, logo: bool = False) -> Mail:
        self.msg.set_content(text, cte="quoted-printable")
        if html is not None:
            self.msg.add_alternative(html, subtype="html", cte="quoted-printable")
            if logo:
                html_part = self.msg.get_payload()[1]
                html_part.add_related(
                    tiny_png(),
                    "image",
                    "png",
                    cid="<logo001@westmere.gov.uk>",
                    filename="image001.png",
                    disposition="inline",
                )
        return self

    def calendar(self, ics: str) -> Mail:
        if not self.msg.is_multipart():
            self.msg.make_alternative()
        self.msg.add_alternative(ics, subtype="calendar", params={"method": "REQUEST"}, cte="base64")
        return self

    def attach(self, data: bytes, filename: str, mime: str) -> Mail:
        maintype, subtype = mime.split("/", 1)
        self.msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        return self

    def bytes(self) -> bytes:
        for i, part in enumerate(p for p in self.msg.walk() if p.is_multipart()):  # fixed, not random
            part.set_boundary(f"_{i:03d}_{self.n:05d}_{self.rng.getrandbits(48):012x}_")
        return self.msg.as_bytes(policy=SMTP)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


_EPOCH = (2026, 3, 1, 9, 0, 0)


def _fixed_zip(data: bytes) -> bytes:
    """The same OOXML package with fixed member times, so a seed always gives the same bytes."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = src.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time
                member = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-03-01T09:00:00Z", member)
            dst.writestr(zipfile.ZipInfo(info.filename, _EPOCH), member, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def docx_letter(
    blocks: list[list[str] | str], header: str | None = None, table: list[list[str]] | None = None
) -> bytes:
    """A Word letter: each list is an address block (one paragraph a line), each str a paragraph."""
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.styles["Normal"].font.name = "Arial"
    d.styles["Normal"].font.size = Pt(11)
    if header:
        d.sections[0].header.paragraphs[0].text = header
    for b in blocks:
        if isinstance(b, list):
            for line in b:
                p = d.add_paragraph(line)
                p.paragraph_format.space_after = Pt(0)
            d.add_paragraph("")
        else:
            d.add_paragraph(b)
    if table:
        t = d.add_table(rows=0, cols=len(table[0]))
        t.style = "Table Grid"
        for row in table:
            cells = t.add_row().cells
            for c, v in zip(cells, row, strict=True):
                c.text = v
    buf = io.BytesIO()
    d.core_properties.created = d.core_properties.modified = dt.datetime(*_EPOCH)
    d.save(buf)
    return _fixed_zip(buf.getvalue())


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.properties.created = wb.properties.modified = dt.datetime(*_EPOCH)
    wb.save(buf)
    return _fixed_zip(buf.getvalue())


def _latin(s: str) -> str:
    return s.replace("\u2019", "'").replace("\u2013", "-").encode("latin-1", "replace").decode("latin-1")


def pdf(pages: list[list[str | tuple[str, str]]], title: str, footer: str = "", font: str = "Helvetica") -> bytes:
    """Pages of lines; a (label, value) tuple is a two-column header-block row."""
    from fpdf import FPDF

    p = FPDF(format="A4")
    p.set_creation_date(dt.datetime(*_EPOCH, tzinfo=dt.UTC))
    p.set_auto_page_break(False)
    p.set_title(title)
    total = len(pages)
    for i, lines in enumerate(pages, 1):
        p.add_page()
        p.set_font(font, size=10)
        y = 18.0
        for line in lines:
            if y > 275:
                break
            p.set_xy(18, y)
            if isinstance(line, tuple):
                p.set_font(font, style="B", size=10)
                p.cell(50, 5, _latin(line[0]))
                p.set_font(font, size=10)
                p.set_xy(70, y)
                p.cell(120, 5, _latin(line[1]))
                y += 5.5
            else:
                p.multi_cell(174, 5, _latin(line))
                y = p.get_y() + 1.5
        p.set_xy(18, 285)
        p.set_font(font, size=8)
        p.cell(174, 4, _latin(f"{footer}    Page {i} of {total}"), align="C")
    return bytes(p.output())


def ics(
    uid: str, summary: str, location: str, organizer: tuple[str, str], attendees: list[tuple[str, str]], start: str
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "METHOD:REQUEST",
        "PRODID:Microsoft Exchange Server 2016",
        "VERSION:2.0",
        "BEGIN:VEVENT",
        f"ORGANIZER;CN={organizer[0]}:mailto:{organizer[1]}",
    ]
    for name, addr in attendees:
        lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN={name}:mailto:{addr}")
    lines += [
        f"DESCRIPTION;LANGUAGE=en-GB:{summary}\\n\\nPlease let us know if you need any adjustments.",
        f"UID:{uid}",
        f"SUMMARY;LANGUAGE=en-GB:{summary}",
        f"DTSTART;TZID=GMT Standard Time:{start}",
        f"DTEND;TZID=GMT Standard Time:{start[:9]}{int(start[9:11]) + 1:02d}{start[11:]}",
        "CLASS:PUBLIC",
        "PRIORITY:5",
        "DTSTAMP:20260301T090000Z",
        "TRANSP:OPAQUE",
        "STATUS:CONFIRMED",
        "SEQUENCE:0",
        f"LOCATION;LANGUAGE=en-GB:{location}",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    out = []
    for line in lines:  # RFC 5545 folding at 75 octets
        while len(line) > 75:
            out.append(line[:75])
            line = " " + line[75:]
        out.append(line)
    return "\r\n".join(out)


def html_page(body: str) -> str:
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<style>p.MsoNormal{margin:0cm;font-size:11pt;font-family:Arial}</style></head>"
        f'<body lang="EN-GB"><div class="WordSection1">{body}</div></body></html>'
    )
