"""Message and document builders shared by the tests and by bench/redteam (which puts tests/ on
sys.path, as the other bench scripts do for `support`), so both make fixtures the same way.

Only what has more than one user lives here; a builder one suite needs stays with that suite.
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
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


def zip_of(members: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def xlsx(sheets: Mapping[str, Sequence[Sequence[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    """A workbook with one sheet per entry (rows as given); sheets named in `hidden` are hidden."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
