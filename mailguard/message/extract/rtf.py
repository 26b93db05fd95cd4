"""RTF via striprtf. Table rows (cells end in `|` in its output) become ROW segments."""

from __future__ import annotations

import re

from striprtf.striprtf import rtf_to_text

from mailguard.message.extract.sink import Paragraphs, PartFailed, Path, Sink
from mailguard.message.model import SegmentKind, UnscannedReason

_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")


def extract_rtf(sink: Sink, data: bytes, path: Path) -> None:
    match = _CODEPAGE.search(data[:4096])
    encoding = f"cp{int(match[1])}" if match else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    try:
        text = rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")
    except (ValueError, IndexError, LookupError, RecursionError) as exc:
        raise PartFailed(UnscannedReason.CORRUPT, f"striprtf: {type(exc).__name__}") from None
    paras = Paragraphs(sink, path)
    row = 0
    for line in text.splitlines():
        if line.rstrip().endswith("|"):
            row += 1
            cells = [c.strip() for c in line.rstrip().rstrip("|").split("|")]
            paras.flush()
            sink.text((*path, f"table row {row}"), " | ".join(cells), SegmentKind.ROW)
        else:
            paras.add(line.strip())
    paras.flush()


_LZFU_PREBUF = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript "
    b"\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    b"\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)


def decompress_rtf(data: bytes, limit: int) -> bytes:
    """Outlook's compressed RTF (MS-OXRTFCP, "LZFu"), as found in .msg and winmail.dat."""
    if len(data) < 16:
        raise PartFailed(UnscannedReason.CORRUPT, "compressed RTF too short")
    raw_size, magic = int.from_bytes(data[4:8], "little"), data[8:12]
    if magic == b"MELA":
        return data[16 : 16 + raw_size]
    if magic != b"LZFu":
        raise PartFailed(UnscannedReason.CORRUPT, "unknown compressed RTF")
    window = bytearray(4096)
    window[: len(_LZFU_PREBUF)] = _LZFU_PREBUF
    pos = len(_LZFU_PREBUF)
    out = bytearray()
    i = 16
    while i < len(data):
        flags = data[i]
        i += 1
        for bit in range(8):
            if i >= len(data):
                return bytes(out)
            if flags & (1 << bit):
                if i + 1 >= len(data):
                    return bytes(out)
                ref = (data[i] << 8) | data[i + 1]
                i += 2
                offset, length = ref >> 4, (ref & 0xF) + 2
                if offset == pos % 4096:
                    return bytes(out)
                for k in range(length):
                    byte = window[(offset + k) % 4096]
                    out.append(byte)
                    window[pos % 4096] = byte
                    pos += 1
            else:
                out.append(data[i])
                window[pos % 4096] = data[i]
                pos += 1
                i += 1
            if len(out) > limit:
                raise PartFailed(UnscannedReason.TOO_LARGE, "compressed RTF inflates past the limit")
    return bytes(out)
