"""Message and document builders shared by the corpus generators and the tests (which import
`corpora.builders`), so all make fixtures the same way.

Only what has more than one user lives here; a builder one suite needs stays with that suite. The
generators are deterministic, so there are helpers to pin what libraries stamp with the time (zip
member times, OOXML core properties) and what email draws at random (MIME boundaries).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from email.message import EmailMessage

Attachment = tuple[str, bytes, str]  # (filename, data, content type)


def add_body(
    msg: EmailMessage,
    text: str | None,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
) -> EmailMessage:
    """Give `msg` a text body, an HTML body (the alternative to the text, or the only body) and
    attachments; returns `msg`."""
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, data, ctype in attachments:
        main, _, sub = ctype.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg


def b64(data: bytes) -> bytes:
    """Base64 in 76-column lines ending CRLF, as a transfer encoding on the wire."""
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def pin_boundaries(msg: EmailMessage, boundary: Callable[[int], str]) -> EmailMessage:
    """Give the k-th multipart part (walk order) the boundary `boundary(k)`: email draws them from
    the global random generator, so without this no two runs give the same bytes."""
    for k, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(boundary(k))
    return msg


def pinned_info(name: str, when: dt.datetime, mode: int = 0o644) -> zipfile.ZipInfo:
    """A deflated zip member stamped `when` (an ODF `mimetype` member is stored, as ODF requires)."""
    info = zipfile.ZipInfo(name, when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
    info.external_attr = mode << 16
    return info


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def pin_zip(data: bytes, when: dt.datetime, *, mode: int = 0o644) -> bytes:
    """The same zip (an OOXML package) with every member stamped `when`, and its core properties'
    created/modified too: python-docx and openpyxl stamp the save time."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = src.read(info)
            if info.filename == "docProps/core.xml":
                member = _STAMP.sub(rb"\g<1>" + stamp + rb"\g<2>", member)
            dst.writestr(pinned_info(info.filename, when, mode), member)
    return out.getvalue()


def zip_of(members: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def xlsx(
    sheets: Mapping[str, Sequence[Sequence[object]]],
    hidden: tuple[str, ...] = (),
    *,
    freeze: str | None = None,
    when: dt.datetime | None = None,
    creator: str | None = None,
) -> bytes:
    """A workbook with one sheet per entry (rows as given); sheets named in `hidden` are hidden,
    `freeze` is every sheet's frozen-pane cell. With `when` it is created and modified then
    (pin_zip the result too, for the same bytes on every run)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
        if freeze:
            sheet.freeze_panes = freeze
    if when is not None:
        book.properties.created = book.properties.modified = when
    if creator is not None:
        book.properties.creator = creator
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def docx_bytes(build: Callable[[object], None]) -> bytes:
    """A Word document: `build(doc)` fills a new python-docx Document."""
    from docx import Document

    doc = Document()
    build(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
