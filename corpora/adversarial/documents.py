"""Attachments built in code (Office, ODF, PDF, RTF, vCard, iCalendar), so nothing opaque is committed."""

from __future__ import annotations

import io
import zipfile

from corpora.builders import zip_of

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_para(doc: object, xml: str) -> None:
    """Append a raw WordprocessingML paragraph (text boxes, tracked changes)."""
    from docx.oxml import parse_xml

    W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    fragment = xml.replace(
        "<w:p>",
        f"<w:p {W} "
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml">',
        1,
    )
    doc.element.body.append(parse_xml(fragment))  # type: ignore[attr-defined]


def pdf_bytes(text: str) -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.set_font("helvetica", size=11)
    doc.add_page()
    doc.multi_cell(0, 7, text)
    return bytes(doc.output())


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)


def odt_bytes(lines: list[str]) -> bytes:
    body = "".join(f"<text:p>{esc(x)}</text:p>" for x in lines)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS} office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
    return buf.getvalue()


def pptx_bytes(lines: list[str]) -> bytes:
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    paras = "".join(f"<a:p><a:r><a:t>{esc(x)}</a:t></a:r></a:p>" for x in lines)
    ctypes = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/ppt/presentation.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>'
    )
    return zip_of(
        {
            "[Content_Types].xml": ctypes,
            "ppt/presentation.xml": f'<p:presentation xmlns:p="{p}"/>',
            "ppt/slides/slide1.xml": f'<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"{paras}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>",
        }
    )


def rtf_bytes(lines: list[str]) -> bytes:
    body = "\\par\n".join(x.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}") for x in lines)
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs24 " + body + "\\par\n}").encode()


def vcard(text: str) -> bytes:
    # ADR: PO box; extended; street; locality; region; postcode; country
    parts = [p.strip() for p in text.split(",")]
    street, town, pc = parts[-3], parts[-2], parts[-1]
    adr = f"ADR;TYPE=home:;;{street};{town};;{pc};UK"
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Client\r\n{adr}\r\nEND:VCARD\r\n".encode()


def invite(frm: str, attendees: list[str], fold: bool = False) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:inv@x",
        "DTSTART:20261201T100000Z",
        "SUMMARY:Consultation",
        f"ORGANIZER:mailto:{frm}",
    ]
    for a in attendees:
        line = f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE;CN={a.split('@')[0]}:mailto:{a}"
        if fold:
            cut = line.index("@") - 2
            line = line[:cut] + "\r\n " + line[cut:]
        lines.append(line)
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()
