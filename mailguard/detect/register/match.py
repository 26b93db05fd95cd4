"""Find protected addresses, phones and emails in scanned text.

Cheap first: a handful of C-speed regexes find the only places worth a look (a postcode-like
token, a number followed by a word, a phone-like run, an email); text without them costs one
pass per regex. Each trigger looks up candidate rows in the compiled index and only those are
verified, so cost does not grow with the register. This module gathers the triggers and hands
each to its check: `address` (number and street), `postcode` (postcode and number), `named`
(named house), `contacts` (phone, email); `flats` and `locality` are the checks they share.
A row is keyed hashes only (`record`): every check hashes what the text says with the register
key (`probe`) and compares hashes, typos through hashed deletion variants (`fuzzy`); the
matcher never holds a row's text.

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
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from functools import partial
from typing import NamedTuple

from mailguard.detect import budget
from mailguard.detect.register import contacts, triggers
from mailguard.detect.register.address import first_word_key, number_first, number_word_first, street_first
from mailguard.detect.register.housenum import NUMBER_WORD, NUMBER_WORDS
from mailguard.detect.register.index import CompiledIndex
from mailguard.detect.register.locality import SCORE_POSTCODE_ALONE, Postcodes
from mailguard.detect.register.memo import AFTER, BEFORE, Memo
from mailguard.detect.register.named import named_house
from mailguard.detect.register.postcode import (
    NUMBER_AFTER_POSTCODE,
    NUMBER_BEFORE_POSTCODE,
    Scanned,
    alone_for,
    number_near_postcode,
    postcode_alone,
    street_before_postcode,
)
from mailguard.detect.register.probe import NUMBER_BASE, PREFIX, number_base
from mailguard.detect.register.record import Made
from mailguard.detect.register.scanned import Group, Hit, groups, mention, place
from mailguard.detect.register.ukforms import TYPE_FORMS, canon_postcode, house_number, postcode_key
from mailguard.detect.register.values import Mention
from mailguard.detect.register.words import word_before
from mailguard.message.model import Segment

# hits of one (row, kind) per group kept beyond the best: a mail merge names a row thousands of times
_SAME_ROW_KEPT = 32
CHUNK = 8192
_FEW_NUMBERS = 64  # digit-bearing tokens in a window read one by one; more are sifted first
# what a NUMBER_WORD match can start with (a digit, or a letter OCR makes of one): "bs8" cannot
# (the property test of the sifted path against the one-by-one path keeps this true)
_NUMBER_LEADS = frozenset("0123456789oilsz")
_REMEMBERED = 65536  # entries per per-token store; it starts afresh when full
_FOLLOW_CHARS = 88  # how far `number_first` reads words after a number: 80 characters, 8 more after "30 c"
_TRIGRAM = re.compile(r"(?=([a-z0-9]{3}))")


class _PostcodeRows(NamedTuple):
    rows: list[int]
    named: bool
    numbers: frozenset[int]  # hashes (see `record`)
    prefixes: frozenset[int]


class Matcher:
    def __init__(self, index: CompiledIndex) -> None:
        self.index = index
        # whole words worth a look: named houses' street designators and house numbers as words
        self._designators = triggers.word_set((*index.designators, *NUMBER_WORDS))
        self._memo = Memo()  # per trigger
        self._chunks = Memo(limit=256)  # per chunk of a long text
        # per-token work remembered across scans (tokens repeat: postcodes, house numbers)
        self._pc_keys: dict[str, str] = {}  # a postcode as written -> its key, "" if none
        self._near_rows: dict[str, _PostcodeRows] = {}
        self._token_numbers: dict[str, frozenset[int]] = {}  # a token -> the hashes of the house numbers it names
        self._leads: dict[bytes, bool] = {}  # a word: the first word of a register street?
        self._types = frozenset(w.encode() for w in TYPE_FORMS)
        self._trigrams: Made[str, int] = Made(lambda tri: index.probe.hash(PREFIX + tri))  # at most 36**3 of them
        self._trigram_hashes = bytearray(8 * 36**3) if index.hasher is not None else None  # the same, for C

    def find(self, segments: Sequence[Segment]) -> list[Mention]:
        """Every mention, one per (row, span); stops with BudgetExceeded when the scan's budget
        (see `budget`) runs out."""
        found: dict[tuple[str, int, int, int], Mention] = {}
        for group in groups(segments):
            for hit in self._scan(group):
                m = place(group, hit)
                key = (m.register_id, m.segment_index, m.start, m.end)
                if key not in found or found[key].score < m.score:
                    found[key] = m
        return _drop_covered(list(found.values()))

    def _scan(self, group: Group) -> Iterator[Hit]:
        """A long text is read in chunks cut at the first space after CHUNK characters (so that
        repeated text is cut alike), each with the margins its checks read, and each chunk's hits
        are remembered by its content: a 10 MB mail merge of one letter is verified once per
        distinct chunk."""
        text = group.text
        if len(text) <= 2 * CHUNK:
            yield from self._scan_window(group, 0, len(text))
            return
        seen: dict[tuple[str, str], tuple[int, float]] = {}
        start = 0
        while start < len(text):
            cut = text.find(" ", start + CHUNK)
            end = len(text) if cut < 0 or cut + CHUNK > len(text) else cut + 1
            lo, hi = max(0, start - BEFORE), min(len(text), end + AFTER)
            window = group.window(lo, hi)
            check = partial(self._scan_window, window, start - lo, end - lo)
            found = self._chunks.whole(window, (start - lo, end - lo), check)
            for hit in found:
                count, best = seen.get((hit.register_id, hit.kind), (0, -1.0))
                if count < _SAME_ROW_KEPT or hit.score > best:
                    seen[(hit.register_id, hit.kind)] = count + 1, max(best, hit.score)
                    yield hit.moved(lo)
            start = end

    def _scan_window(self, group: Group, core_lo: int, core_hi: int) -> Iterator[Hit]:
        """The hits of the triggers starting in `core_lo`..`core_hi` of the group's text."""
        index, text, memo = self.index, group.text, self._memo
        work = budget.current()
        trig = triggers.find(text, index.has_phones, index.has_emails, self._designators)
        work.tick(len(text) >> 10)
        postcodes: Postcodes = []
        keys = self._pc_keys
        for m in trig.postcodes:
            written = m.group()  # its canonical form is a function of this (of its letters and digits)
            pc = keys.get(written)
            if pc is None:
                if len(keys) >= _REMEMBERED:
                    keys.clear()
                canon = canon_postcode(*m.group(1, 2))
                pc = keys[written] = postcode_key(canon) if canon else ""
            if pc:
                postcodes.append((m.start(), m.end(), pc))
        known, ops = self._near_rows, 0
        scanned = Scanned(trig.numbers, [m.span() for m in trig.phones], trig.word_bytes)
        for i, (start, end, pc) in enumerate(postcodes):
            near = known.get(pc) or self._postcode_rows(pc)
            ops += 1 + len(near.rows)
            if not near.rows or not core_lo <= start < core_hi:
                continue
            # bounded by the postcodes before and after, unless one overlaps this one (a false
            # reading of its neighbour tokens, "16 bt5" before "bt5 1jh")
            before = postcodes[i - 1][1] if i and postcodes[i - 1][1] <= start else 0
            after = postcodes[i + 1][0] if i + 1 < len(postcodes) and postcodes[i + 1][0] >= end else len(text)
            lo = max(before, start - NUMBER_BEFORE_POSTCODE)
            hi = min(after, end + NUMBER_AFTER_POSTCODE)
            key, found = memo.seen(group, start, ("p", lo - start, hi - start))
            if found is None:
                found = memo.keep(key, start, self._near(group, scanned, near, pc, lo, start, end, hi))
            if found:
                yield from found
        work.tick(ops)
        odd = "'" in text or "’" in text or "box" in text
        for pos, door, after_type in self._number_starts(trig, text, core_lo, core_hi, work):
            if door and self._street_may_follow(text, trig.word_bytes, door, odd):
                yield from number_first(index, group, door, postcodes, trig.word_bytes, memo)
            if after_type:
                yield from street_first(index, group, pos, postcodes)
        for start, end in trig.words:
            if core_lo <= start < core_hi:
                work.tick()
                if text[start:end] in NUMBER_WORDS:
                    yield from number_word_first(index, group, start, end, postcodes, trig.word_bytes, memo)
                else:
                    yield from named_house(index, group, start, end, postcodes)
        inside = (m for m in trig.phones if core_lo <= m.start() < core_hi)
        yield from contacts.phones(index, group, inside)
        yield from contacts.emails(index, group, (m for m in trig.emails if core_lo <= m.start() < core_hi))

    def _number_starts(
        self, trig: triggers.Triggers, text: str, lo: int, hi: int, work: budget.Budget
    ) -> list[tuple[int, re.Match[str] | None, bool]]:
        """The digit-bearing tokens in `lo`..`hi` where a house number is followed by a word
        (its NUMBER_WORD match) or follows a street type ("Acacia Avenue 14"; True): the others
        have nothing to check. Many tokens (a table of numbers, a list of postcodes) are sifted
        by C-speed passes first."""
        numbers = trig.numbers
        inside = numbers[bisect_left(numbers, lo) : bisect_left(numbers, hi)]
        work.tick(len(inside))
        match = NUMBER_WORD.match
        out = []
        if len(inside) <= _FEW_NUMBERS:
            for p in inside:
                door = match(text, p)
                after_type = text[p - 1 : p] == " " and word_before(text, p) in TYPE_FORMS
                if door or after_type:
                    out.append((p, door, after_type))
            return out
        after_types: set[int] = set()  # where a street type (and perhaps a dot) and a space end: a superset
        for end in trig.type_ends:
            after_types.update((end, end + 1))  # word_bytes[i + 1] is text[i]
        for p in inside:
            door = match(text, p) if text[p] in _NUMBER_LEADS else None
            after_type = p in after_types and text[p - 1 : p] == " " and word_before(text, p) in TYPE_FORMS
            if door or after_type:
                out.append((p, door, after_type))
        return out

    def _street_may_follow(self, text: str, word_bytes: bytes, m: re.Match[str], odd: bool = True) -> bool:
        """Whether `number_first` can find rows for the house number `m` (a NUMBER_WORD match):
        it looks them up by the word after the number (a register street's first word; the next
        one after a suffix letter, "30 c Cherry Lane") or by a street type among the four after
        that, or as a PO box. Most numbers in tables and prose have none of these: the words are
        read at C speed from the scanned bytes, and what each word is, is remembered. `odd`: the
        text may hold an apostrophe or a "box" (most have neither, and are not searched per number)."""
        start = m.start("word")
        end = start + _FOLLOW_CHARS
        # WORD_RE's words are not the runs of [a-z0-9] where an apostrophe is; a PO box is read so
        if odd and (
            "'" in text[start:end] or "’" in text[start:end] or "box" in text[max(0, m.start() - 16) : m.start()]
        ):
            return True
        words = word_bytes[start + 1 : end + 1].split(None, 7)[:7]
        known, types = self._leads, self._types
        for i, word in enumerate(words):
            if i and word in types:
                return True
            if i < 2:
                lead = known.get(word)
                if lead is None:
                    if len(known) >= _REMEMBERED:
                        known.clear()
                    lead = known[word] = first_word_key(word.decode()) in self.index.street_words
                if lead:
                    return True
        return False

    def _postcode_rows(self, pc: str) -> _PostcodeRows:
        """The candidate rows of a postcode key and what the cheap test before verifying needs:
        whether some row of exactly this postcode is a named house, their house numbers (without
        a letter), their streets' first three letters. Remembered per key."""
        near = self._near_rows.get(pc)
        if near is None:
            rows = self.index.lookup("p:" + pc)
            mine = [row for row in map(self.index.row, rows) if row.at(pc)]
            near = _PostcodeRows(
                rows,
                any(not row.number for row in mine),
                frozenset(row.number_base for row in mine if row.number),
                frozenset(p for row in mine if row.number for p in row.prefixes),
            )
            if len(self._near_rows) >= _REMEMBERED:
                self._near_rows.clear()
            self._near_rows[pc] = near
        return near

    def _prefix_in(self, text: str, lo: int, hi: int, wanted: frozenset[int]) -> bool:
        """Some row's street prefix (hashed: `record.street_prefixes`) is written in `lo`..`hi`."""
        if not wanted:
            return False
        if self.index.probe.hash(PREFIX) in wanted:
            return True  # a street's first word of one or two letters: looked for everywhere
        if self._trigram_hashes is not None:  # the same in C: each trigram's hash read from a table
            found = self.index.hasher.trigram_in(text, lo, hi, PREFIX, wanted, self._trigram_hashes)
            if found is not None:  # None: more wanted hashes than it holds
                return found
        return not wanted.isdisjoint(map(self._trigrams.__getitem__, set(_TRIGRAM.findall(text, lo, hi))))

    def _number_in(self, text: str, scanned: Scanned, lo: int, hi: int, wanted: frozenset[int]) -> bool:
        """One of the `wanted` house numbers (without a letter) is named by a digit-bearing token
        starting in `lo`..`hi` (what each token names is read once per window)."""
        seen, named, starts = self._token_numbers, scanned.numbers_at, scanned.starts
        for k in range(bisect_left(starts, lo), bisect_left(starts, hi)):
            p = starts[k]
            nums = named.get(p)
            if nums is None:
                token = text[p : p + 8].split(None, 1)[0]
                nums = seen.get(token)
                if nums is None:
                    if len(seen) >= _REMEMBERED:
                        seen.clear()
                    hashed = self.index.probe.hash
                    nums = seen[token] = frozenset(hashed(NUMBER_BASE + n) for n in _token_numbers(token))
                named[p] = nums
            if nums and not wanted.isdisjoint(nums):
                return True
        return False

    def _near(
        self, group: Group, scanned: Scanned, near: _PostcodeRows, pc: str, lo: int, start: int, end: int, hi: int
    ) -> Iterator[Hit]:
        """The rows of the postcode `pc` at `start`..`end` that it names, with a house number in
        `lo`..`hi` or alone. Everything read here lies in the window `memo` keys it by."""
        text = group.text
        # is some row's house number (or street) written there, or only the postcode alone?
        close = near.named or self._prefix_in(text, lo, start, near.prefixes)
        if not close:
            close = self._number_in(text, scanned, lo, hi, near.numbers)
        # the block of an address, not cut at the postcode before: a false one ("from 155") may stand there
        alone = postcode_alone(text, max(0, start - NUMBER_BEFORE_POSTCODE), start, end, hi, scanned)
        for r in near.rows:
            row = self.index.row(r)
            if not row.at(pc):
                continue
            if close:
                found = list(number_near_postcode(group, row, lo, start, end, hi, scanned.word_bytes))
                yield from found or street_before_postcode(group, row, lo, start, end)
            if alone_for(row, alone):
                yield mention(group, row.id, "postcode", start, end, SCORE_POSTCODE_ALONE)


def _token_numbers(token: str) -> frozenset[str]:
    """The house numbers (without a letter) a digit-bearing token names ("14-16", "2/14")."""
    out = set()
    for piece in token.replace("/", " ").replace("-", " ").replace(",", " ").split():
        num = house_number(piece.rstrip(".,;:)|"))
        if num:
            out.add(number_base(num))  # as a record hashes it (`record.Recorder._number`)
    return frozenset(out)


_COVERED_KINDS = ("postcode_number", "postcode")


def _drop_covered(mentions: list[Mention]) -> list[Mention]:
    """A postcode_number or postcode mention inside an address mention of the same row adds nothing."""
    spans = {(m.register_id, m.segment_index): m for m in mentions if m.kind == "address"}
    out = []
    for m in mentions:
        a = spans.get((m.register_id, m.segment_index))
        if m.kind in _COVERED_KINDS and a and a.start <= m.end and m.start <= a.end:
            continue
        out.append(m)
    return sorted(out, key=lambda m: (m.segment_index, m.start, m.register_id))
