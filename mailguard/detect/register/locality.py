"""Does what follows a street say this is the row's place, or another one? And how sure is it.

Only what follows the street closely (a few words: locality, town, postcode) is read as part of
the address; a postcode further on belongs to the next one. A known town that is not the row's
vetoes; an unknown place name does not (fail closed).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Container

from mailguard.detect.register.fuzzy import name_form
from mailguard.detect.register.record import Place, Row
from mailguard.detect.register.towns import place_key
from mailguard.detect.register.ukforms import WORD_RE, canon_street, skeleton
from mailguard.detect.register.words import words_in

# (start, end, postcode key) of each postcode found in a group's text, in order.
Postcodes = list[tuple[int, int, str]]

AFTER_CHARS = 120  # how far after a street a town or postcode still belongs to it
ATTACHED_WORDS = 5  # words between a street and its postcode (localities, town, a label)
BEFORE_CHARS = 60  # postcode written first

SCORE_POSTCODE, SCORE_TOWN, SCORE_STREET_ONLY, SCORE_NUMBER_POSTCODE = 1.0, 0.95, 0.8, 0.9
SCORE_POSTCODE_ALONE = 0.7  # a full postcode names about fifteen doors

_DIGIT = re.compile(r"\d")
_DISTRICT = 2  # a slip in the outward code (`Probe.slip`)


# What `after_street` returns when nothing after the street settles it: then a postcode written
# before the address decides (`written_first`), which needs where the address starts.
ASK_BEFORE = (-1.0, -1)


def locality(
    towns: Container[str], text: str, row: Row, start: int, street_end: int, postcodes: Postcodes
) -> tuple[float, int] | None:
    """(score, span end) when nothing after the row's street (ending at `street_end`; the address
    starts at `start`) says this is another place; None when it does. `towns`: every known town."""
    verdict = after_street(towns, row, following(text, postcodes, street_end))
    return written_first(postcodes, row, start, street_end) if verdict is ASK_BEFORE else verdict


def written_first(postcodes: Postcodes, row: Row, start: int, street_end: int) -> tuple[float, int]:
    """`locality` when nothing after the street settled it: the row's postcode written first
    ("BS1 4AB, 14 Acacia Avenue") or the street alone."""
    before_pc = _before(postcodes, start)
    if before_pc and row.at(before_pc[2]):
        return SCORE_POSTCODE, street_end
    return SCORE_STREET_ONLY, street_end


class Following:
    """What follows a street, read once for all the rows of that street (see `following`): the
    first postcode attached after it, the words before that postcode (or the next few), and,
    as rows ask, the place names those words spell and whether they name a known town."""

    __slots__ = ("_forms", "_town", "after", "postcode", "street_end", "words")

    def __init__(
        self, street_end: int, postcode: tuple[int, int, str] | None, after: list[tuple[str, int, int]]
    ) -> None:
        self.street_end, self.postcode, self.after = street_end, postcode, after
        self.words = [w for w, _, _ in after]
        self._forms: dict[tuple[int, int], tuple[str, int]] = {}
        self._town: bool | None = None

    def form(self, i: int, size: int) -> tuple[str, int]:
        """The name form of the (up to) `size` words from word `i`, and where they end."""
        key = (i, size)
        found = self._forms.get(key)
        if found is None:
            run = self.words[i : i + size]  # fewer at the end: "Newcastleupon Tyne" is one slip away
            found = self._forms[key] = name_form(canon_street(run)), i + len(run)
        return found

    def names_a_town(self, towns: Container[str]) -> bool:
        """A known town is among the first words ("…, Wakefield")."""
        if self._town is None:
            words = self.words
            self._town = any(
                place_key(canon_street(words[i : i + size])) in towns
                for i in range(min(3, len(words)))
                for size in (1, 2, 3)
            )
        return self._town


def following(text: str, postcodes: Postcodes, street_end: int) -> Following:
    after_pc = _after(text, postcodes, street_end)
    limit = after_pc[0] if after_pc else street_end + AFTER_CHARS
    return Following(street_end, after_pc, words_in(text[street_end:limit], ATTACHED_WORDS + 3))


def after_street(towns: Container[str], row: Row, follows: Following) -> tuple[float, int] | None:
    """`locality` from what follows the street alone: its verdict, or ASK_BEFORE."""
    after_pc = follows.postcode
    if after_pc and row.at(after_pc[2]):
        return SCORE_POSTCODE, after_pc[1]
    if after_pc:
        # Another full postcode under the same number and street is another place (the same
        # street name twice in one post town: Royal Mail tells them apart by village and
        # postcode), unless it is the row's own postcode with one character slipped.
        # A slip in the district (LS8 for LS6) counts only under the row's own town.
        slip = row.probe.slip(after_pc[2], row.outward, row.inward, row.postcode)
        if slip and (slip != _DISTRICT or any(_place_at(follows, place, row) > 0 for place in row.places)):
            return SCORE_NUMBER_POSTCODE, after_pc[1]
        return None
    for place in row.places:
        end = _place_at(follows, place, row)
        if end > 0:
            return SCORE_TOWN, follows.street_end + follows.after[end - 1][2]
    if follows.names_a_town(towns):
        return None  # "…, Wakefield": the same street in another town
    return ASK_BEFORE


def _after(text: str, postcodes: Postcodes, street_end: int) -> tuple[int, int, str] | None:
    """The first postcode attached after the street (found by bisection: no pass over them all)."""
    i = bisect_left(postcodes, (street_end,))
    while i < len(postcodes) and postcodes[i][0] < street_end + AFTER_CHARS:
        if _attached(text, street_end, postcodes[i][0]):
            return postcodes[i]
        i += 1
    return None


def _before(postcodes: Postcodes, start: int) -> tuple[int, int, str] | None:
    """The last postcode ending before `start`, at most BEFORE_CHARS before it."""
    i = bisect_left(postcodes, (start,)) - 1
    while i >= 0 and postcodes[i][0] >= start - BEFORE_CHARS:
        if postcodes[i][1] <= start:
            return postcodes[i]
        i -= 1
    return None


def postcode_before(postcodes: Postcodes, row: Row, lo: int, end: int) -> bool:
    """Some postcode of the row starts at or after `lo` and ends by `end`: without one, no
    address starting in `lo + BEFORE_CHARS`..`end` has the row's postcode written first."""
    i = bisect_left(postcodes, (lo,))
    while i < len(postcodes) and postcodes[i][0] < end:
        if postcodes[i][1] <= end and row.at(postcodes[i][2]):
            return True
        i += 1
    return False


