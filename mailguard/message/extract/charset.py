"""Bytes to text in whatever charset was declared, or detected when the label is missing or
wrong (UTF-16/32 without BOM, UTF-7, ISO-2022-JP, `us-ascii` that is really UTF-8 …)."""

from __future__ import annotations

import binascii
import codecs
import re

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DETECT_LIMIT = 256 * 1024  # charset detection looks at a sample; decoding uses the whole text


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip('"').lower()
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _utf16_32_order(data: bytes, width: int) -> str:
    """UTF-16/32 without a BOM: the zero bytes of ASCII text show the byte order."""
    sample = data[: 4096 - 4096 % width]
    zeros_first = sum(1 for i in range(0, len(sample), width) if sample[i] == 0)
    zeros_last = sum(1 for i in range(width - 1, len(sample), width) if sample[i] == 0)
    return "be" if zeros_first > zeros_last else "le"


def decode(data: bytes, declared: str | None = None) -> str:
    """Never raises: the declared charset if it decodes cleanly, else UTF-8, else detection."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace")
    codec = _codec(declared)
    if codec in ("utf-16", "utf-32"):
        width = 2 if codec == "utf-16" else 4
        codec = f"{codec}-{_utf16_32_order(data, width)}"
    if codec is not None and codec not in ("ascii",):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, ValueError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec is None and b"\x1b$" in data[:_DETECT_LIMIT]:  # unlabelled ISO-2022-JP
        try:
            return data.decode("iso2022_jp")
        except UnicodeDecodeError:
            pass
    best = from_bytes(data[:_DETECT_LIMIT]).best()
    guess = best.encoding if best is not None else None
    return data.decode(guess or codec or "cp1252", errors="replace")


_UU_BEGIN = re.compile(r"^begin(?:-base64)? [0-7]{3,4} (.+)$", re.M)
_UU_END = re.compile(r"^end\s*$", re.M)


def split_uuencoded(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Old clients put files in the body as uuencode: return the text without them, and the files."""
    files: list[tuple[str, bytes]] = []
    if "begin " not in text:
        return text, files
    out: list[str] = []
    pos = 0
    for begin in _UU_BEGIN.finditer(text):
        if begin.start() < pos:
            continue
        end = _UU_END.search(text, begin.end())
        if end is None:
            break
        out.append(text[pos : begin.start()])
        data = bytearray()
        for line in text[begin.end() : end.start()].splitlines():
            if not line.strip() or line.strip() == "`":
                continue
            try:
                data += binascii.a2b_uu(line)
            except binascii.Error:
                # many encoders pad short lines wrongly; decode the length the line claims
                nbytes = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
                try:
                    data += binascii.a2b_uu(line[:nbytes])
                except binascii.Error:
                    continue
        files.append((begin.group(1).strip(), bytes(data)))
        pos = end.end()
    out.append(text[pos:])
    return "".join(out), files


def looks_like_text(data: bytes) -> bool:
    """A sample with no NULs (or a UTF-16/32 BOM) and few control bytes reads as text."""
    sample = data[:4096]
    if not sample:
        return True
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return True
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls <= len(sample) // 100
