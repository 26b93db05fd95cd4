"""Find protected addresses, phones and emails in scanned text.

Cheap first: a handful of C-speed regexes find the only places worth a look (a postcode-like
token, a number followed by a word, a phone-like run, an email); text without them costs one
pass per regex. Each trigger looks up candidate rows in the compiled index and only those are
verified, so cost does not grow with the register.

What counts (issue 4): the house number written exactly, next to the row's street (small typos
and OCR slips allowed), unless a different town or postcode right after it says it is another
place; or the row's postcode with the row's house number close by. Never: a neighbour's number,
a different flat of the same building, a postcode alone, a street or town alone, a number that
belongs to something else ("Order 14", "14 May").

Decisions (each has a test in tests/detect/register/test_match.py):
- A range names its two ends: "14-16 Acacia Avenue" mentions 14 and 16, not 15.
- "Acacia Avenue 14" (street, then number) counts like "14 Acacia Avenue".
- A short street name ("Ivy") may carry one slip only when the exact postcode is there too.
- An OCR'd number with no real digit ("ll", "lO") counts only before the row's street.
- A flat written anywhere near (before, "5/30", "(flat 5)" after) that is not the row's flat
  means another flat of the building; no flat written means the building, which counts.
- A known town after the street that is not the row's town vetoes, even with a postcode of the
  row's district; an unknown place name does not (fail closed).
- Emails spelled with bracketed "[at]"/"(dot)" count; bare "at"/"dot" words are not read.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from mailguard.detect.register import triggers
from mailguard.detect.register.index import CompiledIndex, Row, type_keys
from mailguard.detect.register.model import Mention
from mailguard.detect.register.normalise import (
    BLOCKERS,
    FLAT_WORDS,
    LEADING_TYPES,
    NOT_HOUSE_AFTER,
    STREET_TYPES,
    TYPE_FORMS,
    WORD_RE,
    canon_phone,
    canon_postcode,
    canon_street,
    canon_word,
    deobfuscate_email,
    house_number,
    ocr_house_number,
    outward,
    postcode_key,
    skeleton,
)
from mailguard.detect.register.street import StreetText, street_match
from mailguard.detect.register.text import Group, groups
from mailguard.detect.register.towns import place_key
from mailguard.detect.register.words import WordsBefore, next_words, word_before, words_before, words_in
from mailguard.message.model import Segment

# A house number: digits (some OCR'd as letters), a letter suffix written on or after a hyphen
# ("30c", "66-A").
_NUM = r"([0-9oilsz]{0,3}[0-9][0-9oilsz]{0,3}(?:[a-z]|-[a-h](?![a-z0-9]))?)"
_NUM_START = r"(?<![\w£$€/:\-])(?<!\d\.)(?:([0-9]{1,4}[a-z]?) ?/ ?)?"
# "14 Acacia", "2/14 Acacia", "30C, Cherry", "14-16 Acacia" (a range names both ends), "ll Maple"
# (OCR'd 11 with no real digit): a house number followed by a word.
NUMBER_WORD = re.compile(
    _NUM_START
    + r"(?:"
    + _NUM
    + r"(?: ?- ?([0-9]{1,4}[a-z]?))?|([li][lio]{1,2}))(?![\w/%:£\-])[\s,|]+([a-z][a-z0-9'’]*)"
)
# A bare number (the house number near a postcode).
NUMBER = re.compile(_NUM_START + _NUM + r"(?![\w/%:£\-])")
_PREV_WORDS = re.compile(r"(?:([a-z£$€#]+)\.?[\s:,#|]+)?(?<![a-z£$€#])([a-z£$€#]+)\.?[\s:,#|]*$")
_DIGIT = re.compile(r"\d")
_NUMBER_WORDS = frozenset({"no", "number", "num", "nr", "#"})
# A flat's own number: digits, or one letter ("flat b", "g01"); never a word ("the flat at 14").
# A Scottish tenement flat is floor/door ("2/1", "0/2"): one identifier.
_FLAT = (r"(?<![a-z])(flat|apartment|apt|unit|maisonette|studio|suite)\.?\s*(?:no\.?\s*)?"
         r"([0-9][a-z0-9]*(?: ?/ ?[0-9][a-z0-9]?(?![0-9]))?|[a-z][0-9]+[a-z]?|[a-z](?![a-z0-9]))")
# A flat before the house number, perhaps with its building's name between: "Flat 31,
# Riverside Point, 29 Fernbank Row" is flat 31 of number 29.
# (Building names run long: "Flat 8, Victoria and Albert Riverside Residences, 51 Comely Drive".)
_FLAT_BEFORE = re.compile(_FLAT + r"(?:[\s,|]+[a-z][a-z'’\-]*){0,6}[\s,|]*$")
FLAT_BEFORE_CHARS = 80
# A tenement flat written bare before the house number: "2/1 45 Gibson Street", "0/2, 17 …".
_TENEMENT_BEFORE = re.compile(r"(?<![\w/])([0-3] ?/ ?[0-9])[\s,]+$")
_FLAT_ANY = re.compile(_FLAT + r"(?![a-z0-9])")
# Up to four words ending in a street type right before a number ("Acacia Ave. 14").
_STREET_BEFORE = re.compile(r"(?:[a-z][a-z'’]*[ \-]){0,3}([a-z]+)\.? $")
_FLAT_AFTER = re.compile(r"[\s,(\-|]*" + _FLAT + r"(?![a-z0-9])")

AFTER_CHARS = 120  # how far after a street a town or postcode still belongs to it
ATTACHED_WORDS = 5  # words between a street and its postcode (localities, town, a label)
BEFORE_CHARS = 60  # postcode written first
NUMBER_BEFORE_POSTCODE = 110
NUMBER_AFTER_POSTCODE = 40

SCORE_POSTCODE, SCORE_TOWN, SCORE_STREET_ONLY, SCORE_NUMBER_POSTCODE = 1.0, 0.95, 0.8, 0.9


_phone_key = lru_cache(maxsize=4096)(canon_phone)  # office numbers recur in every signature


@lru_cache(maxsize=65536)
def _name_key(house_name: tuple[str, ...]) -> str:
    return skeleton(" ".join(house_name))


@lru_cache(maxsize=65536)
def _first_word_key(word: str) -> str:
    """A street's first word as the index keys it (the word after every house number asks)."""
    return skeleton(canon_word(word, first=True))


