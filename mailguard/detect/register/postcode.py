"""The row's postcode with the row's house number close by ("14, BS1 4AB", "BS1 4AB | 14"),
or, for a house with a name and no number, its name before the postcode; and the row's full
postcode alone (issue 21: it narrows the home to about fifteen doors).

Never a neighbour's number, another flat of the building, or a number that belongs to something
else (another table cell's count, "Flat 5", a street's other number). A postcode written with
another home's number or flat ("12 Acacia Avenue, BS1 4AB") is that home's, not alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from mailguard.detect.register.flats import FLAT_ANY, flat_before, names_other_flat, other_flat
from mailguard.detect.register.fuzzy import run_forms
from mailguard.detect.register.housenum import NUMBER, NUMBER_WORDS, blocked
from mailguard.detect.register.locality import SCORE_NUMBER_POSTCODE
from mailguard.detect.register.record import Row, Street
from mailguard.detect.register.scanned import Group, Hit, mention
from mailguard.detect.register.street import StreetText, row_street_in
from mailguard.detect.register.ukforms import (
    FLAT_WORDS,
    LEADING_TYPES,
    NOT_HOUSE_AFTER,
    STREET_TYPES,
    TYPE_FORMS,
    WORD_RE,
    canon_word,
    house_number,
)
from mailguard.detect.register.words import words_between, words_in

# How far from the postcode its house number may be written (the caller's window, `lo`..`hi`).
NUMBER_BEFORE_POSTCODE = 110
NUMBER_AFTER_POSTCODE = 40

# What may stand between a postcode and the house number after it: "BS1 4AB, 14", "BS1 4AB |
# 14", "BS1 4AB, house number 14" -- not another cell's words ("BS1 4AB | House | 1").
_LABEL_BETWEEN = re.compile(
    r"[\s,;:.()\-|]*(?:(?:house|door|property|building)\s*)?(?:(?:number|no|num|nr)\.?\s*)?[\s:#.(]*"
)


_WORD_BEFORE = re.compile(r"([a-z]+)[\s,\-]*$")
_NUMBER_BEFORE = re.compile(r"([a-z]*\d+[a-z]?)\W*$")
_TO_LAST_DIGIT = re.compile(r".*\d", re.DOTALL)  # greedy: read back from the end


def number_near_postcode(
    group: Group, row: Row, lo: int, pc_start: int, pc_end: int, hi: int, word_bytes: bytes | None = None
) -> Iterator[Hit]:
    """The row's house number (or house name) in `lo`..`hi` around its postcode at `pc_start`..`pc_end`.
    `word_bytes`: the text's words as `triggers.Triggers` has them, when at hand."""
    text = group.text
    if not row.number:
        yield from _house_name_near(group, row, lo, pc_start, pc_end, word_bytes)
        return
    for m in NUMBER.finditer(text, lo, hi):
        if pc_start <= m.start() < pc_end:
            continue
        nums = (house_number(m.group(2)), house_number(m.group(1)) if m.group(1) else None)
        if not any(row.is_number(n) for n in nums):
            continue
        if blocked(text, m.start(), FLAT_WORDS):
            continue
        if not _beside(group, m.start(), m.end(), pc_start, pc_end):
            continue  # another cell's or another row's number: bedrooms, rent, a count
        if row.flat and names_other_flat(text, m, row, lo, pc_start, hi):
            continue  # "Flat 5, 30 Rowan Road, LS6 2QT": another flat of the row's building
        following = [w for w, _, _ in words_in(text[m.end() : m.end() + 60], 5)]
        if following and following[0] in NOT_HOUSE_AFTER:
            continue
        street_words = [canon_word(w) for w in following[:4]]
        if any(w in STREET_TYPES for w in street_words) and not row_street_in(following, row, loose=True):
            continue  # the number of some other street
        if m.start() > pc_end and any(w in STREET_TYPES for w in street_words):
            continue  # postcode first: the address path reads "BS1 4AB, 14 Acacia Avenue"
        first, last = min(m.start(), pc_start), max(m.end(), pc_end)
        yield mention(group, row.id, "postcode_number", first, last, SCORE_NUMBER_POSTCODE)


