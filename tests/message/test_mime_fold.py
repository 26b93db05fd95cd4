"""`mime.parse` folds long base64 runs out of a message before `email` parses it: the parsed
tree must be exactly the one the plain parser builds, wherever such a run sits."""

from __future__ import annotations

import base64
import os
from email import policy
from email.message import Message
from email.parser import BytesParser

import pytest

from mailguard.message import extract_content
from mailguard.message.extract.mime import parse

PLAIN = BytesParser(policy=policy.default)


def _run(lines: int = 80, eol: bytes = b"\r\n") -> bytes:
    return base64.encodebytes(os.urandom(57 * lines)).replace(b"\n", eol)


def _shape(msg: Message) -> list[tuple[object, ...]]:
    return [
        (p.get_content_type(), p._payload if isinstance(p._payload, str) else None, p.preamble, p.epilogue,
         [type(d).__name__ for d in p.defects], list(p.raw_items()))
        for p in msg.walk()
    ]


RUN = _run()
HEAD = b"From: a@x.org\r\nTo: b@y.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
MIXED = HEAD + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
CASES = {
    "attachment": MIXED + b"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + RUN + b"--b--\r\n",
    "bare LF": (MIXED + b"--b\r\nContent-Transfer-Encoding: base64\r\n\r\n" + RUN + b"--b--\r\n").replace(
        b"\r\n", b"\n"),
    "last line short": MIXED + b"--b\r\nContent-Transfer-Encoding: base64\r\n\r\n" + _run(70) + b"QQ==\r\n--b--\r\n",
    "no blank line after headers": HEAD + b"Content-Transfer-Encoding: base64\r\n" + RUN,
    "preamble and epilogue": MIXED + RUN + b"--b\r\n\r\nx\r\n--b--\r\n" + RUN,
    "plain text body": HEAD + b"Content-Type: text/plain\r\n\r\n" + RUN + b"the end\r\n",
    "attached message": MIXED + b"--b\r\nContent-Type: message/rfc822\r\n\r\n" + HEAD
    + b"Content-Transfer-Encoding: base64\r\n\r\n" + RUN + b"--b--\r\n",
    "delivery status": MIXED + b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n"
    + RUN + b"\r\nFinal-Recipient: rfc822; a@b.c\r\n" + RUN + b"--b--\r\n",
    "unterminated multipart": MIXED + b"--b\r\nContent-Transfer-Encoding: base64\r\n\r\n" + RUN,
    "two runs in one part": HEAD + b"\r\n" + RUN + b"-- not base64 --\r\n" + RUN,
    "looks like a placeholder": HEAD + b"\r\n\x00mailguard-0000000000000000.0\x00\r\n" + RUN,
}


@pytest.mark.parametrize("name", CASES)
def test_folded_parse_is_the_plain_parse(name: str) -> None:
    raw = CASES[name]
    folded, plain = parse(raw), PLAIN.parsebytes(raw)
    assert _shape(folded) == _shape(plain)
    assert folded.as_bytes() == plain.as_bytes()


def test_folded_attachment_reads_whole() -> None:
    data = os.urandom(300_000)
    raw = MIXED + (
        b'--b\r\nContent-Type: application/octet-stream; name="x.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.encodebytes(data).replace(b"\n", b"\r\n") + b"--b--\r\n"
    )
    assert parse(raw).get_payload()[0].get_payload(decode=True) == data
    attachments = extract_content(raw).attachments
    assert [(a.filename, a.size) for a in attachments] == [("x.bin", len(data))]
