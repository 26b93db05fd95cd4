"""A numbered address: a house number next to the row's street ("14 Acacia Avenue", "Acacia
Avenue 14"), small typos and OCR slips allowed, unless what follows says it is another place.

- A range names its two ends: "14-16 Acacia Avenue" mentions 14 and 16, not 15.
- A short street name ("Ivy") may carry one slip only when the exact postcode is there too.
- An OCR'd number with no real digit ("ll", "lO") counts only before the row's street.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from mailguard.detect import budget
from mailguard.detect.register.flats import FLAT_AFTER, TENEMENT_BEFORE, flat_before, other_flat
from mailguard.detect.register.housenum import NUMBER, blocked, number_word_at
from mailguard.detect.register.index import CompiledIndex, name_key, type_keys
from mailguard.detect.register.locality import SCORE_POSTCODE, SCORE_STREET_ONLY, Postcodes, locality, postcode_near
from mailguard.detect.register.memo import Memo
from mailguard.detect.register.scanned import Group, Hit, mention
from mailguard.detect.register.street import StreetText, row_street_in, row_street_match
from mailguard.detect.register.ukforms import (
    FLAT_WORDS,
    NOT_HOUSE_AFTER,
    PO_BOX_STREET,
    STREET_TYPES,
    TYPE_FORMS,
    WORD_RE,
    canon_word,
    house_number,
    ocr_house_number,
    skeleton,
)
from mailguard.detect.register.words import next_words, words_in

_SUFFIXES = "abcdefgh"
_BOX_BEFORE = re.compile(r"(?<![a-z])(?:p\.?\s*o\.?\s*)?box\s*(?:no\.?\s*)?$")
# Up to four words ending in a street type right before a number ("Acacia Ave. 14").
_STREET_BEFORE = re.compile(r"(?:[a-z][a-z'’]*[ \-]){0,3}([a-z]+)\.? $")


@lru_cache(maxsize=65536)
def first_word_key(word: str) -> str:
    """A street's first word as the index keys it (the word after every house number asks)."""
    return skeleton(canon_word(word, first=True))


def number_first(
    index: CompiledIndex, group: Group, m: re.Match[str], postcodes: Postcodes, word_bytes: bytes, memo: Memo
) -> Iterator[Hit]:
    """`14 Acacia Avenue`: `m` is a housenum.NUMBER_WORD match (a house number, then a word)."""
    text = group.text
    number = house_number(m.group(2)) if m.group(2) else ocr_house_number(m.group(4))
    if number is None:
        return
    box = _BOX_BEFORE.search(text, max(0, m.start() - 12), m.start())
    if box and m.group(2) and not m.group(1):
        yield from _po_box(index, group, box.start(), number, m.end(2), postcodes)
        return
    other = house_number(m.group(1)) if m.group(1) else None
    at = m.start()
    if other and blocked(text, at):  # "Case 4471/67 Comely Gardens": a case number, then the house
        other, at = None, m.start(2)
    range_end = house_number(m.group(3)) if m.group(3) else None
    if range_end and (_value(range_end) <= _value(number) or blocked(text, at, FLAT_WORDS)):
        return  # "Flat 7 - 63 North Rd", "Flat 5 - 4 …": a flat, then the house number (read on its own)
    word_start = m.start("word")
    word = m.group("word")
    if len(word) == 1 and word in _SUFFIXES and number.isdigit() and not range_end and not m.group("flat"):
        # "30 C Cherry Lane": the suffix written apart
        nxt = re.match(r"[a-h][\s,]+(?=[a-z])", text[word_start : word_start + 8])
        if nxt:
            number, word_start = number + word, word_start + nxt.end()
    numbers = (number, other, range_end)
    yield from _candidates(index, group, at, numbers, word_start, postcodes, word_bytes, memo, "n", m.group("flat"))


def _value(number: str) -> int:
    return int(number.rstrip(_SUFFIXES))