def street_before_postcode(group: Group, row: Row, lo: int, pc_start: int, pc_end: int) -> Iterator[Hit]:
    """The row's street written before its full postcode with no house number (issue 10): a
    street and its full postcode narrow the home to a handful of doors. Not when a house number
    stands before the street (another number is a neighbour; the row's own is found anyway) or
    another flat of the row's building is written."""
    text = group.text
    spans = [(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text, lo, pc_start)]
    # the street ends after the last digit before the postcode (else that digit stands between)
    digit = _TO_LAST_DIGIT.match(text, lo, pc_start)
    after = digit.end() - 1 if digit else -1
    numbered: dict[int, bool] = {}  # a street start -> a house number (or a blocker) stands before it
    for street in row.streets:
        size = street.size
        if street.kind and size == 1:
            continue  # a type alone spells no street (`StreetText` reads such a street as more words)
        # at most five words between the street and the postcode: spans[i + size:] are those words
        for i in range(max(0, len(spans) - size - 5), len(spans) - size + 1):
            start, street_end = spans[i][1], spans[i + size - 1][2]
            if street_end <= after:
                continue  # the postcode belongs to something after this street
            if street.kind and not _type_at(row, street, spans[i][0] if street.leading else spans[i + size - 1][0]):
                continue  # the street's type is not where its own word count puts it
            before = numbered.get(start)
            if before is None:
                before = numbered[start] = _house_number_before(text, start) or blocked(text, start)
            if before:
                continue  # cheaper than reading the street, and as final
            if StreetText([w for w, _, _ in spans[i : i + size + 1]], row.probe).match(street) != size:
                continue
            flat = flat_before(text, start, lo)
            if flat and other_flat(row, flat.group(2)):
                continue
            yield mention(group, row.id, "address", flat.start() if flat else start, pc_end, SCORE_NUMBER_POSTCODE)
            return


def _type_at(row: Row, street: Street, word: str) -> bool:
    """`word` is (a slip of) the street's type where `StreetText` reads it for the street's own
    word count: the last word, or the first of a Welsh street (so "st" is Street, or Saint)."""
    return street.kind in row.probe.kinds(canon_word(word, first=street.leading, last=not street.leading))


def _house_number_before(text: str, start: int) -> bool:
    """A house number (digits or a word) ends right before `start` (read past `lo`: a false
    postcode may end right before); "Case 4471 Balmoral Ave" is a case number, not a door."""
    lo = max(0, start - 12)
    m = _NUMBER_BEFORE.search(text, lo, start)
    if m:
        return not blocked(text, m.start(1))
    word = _WORD_BEFORE.search(text, lo, start)
    return word is not None and word.group(1) in NUMBER_WORDS  # "Two Oak Street": another door


def _house_name_near(
    group: Group, row: Row, lo: int, pc_start: int, pc_end: int, word_bytes: bytes | None
) -> Iterator[Hit]:
    """The row's house name written (within the edits it tolerates) as some run of the words
    before its postcode: exact runs are tried first, as they are cheap."""
    name = row.house_name
    if name is None or name.tolerance < 0:
        return
    words = words_between(group.text, word_bytes, lo, pc_start, 30)  # at C speed where it can
    runs = run_forms(words, (name.size, name.size - 1, name.size + 1))
    if row.probe.within(runs, name.name, name.tolerance):
        yield mention(group, row.id, "postcode_number", lo, pc_end, SCORE_NUMBER_POSTCODE)


def _beside(group: Group, n_start: int, n_end: int, pc_start: int, pc_end: int) -> bool:
    """Whether a number near a postcode can be that postcode's house number: written after it,
    only a label ("house number") may come between; and it stays in the postcode's own table
    row unless the row holding it is a label/value pair ("House number | 14" over "Postcode |
    BS1 4AB"). A wide row's other cells (bedrooms, rent, counts) are not house numbers."""
    text = group.text
    if n_start > pc_end and not _LABEL_BETWEEN.fullmatch(text, pc_end, n_start):
        return False
    k_num, k_pc = (bisect_right(group.bases, i) - 1 for i in (n_start, pc_start))
    return k_num == k_pc or (group.few_cells(k_num) and group.few_cells(k_pc))


class Alone(NamedTuple):
    """What stands with a postcode in its address block (see `postcode_alone`)."""

    alone: bool  # no house number, and no number word before a street
    flats: list[str]  # flats written there
    streets: list[list[str]]  # words ending in a street type, or a Welsh type and what follows


_NOT_ALONE = Alone(False, [], [])


@dataclass(slots=True)
class Scanned:
    """What the trigger pass found in a text (see `triggers.Triggers`), read by the postcode
    checks instead of the text, and what they learnt of it: a list of postcodes asks the same
    of every postcode in it."""

    starts: list[int]  # sorted starts of the short digit-bearing tokens, save a phone's
    phones: list[tuple[int, int]]  # the phones' spans, in order
    word_bytes: bytes  # the text's [a-z0-9] runs, every other character a space, one more at each end
    doors: dict[tuple[int, int, str], bool] = field(default_factory=dict)  # NUMBER match: a house number?
    free: dict[int, bool] = field(default_factory=dict)  # start -> its NUMBER match read to the end is a door
    numbers_at: dict[int, frozenset[int]] = field(default_factory=dict)  # start -> the hashed house numbers named there


