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

from collections.abc import Iterator, Sequence

from mailguard.detect.register import contacts, triggers
from mailguard.detect.register.address import number_first, street_first
from mailguard.detect.register.housenum import NUMBER_WORD
from mailguard.detect.register.index import CompiledIndex
from mailguard.detect.register.locality import Postcodes
from mailguard.detect.register.model import Mention
from mailguard.detect.register.named import named_house
from mailguard.detect.register.normalise import TYPE_FORMS, canon_postcode, postcode_key
from mailguard.detect.register.postcode import NUMBER_AFTER_POSTCODE, NUMBER_BEFORE_POSTCODE, number_near_postcode
from mailguard.detect.register.text import Group, groups
from mailguard.detect.register.words import word_before
from mailguard.message.model import Segment


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
        index, text = self.index, group.text
        trig = triggers.find(text, index.has_phones, index.has_emails, self._designators)
        postcodes: Postcodes = []
        for m in trig.postcodes:
            pc = canon_postcode(m.group(1), m.group(2))
            if pc:
                postcodes.append((m.start(), m.end(), postcode_key(pc)))
        for i, (start, end, pc) in enumerate(postcodes):
            rows = index.lookup("p:" + pc)
            if not rows:
                continue
            lo = max(postcodes[i - 1][1] if i else 0, start - NUMBER_BEFORE_POSTCODE)
            hi = min(postcodes[i + 1][0] if i + 1 < len(postcodes) else len(text), end + NUMBER_AFTER_POSTCODE)
            for r in rows:
                row = index.row(r)
                if postcode_key(row.postcode) == pc:
                    yield from number_near_postcode(group, row, lo, start, end, hi)
        for pos in trig.numbers:
            m = NUMBER_WORD.match(text, pos)
            if m:
                yield from number_first(index, group, m, postcodes, trig.word_bytes)
            if text[pos - 1 : pos] == " " and word_before(text, pos) in TYPE_FORMS:
                yield from street_first(index, group, pos, postcodes)
        for start, end in trig.words:
            yield from named_house(index, group, start, end, postcodes)
        yield from contacts.phones(index, group, trig.phones)
        yield from contacts.emails(index, group, trig.emails)


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
