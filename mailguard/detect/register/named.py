"""A named house on its street: "Rose Cottage, Mill Lane, Austwick".

A house with a name and no number is found by its street's designator (no digit to trigger
on): the name stands where a number would, right before the street, and the locality rules of
numbered addresses apply (another town or district after it vetoes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mailguard.detect.register.index import CompiledIndex
from mailguard.detect.register.locality import (
    ASK_BEFORE,
    BEFORE_CHARS,
    SCORE_STREET_ONLY,
    Following,
    Postcodes,
    after_street,
    following,
    postcode_before,
    written_first,
)
from mailguard.detect.register.record import Row
from mailguard.detect.register.scanned import Group, Hit, mention
from mailguard.detect.register.street import StreetText
from mailguard.detect.register.ukforms import LEADING_TYPES, canon_word, skeleton
from mailguard.detect.register.words import WordsBefore, words_before, words_in

_DIGIT = re.compile(r"\d")


def named_house(index: CompiledIndex, group: Group, d_start: int, d_end: int, postcodes: Postcodes) -> Iterator[Hit]:
    """The rows whose street has the designator word at `d_start:d_end` ("Lane", or a leading
    "Heol"), with their house name written right before that street."""
    text = group.text
    earlier = WordsBefore(text)
    follows: dict[int, Following] = {}  # by where the street ends: what follows it
    for row, start, street_end in streets_at(index, text, d_start, d_end, earlier):
        # "Rose Cottage, Mill Lane" names thousands of houses: the row's locality, town or
        # postcode district must follow, not merely nothing that says otherwise. What follows is
        # read first: most rows of a street name are elsewhere, and saying so is cheaper than
        # reading the house name before the street (typo-tolerant: hashed variants of each run).
        after = follows.get(street_end)
        if after is None:
            after = follows[street_end] = following(text, postcodes, street_end)
        verdict = after_street(index.towns, row, after)
        if verdict is None:
            continue
        if verdict is ASK_BEFORE and not postcode_before(postcodes, row, start - _reach(row) - BEFORE_CHARS, start):
            continue  # only the row's postcode written first would do, and none stands there
        name_at = house_name_before(text, row, start, earlier)
        if name_at is None:
            continue
        if verdict is ASK_BEFORE:
            verdict = written_first(postcodes, row, name_at, street_end)
        if verdict[0] != SCORE_STREET_ONLY:
            yield mention(group, row.id, "address", name_at, verdict[1], verdict[0])


def streets_at(
    index: CompiledIndex, text: str, d_start: int, d_end: int, earlier: WordsBefore
) -> Iterator[tuple[Row, int, int]]:
    """(row, street start, street end) of each named-house row whose street is written with
    the designator word at `d_start:d_end`."""
    kind = canon_word(text[d_start:d_end])
    if kind in LEADING_TYPES:
        after = [w for w in words_in(text[d_end : d_end + 40], 3) if w[0] not in ("y", "yr", "r")]
        if not after:
            return
        key = f"hs:{kind}:{skeleton(after[0][0])}"
    else:
        before = words_before(text, d_start, 1)
        if not before:
            return
        key = f"hs:{kind}:{skeleton(canon_word(before[0][0]))}"
    rows = [row for row in map(index.row, index.lookup(key)) if row.house_name and not row.number]
    streets: dict[int, tuple[int, int, StreetText]] = {}  # by word count: the rows share the text
    for row in rows:
        street_form = row.streets[0]
        size = street_form.size
        if size not in streets:
            if kind in LEADING_TYPES:
                start, street = d_start, words_in(text[d_start : d_start + 80], size + 1)
                street_end = start + street[size - 1][2] if len(street) >= size else -1
            else:
                street = earlier(d_end, size)
                start, street_end = (street[0][1], d_end) if len(street) == size else (-1, -1)
            streets[size] = start, street_end, StreetText([w for w, _, _ in street], index.probe)
        start, street_end, reader = streets[size]
        if street_end >= 0 and reader.match(street_form) == size:
            yield row, start, street_end


def _reach(row: Row) -> int:
    """How far before its street the row's house name may start: `house_name_before` reads the
    words `words_before(text, street_start, size + 1)` finds, which start at most this far back."""
    return 24 * (row.house_name.size + 1) + 8 if row.house_name else 0


def house_name_before(text: str, row: Row, street_start: int, earlier: WordsBefore) -> int | None:
    """Start of the row's house name written just before its street (a comma, a line break
    or nothing between), or None."""
    name = row.house_name
    if name is None or name.tolerance < 0:
        return None
    size = name.size
    for k in (size, size + 1, size - 1):
        cand = earlier.tail(street_start, size + 1, k)
        if cand and row.probe.edits(cand[0], name.name, name.tolerance) is not None:
            gap = text[cand[2] : street_start]
            if len(gap) <= 3 and not _DIGIT.search(gap):
                return cand[1]
    return None