def postcode_alone(text: str, lo: int, pc_start: int, pc_end: int, hi: int, scanned: Scanned | None = None) -> Alone:
    """What else the postcode at `pc_start`..`pc_end` is written with in its address block
    `lo`..`hi` (cut at a blank line). A house number names a door of that postcode (a
    neighbour's, or the row's own, which `number_near_postcode` reads); a flat names a flat.
    `scanned`: what the trigger pass already found in `text`, read instead of the text itself."""
    cut = text.rfind("\n\n", lo, pc_start)
    lo = cut + 2 if cut >= 0 else lo
    cut = text.find("\n\n", pc_end, hi)
    hi = cut if cut >= 0 else hi
    sides = ((lo, pc_start), (pc_end, hi))
    # a house number on either side first: then nothing else is read (`alone_for` needs no
    # flats or streets of a postcode that is not alone; every register postcode is asked this)
    if any(_door_in(text, start, end, scanned) for start, end in sides):
        return _NOT_ALONE
    block = text[lo:hi]
    flats = [f.group(2) for f in FLAT_ANY.finditer(text, lo, hi)] if any(w in block for w in _FLAT_HINTS) else []
    streets: list[list[str]] = []
    for start, end in sides:
        words = words_between(text, scanned.word_bytes if scanned else None, start, end, 40)
        if NUMBER_WORDS.isdisjoint(words) and LEADING_TYPES.isdisjoint(words) and not any(map(_street_type, words)):
            continue  # the common case, read at C speed: nothing below can come of these words
        for i, w in enumerate(words):
            if w in NUMBER_WORDS and any(x in TYPE_FORMS for x in words[i + 1 : i + 4]):
                return _NOT_ALONE  # "Two Tennyson Close, BS1 4AB": a door of it
            if start == lo and i and canon_word(w) in STREET_TYPES:
                streets.append(words[max(0, i - 3) : i + 1])
            elif start == lo and w in LEADING_TYPES:
                streets.append(words[i : i + 4])
    return Alone(True, flats, streets)


# a flat is written with one of these (FLAT_ANY): without one, that pass over the block is spared
_FLAT_HINTS = ("flat", "apartment", "apt", "unit", "maisonette", "studio", "suite")


def _door_in(text: str, start: int, end: int, scanned: Scanned | None) -> bool:
    """A house number is written in `start`..`end`: a match of `NUMBER.finditer(text, start,
    end)` that is one (`_door`). A NUMBER match starts at a short digit-bearing token (its
    lookbehind rules out a start inside a token; one from a longer token is no house number) and
    reads at most _NUMBER_READS characters when no "/" is there: one starting that far before
    `end` is the one found with no end, read once per window for all the postcodes around it.
    Only the last tokens are matched here with the end, and a token `end` cuts, however long
    ("1234567" cut to "123" is a house number); `re` would try every position."""
    if scanned is None or _phone_in(scanned.phones, start, end) or text.find("/", start, end) >= 0:
        return any(_door(text, m) for m in NUMBER.finditer(text, start, end))  # (a phone's tokens are not in `starts`)
    starts, free = scanned.starts, scanned.free
    far = end - _NUMBER_READS
    k, stop = bisect_left(starts, start), bisect_left(starts, end)
    while k < stop and starts[k] < far:
        door = free.get(starts[k])
        if door is None:
            door = free[starts[k]] = _door_at(text, starts[k], None, scanned)
        if door:
            return True
        k += 1
    if any(_door_at(text, starts[j], end, scanned) for j in range(k, stop)):
        return True
    cut = scanned.word_bytes.rfind(b" ", 0, end + 1)  # where the token at `end` starts (word_bytes[i + 1] is text[i])
    return start <= cut < end and scanned.word_bytes[end + 1] != 32 and _door_at(text, cut, end, scanned)


_NUMBER_READS = 24  # a NUMBER match with no "/" reads 12 characters at most: "1234567 (a)" and the one after


def _door_at(text: str, p: int, end: int | None, scanned: Scanned) -> bool:
    m = NUMBER.match(text, p) if end is None else NUMBER.match(text, p, end)
    if not m:
        return False
    key = (p, m.end(), m.group(2))
    door = scanned.doors.get(key)
    if door is None:
        door = scanned.doors[key] = _door(text, m, scanned)
    return door


def _door(text: str, m: re.Match[str], scanned: Scanned | None = None) -> bool:
    """The NUMBER match `m` is a house number: not "Flat 5", not "5 May"."""
    if not house_number(m.group(2)) or blocked(text, m.start(), FLAT_WORDS):
        return False
    following = words_between(text, scanned.word_bytes if scanned else None, m.end(), m.end() + 20, 1)
    return not following or following[0] not in NOT_HOUSE_AFTER


def _phone_in(phones: list[tuple[int, int]], start: int, end: int) -> bool:
    k = bisect_left(phones, (end,))
    return k > 0 and phones[k - 1][1] > start


@lru_cache(maxsize=4096)
def _street_type(word: str) -> bool:
    return canon_word(word) in STREET_TYPES


def alone_for(row: Row, found: Alone) -> bool:
    """The postcode names nothing but the row's own postcode: no other door, no other flat of
    the row's building, and no other street ("The Old Library, Gordon Street, BL1 1TQ" is the
    address of a building on Gordon Street)."""
    if not found.alone or any(other_flat(row, f) for f in found.flats):
        return False
    return all(_spells_row_street(words, row) for words in found.streets)


def _spells_row_street(words: list[str], row: Row) -> bool:
    if words[0] in LEADING_TYPES:
        return row_street_in(words, row) > 0
    return any(row_street_in(words[j:], row) == len(words) - j for j in range(len(words) - 1))
