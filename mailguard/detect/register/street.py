"""Does the text at a place spell a register row's street? (typos, OCR slips, abbreviations)

A row's street is hashes (see `record.Street`): its name (the words but the type, joined, in
OCR skeleton) and its type. The text's words are folded the same way and compared by hash:
the name within the edits the row's name tolerates (none for a short one, one, or two for a
long one: `fuzzy`), the type exactly or as a slip that is no other type.

A trigger usually has several candidate rows (at 1 M rows, "14 … Road" with a mistyped name has
dozens), and they are compared with the same few text words: `StreetText` folds those words once
and scores each row's street against them, remembering the score per street.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailguard.detect.register.fuzzy import MOST_EDITS, READ_TWO, name_form
from mailguard.detect.register.probe import Probe
from mailguard.detect.register.record import Row, Street, street_parts
from mailguard.detect.register.ukforms import TYPE_FORMS, canon_street

_TYPE_READ = 5  # a street's type is one of the first five words (its name at most four)


class StreetText:
    """The words at one place in the text, read against any number of rows' streets."""

    __slots__ = ("_best", "_canon", "_forms", "_probe", "words")

    def __init__(self, words: Sequence[str], probe: Probe) -> None:
        self.words = words
        self._probe = probe
        self._canon: dict[int, list[str]] = {}
        self._forms: dict[tuple[int, int], str] = {}
        self._best: dict[tuple[Street, bool], int] = {}

    def match(self, street: Street, loose: bool = False) -> int:
        """How many of the words spell `street`; 0 if they don't.

        A short name must be exact ("Elm" is not "Ely"), unless `loose`: the caller has the row's
        exact postcode and house number too, so one slip in "Ivy" ("Iyv") is still this address."""
        key = (street, loose)
        used = self._best.get(key)
        if used is None:
            used = self._best[key] = self._score(street, street.loose if loose else street.strict)
        return used

    def names_before_type(self, edits: int = MOST_EDITS, least: int = 1) -> set[int]:
        """The register names (hashes) that the words before a street type among the first five
        spell, within `edits` (by default the most any name tolerates: `fuzzy`): the streets
        whose rows a mistyped first word can be (those whose `match` can score, and no others).
        `least`: the fewest words of a name read (two: a compound written apart)."""
        names: set[int] = set()
        for k in range(1 + least, min(len(self.words), _TYPE_READ) + 1):
            if self.words[k - 2].isdigit():
                break  # a number is no word of a street's name: the next address ("… Road\n23 Elm Lane")
            if self.words[k - 1] in TYPE_FORMS:
                form = self._form(k, -1)
                names.update(self._probe.near(form, edits if len(form) <= READ_TWO else min(edits, 1)))
        return names

    def _score(self, street: Street, limit: int) -> int:
        """The word count that spells the street with the fewest edits (at most `limit`), 0 if
        none. The count tried first is the street's own, then one fewer (a type left off), then
        one more."""
        # where the type is: none, last, or first (a Welsh type: its article is left out)
        at = 0 if not street.kind else 1 if street.leading else -1
        n = street.size
        best, used = limit + 1, 0
        for k in (n, n - 1, n + 1):
            if k < 1 or k > len(self.words):
                continue
            if at and (k == 1 or street.kind not in self._probe.kinds(self._canonical(k)[at if at < 0 else 0])):
                continue  # the type alone, or the word is not (a slip of) the street's type
            edits = self._probe.edits(self._form(k, at), street.name, min(limit, best - 1))
            if edits == 0:
                return k  # nothing scores better
            if edits is not None and edits < best:
                best, used = edits, k
        return used

    def _canonical(self, k: int) -> list[str]:
        cand = self._canon.get(k)
        if cand is None:
            cand = self._canon[k] = canon_street(list(self.words[:k]))
        return cand

    def _form(self, k: int, at: int) -> str:
        """The name of the first k words (`fuzzy.name_form`), the type (see `_score`) left out."""
        key = (k, at)
        form = self._forms.get(key)
        if form is None:
            cand = self._canonical(k)
            form = self._forms[key] = name_form(cand[:-1] if at < 0 else street_parts(cand)[1] if at else cand)
        return form


def row_street_match(reader: StreetText, row: Row, loose: bool = False) -> int:
    """How many of the reader's words spell the row's street in any of its forms (its own, or
    the other language's in Wales: see `bilingual`); 0 if none."""
    for street in row.streets:
        used = reader.match(street, loose)
        if used:
            return used
    return 0


def row_street_in(text_words: Sequence[str], row: Row, loose: bool = False) -> int:
    return row_street_match(StreetText(text_words, row.probe), row, loose)
