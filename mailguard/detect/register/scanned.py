"""Scanned text as the matcher sees it: case-folded, with a map back to the original.

Segments that belong together (consecutive, same `where` once row/cell numbers are masked)
are joined with newlines into one group, so an address split over lines, table cells or
consecutive table rows is read as one run. ASCII text folds with `str.lower` (length kept,
C speed); other text folds character by character when every character maps to one, and only
otherwise pays for `mailguard.message.normalise` (which also drops zero-width characters).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from mailguard.detect.register.values import Mention
from mailguard.message.model import Segment
from mailguard.message.normalise import normalise

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_DIGITS = re.compile(r"\d+")


# Cyrillic and Greek letters that look like Latin ones (the common Unicode confusables), after
# case folding: "Rоwаn Road" typed with a Cyrillic о and а reads the same to a person. NFKC does
# not fold them. Unicode dashes and the minus sign read as "-" ("66–A", "14–16").
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁɡһӏԛԝԍвкмнтοικνρτυχεαζηβ\u2010\u2011\u2012\u2013\u2014\u2015\u2212",
    "aeopcyxijsdghlqwgbkmhtoikvptyxeazhb-------",
)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str | None:
    if unicodedata.category(ch) == "Cf":
        return None
    folded = unicodedata.normalize("NFKC", ch).casefold().translate(_LOOKALIKES)
    if len(folded) != 1:
        return None
    folded = _bare(folded)
    return " " if folded.isspace() else folded


def _bare(ch: str) -> str:
    """`ô` -> `o`, `ŵ` -> `w` (one character for one, so offsets stay put); see strip_marks."""
    if ch.isascii():
        return ch
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base if len(base) == 1 else ch


def fold(text: str) -> tuple[str, tuple[int, ...] | None]:
    """(folded text, offsets) where offsets is None when positions are unchanged."""
    if text.isascii():
        return text.lower(), None
    table: dict[str, str] = {}
    for ch in set(_NON_ASCII.findall(text)):
        folded = _fold_char(ch)
        if folded is None:
            n = normalise(text)
            return "".join(map(_bare, n.text)), n.offsets
        if folded != ch:  # "£" stays
            table[ch] = folded
    if table.keys().isdisjoint(table.values()):
        # each character replaced by its fold, one `str.replace` each (a memchr-speed pass):
        # a third of the time of `sub`, and no replacement is replaced again
        for ch, folded in table.items():
            text = text.replace(ch, folded)
        return text.lower(), None
    return _NON_ASCII.sub(lambda m: table[m.group()], text).lower(), None


@dataclass(slots=True)
class Group:
    """Consecutive related segments joined by newlines."""

    text: str
    bases: list[int]  # start of each member in `text`
    members: list[int]  # segment indexes
    offsets: list[tuple[int, ...] | None]
    originals: list[str]
    _few_cells: dict[int, bool] = field(default_factory=dict)

    def locate(self, start: int, end: int) -> tuple[int, int, int, str]:
        """Group span -> (segment index, original start, original end, original text).

        A span that runs into the next member is cut at the end of its first member."""
        k = bisect_right(self.bases, start) - 1
        base = self.bases[k]
        limit = (self.bases[k + 1] - 1) if k + 1 < len(self.bases) else len(self.text)
        s, e = start - base, min(end, limit) - base
        offs = self.offsets[k]
        if offs is not None:
            s, e = (offs[s], offs[e - 1] + 1) if e > s else (offs[s], offs[s])
        original = self.originals[k]
        return self.members[k], s, e, original[s:e]

    def few_cells(self, k: int) -> bool:
        """Member k is no wide table row (at most one cell separator): remembered per member."""
        few = self._few_cells.get(k)
        if few is None:
            end = self.bases[k + 1] - 1 if k + 1 < len(self.bases) else len(self.text)
            few = self._few_cells[k] = self.text.count(" | ", self.bases[k], end) <= 1  # no slice made
        return few

    def window(self, lo: int, hi: int) -> Group:
        """The text `lo`..`hi` as a group of its own (the members there, cut to it; whether each
        is a wide table row is taken from the whole member)."""
        bases = self.bases
        k0, k1 = bisect_right(bases, lo) - 1, bisect_right(bases, hi) - 1
        ks = range(k0, k1 + 1)
        few = {k - k0: self.few_cells(k) for k in ks}
        return Group(
            self.text[lo:hi],
            [max(bases[k] - lo, 0) for k in ks],
            [self.members[k] for k in ks],
            [self.offsets[k] for k in ks],
            [self.originals[k] for k in ks],
            few,
        )

    def shape(self, lo: int, hi: int) -> tuple[tuple[int, bool], ...]:
        """Where members start inside `lo`..`hi` (relative to `lo`; -1: before it) and whether
        each is a wide table row: with the text there, all a check of that window can read."""
        bases = self.bases
        if len(bases) == 1:
            return ()  # one member: nothing to tell
        k0, k1 = bisect_right(bases, lo) - 1, bisect_right(bases, hi) - 1
        return tuple((max(bases[k] - lo, -1), self.few_cells(k)) for k in range(k0, k1 + 1))


class Hit(NamedTuple):
    """A mention found in a group's text, before it is placed in its segment."""

    register_id: str
    kind: str
    start: int
    end: int
    score: float

    def moved(self, by: int) -> Hit:
        """The same hit `by` characters further on (`_replace` costs several times more, per hit)."""
        return Hit(self.register_id, self.kind, self.start + by, self.end + by, self.score)


@lru_cache(maxsize=4096)
def _signature(where: str) -> str:
    return _DIGITS.sub("#", where)


def groups(segments: Sequence[Segment]) -> list[Group]:
    out: list[Group] = []
    parts: list[list[str]] = []
    last_sig: str | None = None
    for i, seg in enumerate(segments):
        if not seg.text:
            continue
        sig = _signature(seg.where)
        folded, offsets = fold(seg.text)
        if sig != last_sig or not out:
            out.append(Group("", [], [], [], []))
            parts.append([])
            last_sig = sig
        g, p = out[-1], parts[-1]
        g.bases.append(g.bases[-1] + len(p[-1]) + 1 if p else 0)
        p.append(folded)
        g.members.append(i)
        g.offsets.append(offsets)
        g.originals.append(seg.text)
    for g, p in zip(out, parts, strict=True):
        g.text = "\n".join(p)
    return out


def mention(group: Group, rid: str, kind: str, start: int, end: int, score: float) -> Hit:
    """A mention of row `rid` at a span of the group's text (placed in its segment by `place`)."""
    return Hit(rid, kind, start, end, score)


def place(group: Group, hit: Hit) -> Mention:
    """The hit in its original segment."""
    seg, s, e, matched = group.locate(hit.start, hit.end)
    return Mention(hit.register_id, hit.kind, seg, s, e, matched, hit.score)
