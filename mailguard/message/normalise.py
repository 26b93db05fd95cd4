"""Text normalisation for matching, with a map back to the original for highlighting.

NFKC (full-width digits, ligatures, compatibility forms), format characters removed
(zero-width space/joiners, soft hyphen, bidi controls: they hide words from a matcher but
not from a reader), every run of whitespace folded to one space, case folded.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Normalised:
    text: str
    offsets: tuple[int, ...]  # offsets[i] = index in the original of normalised char i

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) for normalised [start, end)."""
        if start >= end or not self.offsets:
            pos = self.offsets[start] if start < len(self.offsets) else 0
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


def _is_hidden(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf"


def normalise(text: str, *, casefold: bool = True) -> Normalised:
    out: list[str] = []
    offsets: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        if ch.isascii():
            pieces = ch
        elif _is_hidden(ch):
            continue
        else:
            pieces = unicodedata.normalize("NFKC", ch)
        for piece in pieces:
            if piece.isspace():
                pending_space = bool(out)
                continue
            if pending_space:
                out.append(" ")
                offsets.append(i)
                pending_space = False
            out.append(piece.casefold() if casefold else piece)
            offsets.append(i)
    normal = "".join(out)
    if len(normal) != len(offsets):  # casefold may expand (ß -> ss): keep the map aligned
        expanded: list[int] = []
        for piece, pos in zip(out, offsets, strict=True):
            expanded.extend([pos] * len(piece))
        return Normalised(normal, tuple(expanded))
    return Normalised(normal, tuple(offsets))
