"""Find protected addresses, phones and emails in scanned text.

Cheap first: a handful of C-speed regexes find the only places worth a look (a postcode-like
token, a number followed by a word, a phone-like run, an email); text without them costs one
pass per regex. Each trigger looks up candidate rows in the compiled index and only those are
verified, so cost does not grow with the register. This module gathers the triggers and hands
each to its check: `address` (number and street), `postcode` (postcode and number), `named`
(named house), `contacts` (phone, email); `flats` and `locality` are the checks they share.

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

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from functools import partial

from mailguard.detect import budget
from mailguard.detect.register import contacts, triggers
from mailguard.detect.register.address import number_first, number_word_first, street_first
from mailguard.detect.register.housenum import NUMBER_WORD, NUMBER_WORDS
from mailguard.detect.register.index import CompiledIndex
from mailguard.detect.register.locality import SCORE_POSTCODE_ALONE, Postcodes
from mailguard.detect.register.memo import AFTER, BEFORE, Memo
from mailguard.detect.register.named import named_house
from mailguard.detect.register.postcode import (
    NUMBER_AFTER_POSTCODE,
    NUMBER_BEFORE_POSTCODE,
    alone_for,
    number_near_postcode,
    postcode_alone,
    street_before_postcode,
)
from mailguard.detect.register.scanned import Group, Hit, groups, mention, place
from mailguard.detect.register.ukforms import TYPE_FORMS, canon_postcode, house_number, postcode_key
from mailguard.detect.register.values import Mention
from mailguard.detect.register.words import word_before
from mailguard.message.model import Segment

# hits of one (row, kind) per group kept beyond the best: a mail merge names a row thousands of times
_SAME_ROW_KEPT = 32
CHUNK = 8192


class Matcher:
    def __init__(self, index: CompiledIndex) -> None:
        self.index = index
        # whole words worth a look: named houses' street designators and house numbers as words
        self._designators = triggers.words_pattern((*index.designators, *NUMBER_WORDS))
        self._memo = Memo()  # per trigger
        self._chunks = Memo(limit=256)  # per chunk of a long text

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
                    yield hit._replace(start=hit.start + lo, end=hit.end + lo)
            start = end

    def _scan_window(self, group: Group, core_lo: int, core_hi: int) -> Iterator[Hit]:
        """The hits of the triggers starting in `core_lo`..`core_hi` of the group's text."""
        index, text, memo = self.index, group.text, self._memo
        work = budget.current()
        trig = triggers.find(text, index.has_phones, index.has_emails, self._designators)
        work.tick(len(text) >> 10)
        postcodes: Postcodes = []
        for m in trig.postcodes:
            pc = canon_postcode(m.group(1), m.group(2))
            if pc:
                postcodes.append((m.start(), m.end(), postcode_key(pc)))
        for i, (start, end, pc) in enumerate(postcodes):
            rows = index.lookup("p:" + pc)
            work.tick(1 + len(rows))
            if not rows or not core_lo <= start < core_hi:
                continue
            lo = max(postcodes[i - 1][1] if i else 0, start - NUMBER_BEFORE_POSTCODE)
            hi = min(postcodes[i + 1][0] if i + 1 < len(postcodes) else len(text), end + NUMBER_AFTER_POSTCODE)
            # is some row's house number (or street) written there, or only the postcode alone?
            near = self._may_be_near(rows, pc, _numbers_in(text, trig.numbers, lo, hi), text[lo:start])
            check = partial(self._near, group, rows, pc, lo, start, end, hi, near)
            yield from memo.run(group, start, ("p", lo - start, hi - start), check)
        for pos in trig.numbers:
            if not core_lo <= pos < core_hi:
                continue
            work.tick()
            m = NUMBER_WORD.match(text, pos)
            if m:
                yield from number_first(index, group, m, postcodes, trig.word_bytes, memo)
            if text[pos - 1 : pos] == " " and word_before(text, pos) in TYPE_FORMS:
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

    def _may_be_near(self, rows: list[int], pc: str, numbers: set[str], before: str) -> bool:
        """Some row of this postcode is a named house, has its house number (without its letter)
        among `numbers`, or its street's first word in the text `before` the postcode: the cheap
        test before the real one."""
        for r in rows:
            row = self.index.row(r)
            if postcode_key(row.postcode) == pc and (
                not row.number or row.number.rstrip(_SUFFIXES) in numbers or row.street[0][:3] in before
            ):
                return True
        return False

    def _near(
        self, group: Group, rows: list[int], pc: str, lo: int, start: int, end: int, hi: int, near: bool
    ) -> Iterator[Hit]:
        # the block of an address, not cut at the postcode before: a false one ("from 155") may stand there
        alone = postcode_alone(group.text, max(0, start - NUMBER_BEFORE_POSTCODE), start, end, hi)
        for r in rows:
            row = self.index.row(r)
            if postcode_key(row.postcode) != pc:
                continue
            if near:
                found = list(number_near_postcode(group, row, lo, start, end, hi))
                yield from found or street_before_postcode(group, row, lo, start, end)
            if alone_for(row, alone):
                yield mention(group, row.id, "postcode", start, end, SCORE_POSTCODE_ALONE)


_SUFFIXES = "abcdefghijklmnopqrstuvwxyz"


def _numbers_in(text: str, starts: list[int], lo: int, hi: int) -> set[str]:
    """The house numbers (without a letter) of the digit-bearing tokens starting in `lo`..`hi`."""
    out = set()
    for k in range(bisect_left(starts, lo), bisect_left(starts, hi)):
        p = starts[k]
        token = text[p : p + 8].split(None, 1)[0] if p < len(text) else ""
        for piece in token.replace("/", " ").replace("-", " ").replace(",", " ").split():
            num = house_number(piece.rstrip(".,;:)|"))
            if num:
                out.add(num.rstrip(_SUFFIXES))
    return out


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
