"""winmail.dat (TNEF), read by our own parser."""

from __future__ import annotations

import struct

from mailguard.message import extract_content

from .builders import docx, message, w_p


def _attr(level: int, attr: int, data: bytes) -> bytes:
    return struct.pack("<BII", level, attr, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def tnef(subject: str, body: str, files: list[tuple[str, bytes]]) -> bytes:
    out = struct.pack("<IH", 0x223E9F78, 1)
    out += _attr(1, 0x00018004, subject.encode() + b"\0") + _attr(1, 0x0002800C, body.encode())
    for name, data in files:
        out += _attr(2, 0x00069002, b"\0" * 14) + _attr(2, 0x00018010, name.encode() + b"\0")
        out += _attr(2, 0x0006800F, data)
    return out


def test_winmail_dat_body_and_attachments() -> None:
    dat = tnef("Case", "Body 3 Tnef Road", [("notes.docx", docx(w_p("4 Inner Docx Lane")))])
    c = extract_content(message("x", attachments=[("winmail.dat", dat, "application/ms-tnef")]))
    texts = {(s.where, s.text) for s in c.segments}
    assert ('attachment "winmail.dat" › body', "Body 3 Tnef Road") in texts
    assert ('attachment "winmail.dat" › attachment "notes.docx" › paragraph 1', "4 Inner Docx Lane") in texts
    assert [a.filename for a in c.attachments] == ["winmail.dat", "notes.docx"]
    assert c.unscanned == []


def test_truncated_tnef_is_not_a_crash() -> None:
    dat = tnef("Case", "Body", [("a.txt", b"x" * 100)])
    c = extract_content(message("x", attachments=[("winmail.dat", dat[:60], "application/ms-tnef")]))
    assert all(u.where != "message" for u in c.unscanned)