def _canon_flat(value: str) -> str:
    value = value.replace(" ", "")
    return house_number(value) or value


def _other_flat(row: Row, text_flat: str | None) -> bool:
    """The text names a flat and the row is a different flat of that building."""
    return bool(row.flat and text_flat and _canon_flat(text_flat) != _canon_flat(row.flat))


def _place_at(words: Sequence[str], place: tuple[str, ...]) -> int:
    """End index in `words` of a (fuzzy) occurrence of `place`, or -1."""
    key = place_key(place)
    size = len(place)
    for i in range(len(words)):
        cand = place_key(canon_street(list(words[i : i + size])))
        if fuzz.ratio(cand, key) >= 85:
            return i + size
        if size > 1 and len(place[0]) >= 5 and skeleton(words[i]) == skeleton(place[0]):
            return i + 1  # "Newcastle" for "Newcastle upon Tyne"
    return -1


class Matcher:
    def __init__(self, index: CompiledIndex) -> None:
        self.index = index
        self._designators = triggers.words_pattern(index.designators)

    def find(self, segments: Sequence[Segment]) -> list[Mention]:
        found: dict[tuple[str, int, int, int], Mention] = {}
        for group in groups(segments):
            for m in self._scan(group):
                key = (m.register_id, m.segment_index, m.start, m.end)
                if key not in found or found[key].score < m.score:
                    found[key] = m
        return _drop_covered(list(found.values()))

    def _scan(self, group: Group) -> Iterator[Mention]:
        text = group.text
        trig = triggers.find(text, self.index.has_phones, self.index.has_emails, self._designators)
        postcodes = []
        for m in trig.postcodes:
            pc = canon_postcode(m.group(1), m.group(2))
            if pc:
                postcodes.append((m.start(), m.end(), postcode_key(pc)))
        for i, (start, end, pc) in enumerate(postcodes):
            rows = self.index.lookup("p:" + pc)
            if not rows:
                continue
            lo = max(postcodes[i - 1][1] if i else 0, start - NUMBER_BEFORE_POSTCODE)
            hi = min(postcodes[i + 1][0] if i + 1 < len(postcodes) else len(text), end + NUMBER_AFTER_POSTCODE)
            for r in rows:
                row = self.index.row(r)
                if postcode_key(row.postcode) == pc:
                    yield from self._number_near_postcode(group, row, lo, start, end, hi)
        for pos in trig.numbers:
            m = NUMBER_WORD.match(text, pos)
            if m:
                yield from self._address_at(group, m, postcodes, trig.word_bytes)
            if text[pos - 1 : pos] == " " and word_before(text, pos) in TYPE_FORMS:
                yield from self._street_first(group, pos, postcodes)
        for start, end in trig.words:
            yield from self._named_house(group, start, end, postcodes)
        for m in trig.phones:
            yield from self._exact(group, m, "ph:", _phone_key(m.group()), "phone")
        for m in trig.emails:
            raw = m.group().rstrip(".")
            yield from self._exact(group, m, "e:", deobfuscate_email(raw), "email", m.start() + len(raw))

    def _exact(
        self, group: Group, m: re.Match[str], prefix: str, value: str | None, kind: str, end: int | None = None
    ) -> Iterator[Mention]:
        if not value:
            return
        for r in self.index.lookup(prefix + value):
            row = self.index.row(r)
            if value in (row.phones if kind == "phone" else row.emails):
                yield _mention(group, row.id, kind, m.start(), end or m.end(), 1.0)

    # --- number + street ---------------------------------------------------------------
    def _address_at(
        self, group: Group, m: re.Match[str], postcodes: list[tuple[int, int, str]], word_bytes: bytes
    ) -> Iterator[Mention]:
        text = group.text
        number = house_number(m.group(2)) if m.group(2) else ocr_house_number(m.group(4))
        if number is None:
            return
        other = house_number(m.group(1)) if m.group(1) else None
        range_end = house_number(m.group(3)) if m.group(3) else None
        word_start = m.start(5)
        word = m.group(5)
        if len(word) == 1 and word in "abcdefgh" and number.isdigit() and not range_end:
            # "30 C Cherry Lane": the suffix written apart
            nxt = re.match(r"[a-h][\s,]+(?=[a-z])", text[word_start : word_start + 8])
            if nxt:
                number, word_start = number + word, word_start + nxt.end()
        words = next_words(text, word_bytes, word_start)
        if not words:
            return
        first = _first_word_key(words[0])
        numbers = [num for num in (number, other, range_end) if num]
        if first in self.index.street_words:
            keys = [f"n:{num}:{first}" for num in numbers]
        else:  # not a street word of the register: perhaps a mistyped one, before its type
            kinds = [canon_word(w) for w in words[1:5] if w in TYPE_FORMS]
            if not kinds:
                return
            keys = [key for num in numbers for kind in kinds for key in type_keys(num, kind, first)]
        rows = self.index.lookup_many(keys)
        if not rows:
            return
        window = words_in(text[word_start : word_start + 80], 6)
        flat_before = _FLAT_BEFORE.search(text, max(0, m.start() - FLAT_BEFORE_CHARS), m.start())
        tenement = None if flat_before or other else _TENEMENT_BEFORE.search(text, max(0, m.start() - 8), m.start())
        lead = flat_before.start() if flat_before else tenement.start() if tenement else m.start()
        if _blocked(text, lead):
            return
        reader = StreetText(words)
        for r in rows:
            row = self.index.row(r)
            if row.number == number:
                text_flat = other or (flat_before.group(2) if flat_before else tenement.group(1) if tenement else None)
            elif row.number == other and not range_end:
                text_flat = number
            elif row.number == range_end:
                text_flat = None
            else:
                continue
            if _other_flat(row, text_flat):
                continue  # another flat in the same building
            used = reader.match(row.street)
            loose = not used
            if loose:
                used = reader.match(row.street, loose=True)
                if not used or all(p[2] != postcode_key(row.postcode) for p in postcodes):
                    continue  # a loose street counts only with the row's postcode (see below)
            street_end = word_start + window[used - 1][2]
            flat_after = _FLAT_AFTER.match(text, street_end)
            if flat_after and _other_flat(row, flat_after.group(2)):
                continue  # "30 Rowan Road (flat 5)"
            verdict = self._locality(text, row, lead, street_end, postcodes)
            if verdict is not None and (not loose or verdict[0] == SCORE_POSTCODE):
                score, end = verdict
                yield _mention(group, row.id, "address", lead, end, score)

    def _street_first(self, group: Group, pos: int, postcodes: list[tuple[int, int, str]]) -> Iterator[Mention]:
        """`Acacia Avenue 14`: a street with its type, then the house number (the order of many
        forms and of people from abroad). Only a space or a dot between, and the number must
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
            if first not in self.index.street_words:
                continue
            lead = spans[-size][1]
            for r in self.index.lookup(f"n:{number}:{first}"):
                row = self.index.row(r)
                if row.number != number or street_match(street, row.street) != size or _blocked(text, lead):
                    continue
                flats = (_FLAT_BEFORE.search(text, max(0, lead - FLAT_BEFORE_CHARS), lead),
                         _FLAT_AFTER.match(text, m.end()))
                if any(f and _other_flat(row, f.group(2)) for f in flats):
                    continue  # "Flat 5, Rowan Road 30": another flat of the building
                verdict = self._locality(text, row, lead, m.end(), postcodes)
                if verdict is not None:
                    yield _mention(group, row.id, "address", lead, verdict[1], verdict[0])

    def _locality(
        self, text: str, row: Row, start: int, street_end: int, postcodes: list[tuple[int, int, str]]
    ) -> tuple[float, int] | None:
        """(score, span end) when nothing nearby says this is another place; None when it does.

        Only what follows the street closely (a few words: locality, town, postcode) is read as
        part of this address; a postcode further on belongs to the next one."""
        row_pc = postcode_key(row.postcode)
        after_pc = next(
            (
                p
                for p in postcodes
                if street_end <= p[0] < street_end + AFTER_CHARS and _attached(text, street_end, p[0])
            ),
            None,
        )
        if after_pc and after_pc[2] == row_pc:
            return SCORE_POSTCODE, after_pc[1]
        limit = after_pc[0] if after_pc else street_end + AFTER_CHARS
        after = words_in(text[street_end:limit], ATTACHED_WORDS + 3)
        words = [w for w, _, _ in after]
        for place in row.places:
            end = _place_at(words[:ATTACHED_WORDS], place)
            if end > 0:
                if after_pc and outward(after_pc[2]) != outward(row_pc):
                    return None  # same street and town, but a postcode of another district
                return SCORE_TOWN, street_end + after[end - 1][2]
        if self._names_a_town(words):
            return None  # "…, Wakefield": the same street in another town
        if after_pc:
            if outward(after_pc[2]) == outward(row_pc):
                return SCORE_NUMBER_POSTCODE, after_pc[1]  # same district: a mistyped postcode
            return None  # a postcode of another district follows: another place
        before_pc = next((p for p in reversed(postcodes) if start - BEFORE_CHARS <= p[0] and p[1] <= start), None)
        if before_pc and before_pc[2] == row_pc:
            return SCORE_POSTCODE, street_end  # postcode written first
        return SCORE_STREET_ONLY, street_end

    def _names_a_town(self, words: Sequence[str]) -> bool:
        return any(
            place_key(canon_street(words[i : i + size])) in self.index.towns
            for i in range(min(3, len(words)))
            for size in (1, 2, 3)
        )

    # --- a named house on its street: "Rose Cottage, Mill Lane, Austwick" ------------------------
    def _named_house(
        self, group: Group, d_start: int, d_end: int, postcodes: list[tuple[int, int, str]]
    ) -> Iterator[Mention]:
        """A house with a name and no number is found by its street's designator (no digit to
        trigger on): the name stands where a number would, right before the street, and the
        locality rules of numbered addresses apply (another town or district after it vetoes)."""
        text = group.text
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
        rows = [row for row in map(self.index.row, self.index.lookup(key)) if row.house_name and not row.number]
        if not rows:
            return
        earlier = WordsBefore(text)
        streets: dict[int, tuple[int, int, StreetText]] = {}  # by word count: the rows share the text
        for row in rows:
            size = len(row.street)
            if size not in streets:
                if kind in LEADING_TYPES:
                    start, street = d_start, words_in(text[d_start : d_start + 80], size + 1)
                    street_end = start + street[size - 1][2] if len(street) >= size else -1
                else:
                    street = earlier(d_end, size)
                    start, street_end = (street[0][1], d_end) if len(street) == size else (-1, -1)
                streets[size] = start, street_end, StreetText([w for w, _, _ in street])
            start, street_end, reader = streets[size]
            if street_end < 0 or reader.match(row.street) != size:
                continue
            name_at = self._house_name_before(text, row, start, earlier)
            if name_at is None:
                continue
            verdict = self._locality(text, row, name_at, street_end, postcodes)
            # "Rose Cottage, Mill Lane" names thousands of houses: the row's locality, town or
            # postcode district must follow, not merely nothing that says otherwise
            if verdict is not None and verdict[0] != SCORE_STREET_ONLY:
                yield _mention(group, row.id, "address", name_at, verdict[1], verdict[0])

    @staticmethod
    def _house_name_before(text: str, row: Row, street_start: int, earlier: WordsBefore) -> int | None:
        """Start of the row's house name written just before its street (a comma, a line break
        or nothing between), or None."""
        name = _name_key(row.house_name)
        if len(name) < 5:
            return None
        size = len(row.house_name)
        for k in (size, size + 1, size - 1):
            cand = earlier.tail(street_start, size + 1, k)
            if cand and fuzz.ratio(cand[0], name, score_cutoff=88):
                gap = text[cand[2] : street_start]
                if len(gap) <= 3 and not _DIGIT.search(gap):
                    return cand[1]
        return None

    # --- house number near the postcode ----------------------------------------------------
    def _number_near_postcode(
        self, group: Group, row: Row, lo: int, pc_start: int, pc_end: int, hi: int
    ) -> Iterator[Mention]:
        text = group.text
        if not row.number:
            yield from self._house_name_near(group, row, lo, pc_start, pc_end)
            return
        for m in NUMBER.finditer(text, lo, hi):
            if pc_start <= m.start() < pc_end:
                continue
            nums = (house_number(m.group(2)), house_number(m.group(1)) if m.group(1) else None)
            if row.number not in nums:
                continue
            if _blocked(text, m.start(), FLAT_WORDS):
                continue
            if not _beside(group, m.start(), m.end(), pc_start, pc_end):
                continue  # another cell's or another row's number: bedrooms, rent, a count
            if row.flat and self._names_other_flat(text, m, row, lo, pc_start, hi):
                continue  # "Flat 5, 30 Rowan Road, LS6 2QT": another flat of the row's building
            following = [w for w, _, _ in words_in(text[m.end() : m.end() + 60], 5)]
            if following and following[0] in NOT_HOUSE_AFTER:
                continue
            street_words = [canon_word(w) for w in following[:4]]
            if any(w in STREET_TYPES for w in street_words) and not street_match(following, row.street, loose=True):
                continue  # the number of some other street
            if m.start() > pc_end and any(w in STREET_TYPES for w in street_words):
                continue  # postcode first: the address path reads "BS1 4AB, 14 Acacia Avenue"
            first, last = min(m.start(), pc_start), max(m.end(), pc_end)
            yield _mention(group, row.id, "postcode_number", first, last, SCORE_NUMBER_POSTCODE)

    @staticmethod
    def _names_other_flat(text: str, m: re.Match[str], row: Row, lo: int, pc_start: int, hi: int) -> bool:
        """A flat is written with this number (before it, as `5/30`, or between it and the
        postcode) and none of those is the row's flat."""
        flats = [m.group(1)] if m.group(1) and house_number(m.group(2)) == row.number else []
        before = _FLAT_BEFORE.search(text, max(lo, m.start() - FLAT_BEFORE_CHARS), m.start())
        if before:
            flats.append(before.group(2))
        end = pc_start if m.end() <= pc_start else min(hi, m.end() + 60)
        flats += [f.group(2) for f in _FLAT_ANY.finditer(text, m.end(), end)]
        return bool(flats) and all(_other_flat(row, f) for f in flats)

    def _house_name_near(self, group: Group, row: Row, lo: int, pc_start: int, pc_end: int) -> Iterator[Mention]:
        name = skeleton(" ".join(row.house_name))
        if len(name) < 5:
            return
        window = skeleton(" ".join(w for w, _, _ in words_in(group.text[lo:pc_start], 30)))
        hit = fuzz.partial_ratio_alignment(name, window)
        if hit and hit.score >= 90:
            yield _mention(group, row.id, "postcode_number", lo, pc_end, SCORE_NUMBER_POSTCODE)


