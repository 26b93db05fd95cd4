"""The red-team register and message builders: every message is made here, nothing opaque is
committed. One protected address, `14 Acacia Avenue, Bristol BS1 4AB` (row P1), is hidden in
many ways; the flagged recipient is ex.partner@gmail.com."""

from __future__ import annotations

import base64
import quopri
from collections.abc import Iterable
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, default

from corpora.builders import Attachment, add_body, zip_of

INTERNAL = "dept.example.gov.uk"
SENDER = f"caseworker@{INTERNAL}"
FLAGGED = "ex.partner@gmail.com"
ADDRESS = "14 Acacia Avenue, Bristol BS1 4AB"

REGISTER_CSV = f"""id,name,address,postcode,phone,flagged_recipients,email
P1,Ann Example,"14 Acacia Avenue, Bristol",BS1 4AB,0117 496 0123,{FLAGGED},ann.example@outlook.com
P2,Bea Example,"Flat 2, 30 Rowan Road, Leeds",LS6 2QT,,{FLAGGED};@partner-housing.org.uk,
P3,Cal Example,"66A Redcliffe Square, Bolton",BL2 9WE,,{FLAGGED},
P4,Dee Example,"11 Maple Court, Wakefield",WF2 4SZ,,{FLAGGED},
P5,Eve Example,"168 Ivy Walk, Bath",BA1 7GS,,{FLAGGED},
P6,Fay Example,"9 Linden Close, Derby",DE1 3AB,ex-directory,{FLAGGED},
P7,Gus Example,"187 Sycamore Park, York",YO1 5ZX,,{FLAGGED},
"""
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def message(
    text: str | None = "Please see below.",
    *,
    html: str | None = None,
    subject: str = "Update",
    to: str = FLAGGED,
    attachments: Iterable[Attachment] = (),
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = SENDER
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<redteam@{INTERNAL}>"
    return add_body(msg, text, html, attachments)


def eml(*args: object, **kwargs: object) -> bytes:
    return message(*args, **kwargs).as_bytes(policy=SMTP)  # type: ignore[arg-type]


def raw(ctype: str, cte: str, body: bytes, subject: str = "Update") -> bytes:
    """A single-part message written byte by byte (charsets the email package won't produce)."""
    head = (
        f"From: {SENDER}\r\nTo: {FLAGGED}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
    )
    return head.encode() + body


def multipart(parts: list[tuple[str, bytes]], boundary: str = "rt-b") -> bytes:
    """multipart/mixed from (headers, body) pairs written as given."""
    out = [
        f"From: {SENDER}\r\nTo: {FLAGGED}\r\nSubject: Update\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode()
    ]
    for headers, body in parts:
        out.append(f"--{boundary}\r\n{headers}\r\n\r\n".encode() + body + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def docx(body_xml: str, parts: dict[str, str] | None = None) -> bytes:
    """A DOCX from WordprocessingML fragments (runs, cells, deletions are easy to place)."""
    doc = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
        f"<w:body>{body_xml}</w:body></w:document>"
    )
    members: dict[str, bytes | str] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "word/document.xml": doc,
    }
    for name, inner in (parts or {}).items():
        tag = name.rsplit("/", 1)[-1].removesuffix(".xml").rstrip("0123456789")
        tag = {"header": "hdr", "footer": "ftr"}.get(tag, tag)
        members[name] = f'<?xml version="1.0"?><w:{tag} xmlns:w="{W_NS}">{inner}</w:{tag}>'
    return zip_of(members)


def w_p(*runs: str) -> str:
    return "<w:p>" + "".join(f'<w:r><w:t xml:space="preserve">{r}</w:t></w:r>' for r in runs) + "</w:p>"


def attached_message(inner: bytes) -> bytes:
    msg = message("Forwarded below.")
    msg.add_attachment(BytesParser(policy=default).parsebytes(inner))
    return msg.as_bytes(policy=SMTP)


def qp_all(text: str) -> bytes:
    return "".join(f"={b:02X}" for b in text.encode()).encode()


def homoglyphs(text: str) -> str:
    return text.translate(str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441"}))


def rfc2047_b(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def qp_latin1(text: str) -> bytes:
    return quopri.encodestring(text.encode("latin-1"), quotetabs=True)
