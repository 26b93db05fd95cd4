"""OLE2 compound files: Outlook .msg (olefile, reading the MAPI properties ourselves:
extract-msg is GPL), legacy .xls (calamine), password-protected OOXML (encrypted), and
legacy .doc/.ppt (printable runs only, reported as read approximately)."""

from __future__ import annotations

import io
import re
import struct

import olefile

from mailguard.message.extract.charset import decode
from mailguard.message.extract.html import extract_html
from mailguard.message.extract.rtf import decompress_rtf, extract_rtf
from mailguard.message.extract.sheets import extract_workbook
from mailguard.message.extract.sink import Paragraphs, PartFailed, Path, Sink
from mailguard.message.model import AddressSource, SegmentKind, UnscannedReason

_SUBJECT, _BODY, _HTML, _DISPLAY_TO, _DISPLAY_CC = 0x0037, 0x1000, 0x1013, 0x0E04, 0x0E03
_SENDER, _RTF, _DISPLAY_BCC = 0x0C1F, 0x1009, 0x0E02
_RECIP_SMTP, _RECIP_EMAIL, _RECIP_NAME, _RECIP_TYPE = 0x39FE, 0x3003, 0x3001, 0x0C15
_ATTACH_LONG, _ATTACH_SHORT, _ATTACH_DATA, _ATTACH_MIME = 0x3707, 0x3704, 0x3701, 0x370E
_RECIPIENT_KIND = {1: "To", 2: "Cc", 3: "Bcc"}
_STRINGS = re.compile(rb"(?:[\x20-\x7e\xa0-\xff]\x00){4,}|[\x20-\x7e\t\r\n]{6,}")


class _Storage:
    """Property access for one MAPI object (the message, a recipient, an attachment)."""

    def __init__(self, ole: olefile.OleFileIO, prefix: list[str]) -> None:
        self.ole = ole
        self.prefix = prefix

    def _stream(self, name: str) -> bytes | None:
        path = [*self.prefix, name]
        if self.ole.exists("/".join(path)) and self.ole.get_type(path) == olefile.STGTY_STREAM:
            return self.ole.openstream(path).read()
        return None

    def string(self, prop: int) -> str:
        data = self._stream(f"__substg1.0_{prop:04X}001F")
        if data is not None:
            return data.decode("utf-16-le", errors="replace").rstrip("\x00")
        data = self._stream(f"__substg1.0_{prop:04X}001E")
        return decode(data.rstrip(b"\x00")) if data is not None else ""

    def binary(self, prop: int) -> bytes | None:
        return self._stream(f"__substg1.0_{prop:04X}0102")

    def integer(self, prop: int, header: int) -> int | None:
        """A fixed-size property from __properties_version1.0 (16-byte entries after a header)."""
        data = self._stream("__properties_version1.0")
        if not data:
            return None
        for offset in range(header, len(data) - 15, 16):
            kind, pid = struct.unpack_from("<HH", data, offset)
            if pid == prop and kind == 0x0003:
                return int(struct.unpack_from("<i", data, offset + 8)[0])
        return None

    def children(self, stem: str) -> list[list[str]]:
        seen: dict[str, list[str]] = {}
        depth = len(self.prefix)
        for entry in self.ole.listdir(streams=True, storages=True):
            if entry[: depth] == self.prefix and len(entry) > depth and entry[depth].startswith(stem):
                seen.setdefault(entry[depth], [*self.prefix, entry[depth]])
        return [seen[k] for k in sorted(seen)]

    def is_storage(self, name: str) -> bool:
        path = [*self.prefix, name]
        return self.ole.exists("/".join(path)) and self.ole.get_type(path) == olefile.STGTY_STORAGE


