"""Word, Excel, PDF, calendar invites and HTML pages, with pinned timestamps so a seed always
gives the same bytes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from corpora.builders import docx_bytes, pin_zip
from corpora.builders import xlsx as workbook

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


EPOCH = dt.datetime(2026, 3, 1, 9, 0, 0)  # every document's creation time


def _pinned(package: bytes) -> bytes:
    """An OOXML package stamped EPOCH throughout; its members carry no permission bits."""
    return pin_zip(package, EPOCH, mode=0)


def docx_letter(
    blocks: list[list[str] | str], header: str | None = None, table: list[list[str]] | None = None
) -> bytes:
    """A Word letter: each list is an address block (one paragraph a line), each str a paragraph."""
    from docx.shared import Pt

    def build(d: Any) -> None:  # a python-docx Document
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
        d.core_properties.created = d.core_properties.modified = EPOCH

    return _pinned(docx_bytes(build))


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    """A workbook, each sheet's header row frozen."""
    return _pinned(workbook(sheets, freeze="A2", when=EPOCH))


def _latin(s: str) -> str:
    return s.replace("\u2019", "'").replace("\u2013", "-").encode("latin-1", "replace").decode("latin-1")


def pdf(pages: list[list[str | tuple[str, str]]], title: str, footer: str = "", font: str = "Helvetica") -> bytes:
    """Pages of lines; a (label, value) tuple is a two-column header-block row."""
    from fpdf import FPDF

    p = FPDF(format="A4")
    p.set_creation_date(EPOCH.replace(tzinfo=dt.UTC))
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
