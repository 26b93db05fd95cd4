"""Where a reader sees the text: every surface of a message that the detection issues name. Each
carrier takes the text (one address, maybe over several lines) and the envelope parts and returns
an EmailMessage; the text sits only on that surface (the body is neutral), so a hold proves the
surface was read."""

from __future__ import annotations

import datetime as dt
import io
import quopri
import random
import urllib.parse
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from ..builders import docx_bytes, pin_zip, xlsx, zip_of

WHEN = dt.datetime(2026, 11, 20, 10, 0, 0)
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
NEUTRAL = (
    "Hello,\n\nPlease see the attached, as discussed on the phone this morning.\n\nKind regards\nHousing Options\n"
)

Carrier = Callable[["Envelope", str, random.Random], EmailMessage]


class Envelope:
    def __init__(self, sender: str, to: list[str], cc: list[str] | None = None, subject: str = "Case update") -> None:
        self.sender, self.to, self.cc, self.subject = sender, to, cc or [], subject


def base(env: Envelope, body: str | None = NEUTRAL, subject: str | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"] = formataddr(("Housing Options", env.sender))
    m["To"] = ", ".join(env.to)
    if env.cc:
        m["Cc"] = ", ".join(env.cc)
    m["Subject"] = subject or env.subject
    m["Date"] = "Fri, 20 Nov 2026 10:00:00 +0000"
    m["Message-ID"] = f"<{abs(hash((env.to[0], subject))) % 10**12}@fifth.example>"
    if body is not None:
        m.set_content(body)
    return m


def one_line(text: str) -> str:
    return ", ".join(p.strip() for p in text.replace(";", ",").splitlines() if p.strip())


# --- message surfaces ------------------------------------------------------------------------------
def c_body(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    lead = rng.choice(["Her new address is:", "Correspondence should now go to", "Address for the file:"])
    return base(env, f"Hello,\n\n{lead}\n{text}\n\nThanks\n")


def c_html(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    m = base(env, "See the HTML version of this message.\n")
    cells = "".join(f"<td>{p}</td>" for p in text.splitlines())
    m.add_alternative(
        f"<html><body><p>Current address:</p><table><tr>{cells}</tr></table></body></html>", subtype="html"
    )
    return m


def c_subject(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    return base(env, subject=f"Re: {one_line(text)}")


def c_display_name(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    m = base(env)
    del m["To"]
    m["To"] = ", ".join([formataddr((f"Tenant at {one_line(text)}", env.to[0])), *env.to[1:]])
    return m


def _attach(m: EmailMessage, data: bytes, ctype: str, filename: str) -> EmailMessage:
    main, _, sub = ctype.partition("/")
    m.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return m


def neutral_pdf() -> bytes:
    """A readable PDF with nothing in it but a heading: the file name is the surface under test."""
    pdf = _pdf()
    pdf.text(20, 30, "Tenancy agreement (scanned copy to follow)")
    return bytes(pdf.output())


def c_filename(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    """The file name carries the address: plain, RFC 2231 (email writes filename*= for non-ASCII
    or long names) or an RFC 2047 encoded word in name=/filename=."""
    name = f"Tenancy - {one_line(text)}.pdf"
    m = base(env)
    style = rng.randrange(3)
    if style == 0:
        return _attach(m, neutral_pdf(), "application/pdf", name)
    if style == 1:
        m.add_attachment(
            neutral_pdf(),
            maintype="application",
            subtype="pdf",
            filename=("utf-8", "en", "Tenancy \u2013 " + one_line(text) + ".pdf"),
        )
        return m
    from email.header import Header

    encoded = " ".join(Header(name, "utf-8").encode().split())
    m.add_attachment(neutral_pdf(), maintype="application", subtype="pdf")
    part = m.get_payload()[-1]
    del part["Content-Disposition"]
    part["Content-Disposition"] = f'attachment; filename="{encoded}"'
    part.set_param("name", encoded)
    return m


def c_zip_member(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    folder = one_line(text).replace("/", "-")
    data = zip_of({f"Case 4471/{folder}/notes.txt": "Visit notes to follow.\n", "Case 4471/index.txt": "index\n"})
    return _attach(base(env), data, "application/zip", "case-4471.zip")


# --- documents ---------------------------------------------------------------------------------------
def _pdf() -> object:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(WHEN)
    pdf.add_page()
    if FONT.exists():
        pdf.add_font("dejavu", fname=str(FONT))
        pdf.set_font("dejavu", size=11)
    else:
        pdf.set_font("helvetica", size=11)
    return pdf


def c_pdf_shuffled(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    """Lines placed top to bottom but written to the content stream in another order."""
    pdf = _pdf()
    rows = ["Notice of visit", *text.splitlines(), "Dear tenant, we will visit on Tuesday."]
    order = list(enumerate(rows))
    rng.shuffle(order)
    for i, line in order:
        pdf.text(20, 30 + 8 * i, line)
    return _attach(base(env), bytes(pdf.output()), "application/pdf", "notice.pdf")


def c_pdf_two_column(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    """A letter: the address block on the left, the council's letterhead on the right at the same
    heights, so stream-order extraction interleaves the two."""
    pdf = _pdf()
    head = ["Westmere City Council", "PO Box 249", "Civic Centre, 86 Causewayside", "Westmere WM1 1AA"]
    block = text.splitlines() if "\n" in text else [p.strip() for p in text.split(",")]
    for i in range(max(len(head), len(block))):
        if i < len(block):
            pdf.text(20, 30 + 6 * i, block[i])
        if i < len(head):
            pdf.text(120, 30 + 6 * i, head[i])
    pdf.text(20, 80, "Dear tenant,")
    pdf.text(20, 88, "Your housing application has been received.")
    return _attach(base(env), bytes(pdf.output()), "application/pdf", "letter.pdf")


def c_pdf_metadata(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    """The address in the Info dictionary (title or keywords) or only in the XMP packet."""
    from xml.sax.saxutils import escape

    pdf = _pdf()
    where = rng.randrange(3)
    if where == 0:
        pdf.set_title(f"Inspection - {one_line(text)}")
    elif where == 1:
        pdf.set_keywords(f"inspection; {one_line(text)}")
    else:
        pdf.set_xmp_metadata(
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt>'
            f'<rdf:li xml:lang="x-default">{escape(one_line(text))}</rdf:li></rdf:Alt></dc:title></rdf:Description>'
            "</rdf:RDF></x:xmpmeta>"
        )
    pdf.set_subject("Property inspection")
    pdf.text(20, 30, "Inspection report: see the title.")
    return _attach(base(env), bytes(pdf.output()), "application/pdf", "inspection.pdf")


def c_docx_runs(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    """The address split over runs of one paragraph (as Word saves after edits)."""
    line = one_line(text)
    cuts = sorted(rng.sample(range(1, len(line)), min(4, len(line) - 1)))

    def build(doc: object) -> None:
        doc.add_paragraph("Tenancy file note")  # type: ignore[attr-defined]
        p = doc.add_paragraph()  # type: ignore[attr-defined]
        for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True):
            run = p.add_run(line[a:b])
            run.bold = rng.random() < 0.3

    return _attach(base(env), pin_zip(docx_bytes(build), WHEN), DOCX, "file-note.docx")


def c_docx_metadata(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    def build(doc: object) -> None:
        doc.add_paragraph("File note: see properties.")  # type: ignore[attr-defined]
        props = doc.core_properties  # type: ignore[attr-defined]
        field = rng.choice(["title", "subject", "keywords", "comments"])
        setattr(props, field, one_line(text))

    return _attach(base(env), pin_zip(docx_bytes(build), WHEN), DOCX, "note.docx")


def c_xlsx_metadata(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx({"Visits": [["Date", "Officer"], ["20/11/2026", "JS"]]}, when=WHEN)))
    setattr(book.properties, rng.choice(["title", "subject", "keywords", "description"]), one_line(text))
    buf = io.BytesIO()
    book.save(buf)
    return _attach(base(env), pin_zip(buf.getvalue(), WHEN), XLSX, "visits.xlsx")


def c_odt_metadata(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    from xml.sax.saxutils import escape

    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        "<office:body><office:text><text:p>See the document title.</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ns} office:version="1.2"><office:meta>'
        f"<dc:title>{escape(one_line(text))}</dc:title><meta:keyword>tenancy</meta:keyword>"
        "</office:meta></office:document-meta>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    data = zip_of({"mimetype": ODT, "content.xml": content, "meta.xml": meta, "META-INF/manifest.xml": manifest})
    return _attach(base(env), data, ODT, "note.odt")


# --- contact cards, maps, calendars ----------------------------------------------------------------
def _vcard_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def adr_fields(parts: list[str]) -> list[str]:
    """ADR's seven fields (PO box, extended, street, locality, region, code, country) as a person
    would fill them; parts in another order all go into the street field."""
    if len(parts) >= 3 and any(ch.isdigit() for ch in parts[-1]) and len(parts[-1].replace(" ", "")) <= 8:
        *lines, town, code = parts
        return ["", ", ".join(lines[:-1]), lines[-1], town, "", code, "United Kingdom"]
    return ["", "", ", ".join(parts), "", "", "", ""]


def c_vcard(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    """vCard 3.0 with ADR and an escaped LABEL, or vCard 2.1 with a quoted-printable LABEL; several
    cards in one file."""
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",") if p.strip()]
    other = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Duty Desk\r\nTEL:0300 555 0000\r\nEND:VCARD\r\n"
    if rng.random() < 0.5:
        label = _vcard_escape("\n".join(parts))
        adr = ";".join(_vcard_escape(f) for f in adr_fields(parts))
        card = (
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Client\r\nADR;TYPE=home:{adr}\r\n"
            f"LABEL;TYPE=home:{label}\r\nEND:VCARD\r\n"
        )
    else:
        qp = "=0D=0A".join(quopri.encodestring(p.encode()).decode().rstrip("\n") for p in parts)
        card = (
            f"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Client;;;;\r\n"
            f"LABEL;HOME;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:{qp}\r\nEND:VCARD\r\n"
        )
    data = (other + card) if rng.random() < 0.5 else card
    return _attach(base(env), data.encode(), rng.choice(["text/vcard", "text/x-vcard"]), "contact.vcf")


def c_map_link(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    q = one_line(text)
    plus = urllib.parse.quote_plus(q)
    url = rng.choice(
        [
            f"https://www.google.com/maps/search/?api=1&query={plus}",
            f"https://www.google.co.uk/maps/place/{urllib.parse.quote(q)}",
            f"https://www.bing.com/maps?q={plus}",
            f"https://maps.apple.com/?address={urllib.parse.quote(q)}",
            f"https://www.openstreetmap.org/search?query={plus}",
        ]
    )
    if rng.random() < 0.5:
        url = (
            "https://eur02.safelinks.protection.outlook.com/?url="
            + urllib.parse.quote(url, safe="")
            + "&data=05%7C01%7C%7Cabc%7C0&reserved=0"
        )
    return base(env, f"Hello,\n\nDirections for the visit: {url}\n\nThanks\n")


def _ics(location_lines: list[str]) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Apple Inc.//macOS 15//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        "UID:fifth-visit@fifth.example",
        "DTSTAMP:20261120T100000Z",
        "DTSTART:20261124T100000Z",
        "SUMMARY:Home visit",
        *location_lines,
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def c_calendar_location(env: Envelope, text: str, rng: random.Random) -> EmailMessage:
    """X-APPLE-STRUCTURED-LOCATION's X-ADDRESS, or LOCATION's ALTREP, carries the address; the
    LOCATION text itself is only a label."""
    q = one_line(text)
    if rng.random() < 0.5:
        addr = q.replace('"', "'")
        loc = [
            "LOCATION:Home visit",
            f'X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS="{addr}";X-TITLE=Home visit:geo:53.80,-1.55',
        ]
    else:
        loc = [f'LOCATION;ALTREP="https://maps.google.com/?q={urllib.parse.quote_plus(q)}":Home visit']
    m = base(env, "Visit booked, see the invitation.\n")
    m.add_attachment(_ics(loc), maintype="text", subtype="calendar", filename="visit.ics")
    return m


CARRIERS: dict[str, Carrier] = {
    "body": c_body,
    "html": c_html,
    "subject": c_subject,
    "display_name": c_display_name,
    "filename": c_filename,
    "zip_member": c_zip_member,
    "pdf_shuffled": c_pdf_shuffled,
    "pdf_two_column": c_pdf_two_column,
    "pdf_metadata": c_pdf_metadata,
    "docx_runs": c_docx_runs,
    "docx_metadata": c_docx_metadata,
    "xlsx_metadata": c_xlsx_metadata,
    "odt_metadata": c_odt_metadata,
    "vcard": c_vcard,
    "map_link": c_map_link,
    "calendar_location": c_calendar_location,
}