# What may stand between a postcode and the house number after it: "BS1 4AB, 14", "BS1 4AB |
# 14", "BS1 4AB, house number 14" -- not another cell's words ("BS1 4AB | House | 1").
_LABEL_BETWEEN = re.compile(
    r"[\s,;:.()\-|]*(?:(?:house|door|property|building)\s*)?(?:(?:number|no|num|nr)\.?\s*)?[\s:#.(]*"
)
_CELL = " | "


def _beside(group: Group, n_start: int, n_end: int, pc_start: int, pc_end: int) -> bool:
    """Whether a number near a postcode can be that postcode's house number: written after it,
    only a label ("house number") may come between; and it stays in the postcode's own table
    row unless the row holding it is a label/value pair ("House number | 14" over "Postcode |
    BS1 4AB"). A wide row's other cells (bedrooms, rent, counts) are not house numbers."""
    text = group.text
    if n_start > pc_end and not _LABEL_BETWEEN.fullmatch(text, pc_end, n_start):
        return False
    k_num, k_pc = (bisect_right(group.bases, i) - 1 for i in (n_start, pc_start))
    if k_num == k_pc:
        return True
    return all(_member(group, k).count(_CELL) <= 1 for k in (k_num, k_pc))


def _member(group: Group, k: int) -> str:
    end = group.bases[k + 1] - 1 if k + 1 < len(group.bases) else len(group.text)
    return group.text[group.bases[k] : end]


