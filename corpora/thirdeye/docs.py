"""Attachment builders, all deterministic (pinned zip timestamps and document dates)."""
# ruff: noqa: E501 -- XML templates and data tables read better unwrapped

from __future__ import annotations

import datetime as dt
import io
import random
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from corpora import builders

FIXED = (2026, 11, 2, 9, 30, 0)
FIXED_DT = dt.datetime(*FIXED)
_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def make_zip(members: list[tuple[str, bytes]]) -> bytes:
    """A zip; names may contain folders (`2026/Referrals/letter.docx`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(builders.pinned_info(name, FIXED_DT), data)
    return out.getvalue()


# --- password-protected zip (traditional PKWARE "ZipCrypto", what Windows and 7-Zip default to) ----
def _crc_byte(crc: int, b: int) -> int:
    return zlib.crc32(bytes([b]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF


class _Keys:
    def __init__(self, password: bytes) -> None:
        self.k = [0x12345678, 0x23456789, 0x34567890]
        for b in password:
            self.update(b)

    def update(self, b: int) -> None:
        k0, k1, k2 = self.k
        k0 = _crc_byte(k0, b)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = _crc_byte(k2, k1 >> 24)
        self.k = [k0, k1, k2]

    def stream(self) -> int:
        t = (self.k[2] | 2) & 0xFFFF
        return ((t * (t ^ 1)) >> 8) & 0xFF

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for b in data:
            out.append(b ^ self.stream())
            self.update(b)
        return bytes(out)


def encrypted_zip(members: list[tuple[str, bytes]], password: str, rng: random.Random) -> bytes:
    out = io.BytesIO()
    central = io.BytesIO()
    dos_time = (FIXED[3] << 11) | (FIXED[4] << 5) | (FIXED[5] // 2)
    dos_date = ((FIXED[0] - 1980) << 9) | (FIXED[1] << 5) | FIXED[2]
    for name, data in members:
        crc = zlib.crc32(data)
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = comp.compress(data) + comp.flush()
        keys = _Keys(password.encode())
        header = bytes(rng.randrange(256) for _ in range(11)) + bytes([crc >> 24])
        enc = keys.encrypt(header + body)
        fname = name.encode()
        offset = out.tell()
        fields = (20, 1, 8, dos_time, dos_date, crc, len(enc), len(data), len(fname), 0)
        out.write(struct.pack("<4s5HIIIHH", b"PK\x03\x04", *fields) + fname + enc)
        central.write(struct.pack("<4s6HIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0o644 << 16, offset) + fname)
    cd = central.getvalue()
    start = out.tell()
    out.write(cd)
    out.write(struct.pack("<4s4HIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(cd), start, 0))
    return out.getvalue()


# --- OOXML via python-docx / openpyxl; PPTX and ODF by hand ----------------------------------------
def docx(paras: list[str], *, table: list[list[str]] | None = None, header: str | None = None) -> bytes:
    def build(d: Any) -> None:  # a python-docx Document
        d.core_properties.created = FIXED_DT
        d.core_properties.modified = FIXED_DT
        d.core_properties.author = "Housing Options"
        if header:
            d.sections[0].header.paragraphs[0].text = header
        for p in paras:
            par = d.add_paragraph()
            for k, line in enumerate(p.split("\n")):
                if k:
                    par.add_run().add_break()
                par.add_run(line)
        if table:
            t = d.add_table(rows=len(table), cols=len(table[0]))
            for i, row in enumerate(table):
                for j, cell in enumerate(row):
                    t.cell(i, j).text = cell

    return builders.pin_zip(builders.docx_bytes(build), FIXED_DT)


def xlsx(rows: list[list[object]], title: str = "Cases") -> bytes:
    book = builders.xlsx({title: rows}, when=FIXED_DT, creator="Housing Options")
    return builders.pin_zip(book, FIXED_DT)


def pdf(paras: list[str], *, password: str | None = None) -> bytes:
    from fpdf import FPDF

    p = FPDF()
    p.set_creation_date(FIXED_DT.replace(tzinfo=dt.UTC))
    p.set_producer("thirdeye")
    if password:
        p.set_encryption(owner_password="owner-" + password, user_password=password)
    p.add_page()
    if _FONT.exists():
        p.add_font("DejaVu", fname=str(_FONT))
        p.set_font("DejaVu", size=11)
    else:  # pragma: no cover - a machine without DejaVu: core font, Latin-1 only
        from .render import unaccent

        paras = [unaccent(x) for x in paras]
        p.set_font("Helvetica", size=11)
    for para in paras:
        p.multi_cell(0, 6, para)
        p.ln(3)
    return bytes(p.output())


_PPT_NS = (
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
)


def pptx(slides: list[list[str]]) -> bytes:
    """Each slide a list of paragraphs; a paragraph's words are split over several runs, as
    PowerPoint does after an edit."""
    members = [
        (
            "[Content_Types].xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>'
                + "".join(
                    f'<Override PartName="/ppt/slides/slide{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>'
                    for i in range(len(slides))
                )
                + "</Types>"
            ).encode(),
        )
    ]
    members.append(
        (
            "_rels/.rels",
            (
                b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="ppt/presentation.xml"/>'
                b"</Relationships>"
            ),
        )
    )
    ids = "".join(f'<p:sldId id="{256 + i}" r:id="rId{i + 1}"/>' for i in range(len(slides)))
    members.append(
        (
            "ppt/presentation.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><p:presentation {_PPT_NS}><p:sldIdLst>{ids}</p:sldIdLst></p:presentation>'.encode(),
        )
    )
    members.append(
        (
            "ppt/_rels/presentation.xml.rels",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(
                    f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide{i + 1}.xml"/>'
                    for i in range(len(slides))
                )
                + "</Relationships>"
            ).encode(),
        )
    )
    for i, paras in enumerate(slides):
        body = ""
        for para in paras:
            runs = "".join(
                f'<a:r><a:rPr lang="en-GB"/><a:t xml:space="preserve">{escape(w)}</a:t></a:r>'
                for w in _split_runs(para)
            )
            body += f"<a:p>{runs}</a:p>"
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><p:sld {_PPT_NS}><p:cSld><p:spTree><p:sp><p:txBody>'
            f"<a:bodyPr/>{body}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
        members.append((f"ppt/slides/slide{i + 1}.xml", xml.encode()))
    return make_zip(members)


def _split_runs(text: str) -> list[str]:
    words = text.split(" ")
    out, cur = [], ""
    for k, w in enumerate(words):
        cur += ("" if not cur else " ") + w
        if k % 3 == 2:
            out.append(cur + " ")
            cur = ""
    return out + ([cur] if cur else [])


_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.3"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="{mt}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def _odf_par(text: str) -> str:
    """A paragraph the way LibreOffice writes it: runs of spaces as text:s, line breaks as
    text:line-break, and a styled span in the middle."""
    out = []
    for k, line in enumerate(text.split("\n")):
        if k:
            out.append("<text:line-break/>")
        words = line.split(" ")
        for j, w in enumerate(words):
            if j:
                out.append(" " if j % 4 else '<text:s text:c="1"/>')
            out.append(f'<text:span text:style-name="T1">{escape(w)}</text:span>' if j == 1 else escape(w))
    return "<text:p>" + "".join(out) + "</text:p>"


def odt(paras: list[str], table: list[list[str]] | None = None) -> bytes:
    mt = "application/vnd.oasis.opendocument.text"
    body = "".join(_odf_par(p) for p in paras)
    if table:
        body += (
            "<table:table>"
            + "".join(
                "<table:table-row>"
                + "".join(f"<table:table-cell>{_odf_par(c)}</table:table-cell>" for c in row)
                + "</table:table-row>"
                for row in table
            )
            + "</table:table>"
        )
    content = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS}><office:body><office:text>{body}</office:text></office:body></office:document-content>'
    return make_zip(
        [
            ("mimetype", mt.encode()),
            ("META-INF/manifest.xml", _MANIFEST.format(mt=mt).encode()),
            ("content.xml", content.encode()),
        ]
    )


def ods(rows: list[list[object]]) -> bytes:
    mt = "application/vnd.oasis.opendocument.spreadsheet"

    def cell(v: object) -> str:
        if isinstance(v, int):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>" for r in rows)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS}><office:body><office:spreadsheet>'
        f'<table:table table:name="Sheet1">{body}</table:table></office:spreadsheet></office:body></office:document-content>'
    )
    return make_zip(
        [
            ("mimetype", mt.encode()),
            ("META-INF/manifest.xml", _MANIFEST.format(mt=mt).encode()),
            ("content.xml", content.encode()),
        ]
    )


def rtf(paras: list[str]) -> bytes:
    def enc(s: str) -> str:
        out = []
        for ch in s:
            if ch in "\\{}":
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\line ")
            elif ord(ch) > 127:
                out.append(f"\\u{ord(ch)}?" if ord(ch) > 255 else f"\\'{ord(ch):02x}")
            else:
                out.append(ch)
        return "".join(out)

    body = "".join(f"{{\\pard\\f0\\fs22 {enc(p)}\\par}}\n" for p in paras)
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}\n" + body + "}").encode("ascii")