def _po_box(
    index: CompiledIndex, group: Group, lead: int, number: str, end: int, postcodes: Postcodes
) -> Iterator[Hit]:
    """`PO Box 820, Leeds`: a PO box row (a refuge's address) by its box number, with its town or
    postcode after it (a box number alone is any town's box)."""
    for r in index.lookup(f"n:{number}:{PO_BOX_STREET[0]}"):
        row = index.row(r)
        if row.po_box and row.is_number(number):
            verdict = locality(index.towns, group.text, row, lead, end, postcodes)
            if verdict is not None and verdict[0] != SCORE_STREET_ONLY:
                yield mention(group, row.id, "address", lead, verdict[1], verdict[0])


def number_word_first(
    index: CompiledIndex, group: Group, start: int, end: int, postcodes: Postcodes, word_bytes: bytes, memo: Memo
) -> Iterator[Hit]:
    """`Two Tennyson Close`: the number word at `start`..`end` (a housenum.NUMBER_WORDS word).
    A word is weaker than digits ("one Church Street property"): it counts only with the row's
    town or postcode after the street."""
    found = number_word_at(group.text, start, end)
    if found is None:
        return
    number, after = found
    word = next_words(group.text, word_bytes, after)[:2]
    if word:
        word_start = group.text.find(word[0], after)
        if len(word) == 2 and len(word[0]) == 1 and word[0] in _SUFFIXES:  # "Seventy-one A Gloucester Road"
            number, word_start = number + word[0], group.text.find(word[1], word_start + 1)
        numbers = (number, None, None)
        for hit in _candidates(index, group, start, numbers, word_start, postcodes, word_bytes, memo, "w"):
            if hit.score != SCORE_STREET_ONLY:
                yield hit


def _candidates(
    index: CompiledIndex,
    group: Group,
    at: int,
    numbers: tuple[str, str | None, str | None],
    word_start: int,
    postcodes: Postcodes,
    word_bytes: bytes,
    memo: Memo,
    tag: str,
    flat: str | None = None,
) -> Iterator[Hit]:
    """The rows of the house number(s) at `at` whose street's first word (or, mistyped, its type)
    starts at `word_start`, verified; `flat`: a flat written in brackets after the number."""
    words = next_words(group.text, word_bytes, word_start)
    if not words:
        return
    first = first_word_key(words[0])
    written = [num for num in numbers if num]
    reader = StreetText(words, index.probe)
    if first in index.street_words:
        keys = [f"n:{num}:{first}" for num in written]
        # a compound written apart ("Black Horse Lane" for Blackhorse Lane) whose first part is
        # another street's first word (at a million rows most words are): its name, whole
        names = reader.names_before_type(_APART_EDITS, least=2)
        keys += [name_key(num, name) for name in names for num in written]
        rows = index.lookup_many(keys)
    else:  # not a street word of the register: perhaps a mistyped one, before its type
        rows = _mistyped(index, reader, first, written)
    if rows:
        budget.current().tick(len(rows))
        yield from memo.run(
            group, at, tag, lambda: _verify(index, group, at, postcodes, numbers, word_start, reader, rows, flat)
        )


_FEW_ROWS = 4  # rows of a mistyped street verified one by one; more are narrowed by name first


def _mistyped(index: CompiledIndex, reader: StreetText, first: str, written: list[str]) -> set[int]:
    """The candidate rows of a first word (its key `first`) that is no register street word, before a street type:
    first, whether any row has the number and type with the word's first or last letter (cheap:
    in a small register most such words have none); a handful are verified as they are; more (a
    large register) are narrowed to the rows with this number on the streets within a few edits
    of the name written (`names_before_type`), which costs hashing its deletion variants."""
    kinds = [canon_word(w) for w in reader.words[1:5] if w in TYPE_FORMS]
    rows = index.lookup_many([key for num in written for kind in kinds for key in type_keys(num, kind, first)])
    if len(rows) <= _FEW_ROWS:
        return rows
    return index.lookup_many([name_key(num, name) for name in reader.names_before_type() for num in written])