def postcode_near(postcodes: Postcodes, row: Row, start: int, end: int) -> bool:
    """The row's postcode is written near the address at `start`..`end` (before or after it)."""
    i = bisect_left(postcodes, (start - BEFORE_CHARS,))
    while i < len(postcodes) and postcodes[i][0] < end + AFTER_CHARS:
        if row.at(postcodes[i][2]):
            return True
        i += 1
    return False


def _place_at(follows: Following, place: Place, row: Row) -> int:
    """End index in the words that follow of a (fuzzy) occurrence of the row's `place` among
    the first ATTACHED_WORDS, or -1."""
    probe, size, words = row.probe, place.size, follows.words
    for i in range(min(len(words), ATTACHED_WORDS)):
        form, end = follows.form(i, min(size, ATTACHED_WORDS - i))
        if probe.edits(form, place.name, place.tolerance) is not None:
            return end
        if place.first and probe.name(skeleton(words[i])) == place.first:
            return i + 1  # "Newcastle" for "Newcastle upon Tyne"
    return -1


def _attached(text: str, start: int, end: int) -> bool:
    """A few words and no number between a street and a postcode (a number starts another address)."""
    return len(WORD_RE.findall(text, start, end)) <= ATTACHED_WORDS and not _DIGIT.search(text, start, end)
