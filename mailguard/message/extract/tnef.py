"""TNEF (`winmail.dat`, application/ms-tnef), read by our own small parser (tnefparse is
LGPL): subject, body (plain, HTML or compressed RTF) and attachments, recursively."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from mailguard.message.extract.charset import decode
from mailguard.message.extract.html import extract_html
from mailguard.message.extract.rtf import decompress_rtf, extract_rtf
from mailguard.message.extract.sink import PartFailed, Path, Sink
from mailguard.message.model import SegmentKind, UnscannedReason

SIGNATURE = 0x223E9F78
ATT_SUBJECT, ATT_BODY = 0x00018004, 0x0002800C
ATT_RENDDATA, ATT_TITLE, ATT_DATA = 0x00069002, 0x00018010, 0x0006800F
ATT_MAPI, ATT_ATTACHMENT = 0x00069003, 0x00069005
PR_BODY, PR_HTML, PR_RTF, PR_LONG_NAME, PR_ATTACH_DATA = 0x1000, 0x1013, 0x1009, 0x3707, 0x3701
_FIXED = {0x0002: 4, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8, 0x000A: 4, 0x000B: 4,
          0x0014: 8, 0x0040: 8, 0x0048: 16, 0x0001: 0}
_VARIABLE = (0x001E, 0x001F, 0x0102, 0x000D)


@dataclass
class _Attachment:
    name: str = ""
    data: bytes | None = None


@dataclass
class _Tnef:
    subject: str = ""
    body: str = ""
    props: dict[int, object] = field(default_factory=dict)
    attachments: list[_Attachment] = field(default_factory=list)


def _pad(n: int) -> int:
    return (n + 3) & ~3


def mapi_props(data: bytes) -> dict[int, object]:
    """Property id → str or bytes (the variable-length ones we need); others skipped."""
    props: dict[int, object] = {}
    count, = struct.unpack_from("<I", data, 0)
    pos = 4
    for _ in range(min(count, 10_000)):
        kind, pid = struct.unpack_from("<HH", data, pos)
        pos += 4
        if pid >= 0x8000:  # named property: GUID, then an id or a name
            pos += 16
            named_kind, = struct.unpack_from("<I", data, pos)
            pos += 4
            if named_kind == 0:
                pos += 4
            else:
                length, = struct.unpack_from("<I", data, pos)
                pos += 4 + _pad(length)
        multi = bool(kind & 0x1000)
        base = kind & ~0x1000
        values = 1
        if multi or base in _VARIABLE:
            values, = struct.unpack_from("<I", data, pos)
            pos += 4
        for _ in range(min(values, 10_000)):
            if base in _FIXED:
                pos += max(4, _FIXED[base]) if base != 0x0001 else 0
                continue
            if base not in _VARIABLE:
                return props  # a type we cannot size: stop rather than misread
            length, = struct.unpack_from("<I", data, pos)
            pos += 4
            raw = data[pos : pos + length]
            pos += _pad(length)
            if base == 0x001F:
                props.setdefault(pid, raw.decode("utf-16-le", "replace").rstrip("\x00"))
            elif base == 0x001E:
                props.setdefault(pid, decode(raw.rstrip(b"\x00")))
            elif base == 0x000D:
                props.setdefault(pid, raw[16:])  # an embedded object: IID, then its data
            else:
                props.setdefault(pid, raw)
    return props


def parse(data: bytes) -> _Tnef:
    if len(data) < 6 or struct.unpack_from("<I", data, 0)[0] != SIGNATURE:
        raise PartFailed(UnscannedReason.CORRUPT, "not TNEF")
    out = _Tnef()
    pos = 6
    current: _Attachment | None = None
    while pos + 9 <= len(data):
        _level, attr, length = struct.unpack_from("<BII", data, pos)
        pos += 9
        value = data[pos : pos + length]
        pos += length + 2  # and a checksum
        if attr == ATT_SUBJECT:
            out.subject = decode(value.rstrip(b"\x00"))
        elif attr == ATT_BODY:
            out.body = decode(value.rstrip(b"\x00"))
        elif attr == ATT_MAPI:
            out.props = mapi_props(value)
        elif attr == ATT_RENDDATA:
            current = _Attachment()
            out.attachments.append(current)
        elif current is not None and attr == ATT_TITLE:
            current.name = decode(value.rstrip(b"\x00"))
        elif current is not None and attr == ATT_DATA:
            current.data = value
        elif current is not None and attr == ATT_ATTACHMENT:
            props = mapi_props(value)
            name = props.get(PR_LONG_NAME)
            if isinstance(name, str) and name:
                current.name = name
            embedded = props.get(PR_ATTACH_DATA)
            if current.data is None and isinstance(embedded, bytes):
                current.data = embedded
    return out


def extract_tnef(sink: Sink, data: bytes, path: Path, depth: int) -> None:
    try:
        tnef = parse(data)
    except struct.error:
        raise PartFailed(UnscannedReason.CORRUPT, "truncated TNEF") from None
    sink.text((*path, "subject"), tnef.subject, SegmentKind.FIELD)
    sink.text((*path, "body"), tnef.body)
    body = tnef.props.get(PR_BODY)
    html = tnef.props.get(PR_HTML)
    rtf = tnef.props.get(PR_RTF)
    if isinstance(body, str):
        sink.text((*path, "body (text/plain)"), body)
    elif isinstance(html, (str, bytes)):
        extract_html(sink, html if isinstance(html, str) else decode(html), (*path, "body (text/html)"))
    elif isinstance(rtf, bytes):
        extract_rtf(sink, decompress_rtf(rtf, sink.limits.max_member), (*path, "body (rtf)"))
    for number, att in enumerate(tnef.attachments, 1):
        name = att.name or f"attachment {number}"
        sub = (*path, f'attachment "{name}"')
        if att.data is None:
            continue
        sink.attachment(sub, name, "", len(att.data))
        sink.document(att.data, name, "", sub, depth + 1)