_APART_EDITS = 1  # a compound written apart, with one slip at most ("Black Hores Lane")
_STREET_READ = 80  # characters of the street read after the number: a street ends within them


def _verify(
    index: CompiledIndex,
    group: Group,
    at: int,
    postcodes: Postcodes,
    numbers: tuple[str, str | None, str | None],
    word_start: int,
    reader: StreetText,
    rows: set[int],
    bracketed: str | None = None,
) -> Iterator[Hit]:
    """The candidate `rows` of the house number at `at` (its word at `word_start`), verified."""
    text = group.text
    number, other, range_end = numbers
    window = words_in(text[word_start : word_start + _STREET_READ], 6)
    flat = flat_before(text, at)
    tenement = None if flat or other else TENEMENT_BEFORE.search(text, max(0, at - 8), at)
    lead = flat.start() if flat else tenement.start() if tenement else at
    if blocked(text, lead):
        return
    hashed = [index.probe.number(n) for n in numbers]
    for r in rows:
        row = index.row(r)
        if row.number == hashed[0]:
            text_flat = other or bracketed or (flat.group(2) if flat else tenement.group(1) if tenement else None)
        elif row.number == hashed[1] and not range_end:
            text_flat = number
        elif row.number == hashed[2]:
            text_flat = None
        else:
            continue
        if other_flat(row, text_flat):
            continue  # another flat in the same building
        used = row_street_match(reader, row)
        loose = not used
        if loose:
            if not postcode_near(postcodes, row, lead, word_start + _STREET_READ):
                continue  # (as below, for any street end: asked first, it spares the loose reading)
            used = row_street_match(reader, row, loose=True)
            street_end = word_start + window[used - 1][2] if used else 0
            if not used or not postcode_near(postcodes, row, lead, street_end):
                continue  # a loose street counts only with the row's postcode close by
        street_end = word_start + window[used - 1][2]
        flat_after = FLAT_AFTER.match(text, street_end)
        if flat_after and other_flat(row, flat_after.group(2)):
            continue  # "30 Rowan Road (flat 5)"
        verdict = locality(index.towns, text, row, lead, street_end, postcodes)
        if verdict is not None and (not loose or verdict[0] == SCORE_POSTCODE):
            score, end = verdict
            yield mention(group, row.id, "address", lead, end, score)


def street_first(index: CompiledIndex, group: Group, pos: int, postcodes: Postcodes) -> Iterator[Hit]:
    """`Acacia Avenue 14`: a street with its type, then the house number at `pos` (the order of
    many forms and of people from abroad). Only a space or a dot between, and the number must
    not be a date, a time or a quantity ("Acacia Avenue 14 May", "… 14 times")."""
    text = group.text
    m = NUMBER.match(text, pos)
    before = _STREET_BEFORE.search(text, max(0, pos - 64), pos)
    if not m or not before or m.group(1) or canon_word(before.group(1)) not in STREET_TYPES:
        return
    number = house_number(m.group(2))
    following = words_in(text[m.end() : m.end() + 40], 1)
    if number is None or (following and following[0][0] in NOT_HOUSE_AFTER):
        return
    spans = [(w.group(), w.start()) for w in WORD_RE.finditer(text, before.start(), pos)]
    for size in range(min(len(spans), 4), 1, -1):
        street = [w for w, _ in spans[-size:]]
        first = skeleton(canon_word(street[0], first=True))
        if first not in index.street_words:
            continue
        lead = spans[-size][1]
        for r in index.lookup(f"n:{number}:{first}"):
            row = index.row(r)
            if not row.is_number(number) or row_street_in(street, row) != size or blocked(text, lead):
                continue
            flats = (flat_before(text, lead), FLAT_AFTER.match(text, m.end()))
            if any(f and other_flat(row, f.group(2)) for f in flats):
                continue  # "Flat 5, Rowan Road 30": another flat of the building
            verdict = locality(index.towns, text, row, lead, m.end(), postcodes)
            if verdict is not None:
                yield mention(group, row.id, "address", lead, verdict[1], verdict[0])