def extract_ole(sink: Sink, data: bytes, path: Path, depth: int, name: str) -> None:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, struct.error) as exc:
        raise PartFailed(UnscannedReason.CORRUPT, f"OLE: {str(exc)[:80]}") from None
    with ole:
        if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
            raise PartFailed(UnscannedReason.ENCRYPTED, "password-protected Office document")
        if ole.exists("__properties_version1.0") or _has_props(ole):
            _message(sink, _Storage(ole, []), path, depth, top_header=32)
        elif ole.exists("Workbook") or ole.exists("Book"):
            extract_workbook(sink, data, path)
        elif ole.exists("WordDocument") or ole.exists("PowerPoint Document"):
            stream = "WordDocument" if ole.exists("WordDocument") else "PowerPoint Document"
            _strings(sink, ole.openstream(stream).read(), path)
            sink.unscanned(path, UnscannedReason.UNKNOWN_FORMAT, "legacy Office file, read approximately")
        else:
            raise PartFailed(UnscannedReason.UNKNOWN_FORMAT, "OLE compound file of an unknown kind")


def _has_props(ole: olefile.OleFileIO) -> bool:
    return any(entry[0].startswith("__substg1.0_") for entry in ole.listdir())


def _strings(sink: Sink, data: bytes, path: Path) -> None:
    paras = Paragraphs(sink, path)
    for match in _STRINGS.finditer(data):
        run = match.group()
        text = run.decode("utf-16-le", "replace") if run[1:2] == b"\x00" else run.decode("cp1252", "replace")
        for line in text.replace("\r", "\n").split("\n"):
            if line.strip():
                paras.add(line.strip())
    paras.flush()


def _message(sink: Sink, msg: _Storage, path: Path, depth: int, top_header: int) -> None:
    subject = msg.string(_SUBJECT)
    sink.text((*path, "subject"), subject, SegmentKind.FIELD)
    sender = msg.string(_SENDER)
    if "@" in sender:
        sink.address(sender, AddressSource.LISTED, (*path, "From"))
    for recip_path in msg.children("__recip_version1.0_"):
        recip = _Storage(msg.ole, recip_path)
        address = recip.string(_RECIP_SMTP) or recip.string(_RECIP_EMAIL)
        kind = _RECIPIENT_KIND.get(recip.integer(_RECIP_TYPE, 8) or 1, "To")
        # Bcc too: a sent message saved as .msg shows its Bcc line to whoever opens it
        if "@" in address:
            sink.address(address, AddressSource.LISTED, (*path, kind), recip.string(_RECIP_NAME))
    for prop, label in ((_DISPLAY_TO, "To"), (_DISPLAY_CC, "Cc"), (_DISPLAY_BCC, "Bcc")):
        sink.text((*path, label), msg.string(prop), SegmentKind.FIELD)
    body = msg.string(_BODY)
    if body:
        sink.text((*path, "body (text/plain)"), body)
    else:
        html = msg.binary(_HTML)
        if html is None:
            html_text = msg.string(_HTML)
        else:
            html_text = decode(html)
        rtf = msg.binary(_RTF)
        if html_text:
            extract_html(sink, html_text, (*path, "body (text/html)"))
        elif rtf:
            extract_rtf(sink, decompress_rtf(rtf, sink.limits.max_member), (*path, "body (rtf)"))
    for attach_path in msg.children("__attach_version1.0_"):
        _attachment(sink, _Storage(msg.ole, attach_path), path, depth)


def _attachment(sink: Sink, att: _Storage, path: Path, depth: int) -> None:
    name = att.string(_ATTACH_LONG) or att.string(_ATTACH_SHORT) or att.prefix[-1]
    mime = att.string(_ATTACH_MIME)
    sub = (*path, f'attachment "{name}"')
    try:
        sink.enter(sub, depth + 1)
    except PartFailed as exc:
        sink.unscanned(sub, exc.reason, exc.detail)
        return
    embedded = f"__substg1.0_{_ATTACH_DATA:04X}000D"
    if att.is_storage(embedded):  # an attached Outlook message, stored as a sub-tree
        sink.attachment(sub, name, "application/vnd.ms-outlook", 0)
        _message(sink, _Storage(att.ole, [*att.prefix, embedded]), sub, depth + 1, top_header=24)
        return
    data = att.binary(_ATTACH_DATA)
    if data is None:
        return
    sink.attachment(sub, name, mime, len(data))
    sink.document(data, name, mime, sub, depth + 1, entered=True)
