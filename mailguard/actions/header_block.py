"""Byte-level header block editing: split a message (or MIME entity) into header fields and
body, and write new fields, without ever re-serialising through `email` (which re-folds
headers and can change bodies).

Every field keeps its original bytes unless an action replaces it; the body is never touched.
Text handed to `fold_field` is sanitised so that no CR, LF or NUL can reach the output: a
value can never start a new header line (no header injection).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_LINE = 998  # RFC 5322 §2.1.1 hard limit, octets without the line end
SOFT_LINE = 78  # RFC 5322 §2.1.1 "SHOULD"

_FIELD_NAME = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")  # printable ASCII except ':'
_UNSAFE = re.compile(r"[\r\n\x00]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


@dataclass(frozen=True, slots=True)
class HeaderField:
    """One header field as it was written: its first line plus continuation lines."""

    name: str  # as written; "" for a line that is not a field (kept as is)
    raw: bytes  # every physical line, each with its line end

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def value(self) -> str:
        """The value, unfolded, as a latin-1 string (a byte-for-byte stand-in for 8-bit text)."""
        text = self.raw.decode("latin-1")
        return unfold(text.partition(":")[2]).strip(" \t\r\n")


@dataclass(slots=True)
class HeaderBlock:
    fields: list[HeaderField]
    eol: bytes  # b"\r\n" or b"\n": the style new fields are written in
    separator: bytes  # the empty line that ends the header block (b"" when there is none)
    body: bytes  # everything after the separator, untouched

    @property
    def header_size(self) -> int:
        return sum(len(f.raw) for f in self.fields) + len(self.separator)

    def to_bytes(self) -> bytes:
        return b"".join(f.raw for f in self.fields) + self.separator + self.body

    def find(self, key: str) -> list[HeaderField]:
        key = key.lower()
        return [f for f in self.fields if f.key == key]


def split_message(data: bytes) -> HeaderBlock:
    """Split at the first empty line. Lines end at LF only (a bare CR is data, not a line end)."""
    fields: list[HeaderField] = []
    eol: bytes | None = None
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl + 1
        line = data[pos:end]
        if line in (b"\n", b"\r\n"):
            return HeaderBlock(fields, eol or line, line, data[end:])
        if eol is None and nl >= 0:
            eol = b"\r\n" if line.endswith(b"\r\n") else b"\n"
        if line[:1] in (b" ", b"\t") and fields and fields[-1].name:
            fields[-1] = HeaderField(fields[-1].name, fields[-1].raw + line)
        else:
            match = _FIELD_NAME.match(line)
            fields.append(HeaderField(match.group(1).decode("ascii") if match else "", line))
        pos = end
    return HeaderBlock(fields, eol or b"\r\n", b"", b"")


def unfold(text: str) -> str:
    """Remove folding (a line end followed by white space), RFC 5322 §2.2.3."""
    return _FOLD.sub("", text)


def sanitise(text: str) -> str:
    """Unfold, then turn any remaining CR, LF or NUL into a space: inert in a header."""
    return _UNSAFE.sub(" ", unfold(text))


def fold_field(name: str, items: Iterable[str], eol: bytes, separator: str = ",") -> bytes:
    """Write `Name: item1, item2, ...`, folding after separators so lines stay short.

    Lines are kept within 78 octets where the items allow it and never exceed 998: an item
    longer than that is broken at its own white space (folding white space is legal in every
    structured field we write), and as a last resort at 998 octets.
    """
    lines: list[str] = []
    current = f"{name}:"
    items = [sanitise(i).strip(" \t") for i in items]
    for index, item in enumerate(items):
        piece = item + (separator if index < len(items) - 1 else "")
        if len(current) + 1 + len(piece) <= SOFT_LINE or current == f"{name}:":
            current += " " + piece
        else:
            lines.append(current)
            current = " " + piece
    lines.append(current)
    out: list[str] = []
    for line in lines:
        out.extend(_hard_wrap(line))
    return eol.join(line.encode("latin-1") for line in out) + eol


def make_field(name: str, value: str, eol: bytes) -> HeaderField:
    """A new unstructured field (ASCII value), folded at white space."""
    return HeaderField(name, fold_field(name, [value], eol))


def _hard_wrap(line: str) -> list[str]:
    out: list[str] = []
    while len(line) > MAX_LINE:
        cut = max(line.rfind(" ", 1, MAX_LINE), line.rfind("\t", 1, MAX_LINE))
        if cut <= 0:  # no white space to fold at: split where we must, continuation marked
            cut = MAX_LINE - 1
            out.append(line[:cut])
            line = " " + line[cut:]
        else:
            out.append(line[:cut])
            line = line[cut:]
    out.append(line)
    return out