def _attached(text: str, start: int, end: int) -> bool:
    """A few words and no number between a street and a postcode (a number starts another address)."""
    return len(WORD_RE.findall(text, start, end)) <= ATTACHED_WORDS and not _DIGIT.search(text, start, end)


def _blocked(text: str, pos: int, extra: frozenset[str] = frozenset()) -> bool:
    """The word before (or before "No.") makes this number something else: "Order 14", "Ref no. 14"."""
    prev = _PREV_WORDS.search(text, max(0, pos - 32), pos)
    if not prev:
        return False
    word = prev.group(2)
    if word in _NUMBER_WORDS and prev.group(1):
        word = prev.group(1)
    return word in BLOCKERS or word in extra


def _mention(group: Group, rid: str, kind: str, start: int, end: int, score: float) -> Mention:
    seg, s, e, matched = group.locate(start, end)
    return Mention(rid, kind, seg, s, e, matched, score)


def _drop_covered(mentions: list[Mention]) -> list[Mention]:
    """A postcode_number mention inside an address mention of the same row adds nothing."""
    spans = {(m.register_id, m.segment_index): m for m in mentions if m.kind == "address"}
    out = []
    for m in mentions:
        a = spans.get((m.register_id, m.segment_index))
        if m.kind == "postcode_number" and a and a.start <= m.end and m.start <= a.end:
            continue
        out.append(m)
    return sorted(out, key=lambda m: (m.segment_index, m.start, m.register_id))
