"""Flats of a building: a flat written near a house number that is not the row's flat means
another flat of the same building; no flat written means the building, which counts."""

from __future__ import annotations

import re

from mailguard.detect.register.record import Row
from mailguard.detect.register.ukforms import house_number

# A flat's own number: digits, or one letter ("flat b", "g01"); never a word ("the flat at 14").
# A Scottish tenement flat is floor/door ("2/1", "0-2", "1/R" for right, "2F1" in Edinburgh):
# one identifier.
_TENEMENT = r"[0-3] ?[/\-] ?(?:[0-9]|[lrm](?![a-z0-9]))|[0-9]f[0-9]"
_FLAT = (
    r"(?<![a-z])(flat|apartment|apt|unit|maisonette|studio|suite)\.?\s*(?:no\.?\s*)?"
    rf"({_TENEMENT}|[0-9][a-z0-9]*(?: ?/ ?[0-9][a-z0-9]?(?![0-9]))?|[a-z][0-9]+[a-z]?|[a-z](?![a-z0-9]))"
)
# A flat before the house number, perhaps with its building's name between: "Flat 31,
# Riverside Point, 29 Fernbank Row" is flat 31 of number 29.
# (Building names run long: "Flat 8, Victoria and Albert Riverside Residences, 51 Comely Drive".)
# Parts may be parted by any list separator: "Flat 36 - The Maltings - 71 Clarence Walk".
_SEP = r"[\s,;|\-]"
_FLAT_BEFORE = re.compile(_FLAT + rf"(?:{_SEP}+[a-z][a-z'’\-]*){{0,6}}{_SEP}*$")
_FLAT_BEFORE_CHARS = 80
# A tenement flat written bare before the house number: "2/1 45 Gibson Street", "0-2, 17 …",
# "2F1 14 Dalry Road".
TENEMENT_BEFORE = re.compile(rf"(?<![\w/\-])({_TENEMENT})[\s,;\-]+$")
FLAT_ANY = re.compile(_FLAT + r"(?![a-z0-9])")
# A flat right after the street: "30 Rowan Road (flat 5)".
FLAT_AFTER = re.compile(r"[\s,(\-|]*" + _FLAT + r"(?![a-z0-9])")


def flat_before(text: str, pos: int, lo: int = 0) -> re.Match[str] | None:
    """A flat (group 2) written before the house number at `pos`, not before `lo`."""
    return _FLAT_BEFORE.search(text, max(lo, pos - _FLAT_BEFORE_CHARS), pos)


def other_flat(row: Row, text_flat: str | None) -> bool:
    """The text names a flat and the row is a different flat of that building."""
    return bool(row.flat and text_flat and row.probe.flat(text_flat) != row.flat)


def names_other_flat(text: str, m: re.Match[str], row: Row, lo: int, pc_start: int, hi: int) -> bool:
    """A flat is written with the house number `m` (a housenum.NUMBER match near a postcode):
    before it, as `5/30`, or between it and the postcode; and none of those is the row's flat."""
    flats = [m.group(1)] if m.group(1) and row.is_number(house_number(m.group(2))) else []
    before = flat_before(text, m.start(), lo)
    if before:
        flats.append(before.group(2))
    end = pc_start if m.end() <= pc_start else min(hi, m.end() + 60)
    flats += [f.group(2) for f in FLAT_ANY.finditer(text, m.end(), end)]
    return bool(flats) and all(other_flat(row, f) for f in flats)
