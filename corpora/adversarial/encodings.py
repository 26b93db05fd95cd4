"""Protected families in transfer encodings and charsets, written byte by byte where the email
package would not produce them."""

from __future__ import annotations

import quopri
from collections.abc import Callable

from corpora.builders import b64, zip_of

from .corpus import Corpus
from .mail import add_held, canonical, wrap
from .names import INTERNAL


def raw(c: Corpus, frm: str, rcpt: list[str], ctype: str, cte: str, body: bytes) -> bytes:
    """A message with the given MIME head and body, written as given."""
    head = (
        f"From: {frm}\r\nTo: {', '.join(rcpt)}\r\nSubject: Update\r\nMessage-ID: <enc{c.n}@{INTERNAL}>\r\n"
        f"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    )
    return (head + f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n").encode() + body


def octet_attachment(filename_params: str, payload: bytes) -> tuple[str, bytes]:
    """(Content-Type, body) of a multipart/mixed: a note, then `payload` as a base64
    application/octet-stream whose Content-Disposition carries `filename_params`."""
    boundary = "b1"
    body = (
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--{boundary}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; {filename_params}\r\n\r\n"
    ).encode()
    return f'multipart/mixed; boundary="{boundary}"', body + b64(payload) + f"--{boundary}--\r\n".encode()


# (family, how a text becomes (Content-Type, Content-Transfer-Encoding, body))
SINGLE_PART: list[tuple[str, Callable[[str], tuple[str, str, bytes]]]] = [
    ("utf16_base64", lambda t: ('text/plain; charset="utf-16"', "base64", b64(t.encode("utf-16")))),
    (
        "utf16le_base64",
        lambda t: ('text/plain; charset="utf-16le"', "base64", b64(t.encode("utf-16-le"))),
    ),
    (
        "latin1_qp",
        lambda t: (
            'text/plain; charset="iso-8859-1"',
            "quoted-printable",
            quopri.encodestring(("Caf\u00e9 note: " + t).encode("latin-1"), quotetabs=True),
        ),
    ),
    (
        "qp_every_char",
        lambda t: (
            'text/plain; charset="us-ascii"',
            "quoted-printable",
            "".join(f"={b:02X}" if i % 3 else chr(b) for i, b in enumerate(t.encode())).encode(),
        ),
    ),
    ("utf7", lambda t: ('text/plain; charset="utf-7"', "7bit", t.encode("utf-7"))),
    (
        "cp1252_8bit",
        lambda t: (
            'text/plain; charset="windows-1252"',
            "8bit",
            ("\u201c" + t + "\u201d").encode("cp1252"),
        ),
    ),
    ("ebcdic_cp500", lambda t: ('text/plain; charset="cp500"', "base64", b64(t.encode("cp500")))),
    (
        "html_utf16_base64",
        lambda t: (
            'text/html; charset="utf-16"',
            "base64",
            b64(f"<html><body><p>{t}</p></body></html>".encode("utf-16")),
        ),
    ),
    ("no_charset_utf8_8bit", lambda t: ("text/plain", "8bit", ("\u2013 " + t).encode())),
]
# (family, RFC 2231 filename parameters, how the text becomes the attachment)
ATTACHED: list[tuple[str, str, Callable[[str], bytes]]] = [
    ("rfc2231_utf16_attachment", "filename*=utf-8''R%C3%A9sum%C3%A9%20adresse.txt", lambda t: t.encode("utf-16")),
    ("rfc2231_continuation_zip", 'filename*0="case-"; filename*1="bundle.zip"', lambda t: zip_of({"addr.txt": t})),
]


def encodings(c: Corpus) -> None:
    """The canonical address in every charset and transfer encoding a client might send."""
    for name, fn in SINGLE_PART:
        row = c.new_row()
        frm, rcpt = c.sender(), [row.flagged[0]]
        ctype, cte, body = fn(wrap(c, canonical(row)))
        add_held(c, raw(c, frm, rcpt, ctype, cte, body), frm, rcpt, f"protected/enc_{name}/canonical", row)
    for name, filename_params, pack in ATTACHED:
        row = c.new_row()
        frm, rcpt = c.sender(), [row.flagged[0]]
        ctype, body = octet_attachment(filename_params, pack(wrap(c, canonical(row))))
        add_held(c, raw(c, frm, rcpt, ctype, "7bit", body), frm, rcpt, f"protected/enc_{name}/canonical", row)
    # base64 body with no MIME-Version and uppercase encoding name
    row = c.new_row()
    frm, rcpt = c.sender(), [row.flagged[0]]
    data = (
        f"From: {frm}\r\nTo: {rcpt[0]}\r\nSubject: x\r\nContent-Type: TEXT/PLAIN; CHARSET=UTF-8\r\n"
        "Content-Transfer-Encoding: BASE64\r\n\r\n"
    ).encode() + b64(wrap(c, canonical(row)).encode())
    add_held(c, data, frm, rcpt, "protected/enc_upper_base64_no_mime_version/canonical", row)
