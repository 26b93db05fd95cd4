"""Does the text at a place spell a register row's street? (typos, OCR slips, abbreviations)

A trigger usually has several candidate rows (at 1 M rows, "14 … Road" with a mistyped name has
dozens), and they are compared with the same few text words: `StreetText` folds those words once
(canonical form, OCR skeleton) and scores each row's street against them, remembering the score
per street; a row's own form is cached per street too.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from mailguard.detect.register.bilingual import street_forms
from mailguard.detect.register.index import Row
from mailguard.detect.register.ukforms import STREET_TYPES, canon_street, skeleton

_LOOSE, _STRICT, _STRICT_SHORT = 60, 80, 100  # least similarity of the name (0-100)


@lru_cache(maxsize=65536)
def _row_form(street: tuple[str, ...]) -> tuple[bool, str]:
    """(whether the street ends in a type word, the skeleton of its name without that word)."""
    has_type = len(street) > 1 and street[-1] in STREET_TYPES
    return has_type, skeleton(" ".join(street[:-1] if has_type else street))


class StreetText:
    """The words at one place in the text, read against any number of rows' streets."""

    __slots__ = ("_best", "_canon", "_kind_ok", "_skel", "words")

    def __init__(self, words: Sequence[str]) -> None:
        self.words = words
        self._canon: dict[int, list[str]] = {}
        self._skel: dict[tuple[int, bool], str] = {}
        self._kind_ok: dict[tuple[int, str], bool] = {}
        self._best: dict[tuple[str, ...], tuple[float, int]] = {}

    def match(self, street: tuple[str, ...], loose: bool = False) -> int:
        """How many of the words spell `street`; 0 if they don't.

        A short name must be exact ("Elm" is not "Ely"), unless `loose`: the caller has the row's
        exact postcode and house number too, so one slip in "Ivy" ("Iyv") is still this address."""
        best = self._best.get(street)
        if best is None:
            best = self._best[street] = self._score(street)
        score, used = best
        need = _LOOSE if loose else _STRICT_SHORT if len(_row_form(street)[1]) <= 4 else _STRICT
        return used if score >= need else 0

    def _score(self, street: tuple[str, ...]) -> tuple[float, int]:
        """(best score of at least _LOOSE, the word count giving it first), or (0, 0).

        The count tried first is the street's own, then one fewer (a type left off), then one more."""
        has_type, row_name = _row_form(street)
        n = len(street)
        best, used = 0.0, 0
        for k in (n, n - 1, n + 1):
            if k < 1 or k > len(self.words):
                continue
            if has_type and (k == 1 or not self._type_fits(k, street[-1])):
                continue  # the type alone, or the k-th word is not (a slip of) the street's type
            score = fuzz.ratio(self._skeleton(k, has_type), row_name, score_cutoff=_LOOSE)
            if score == 100:
                return score, k  # nothing scores higher
            if score > best:
                best, used = score, k
        return best, used

    def _type_fits(self, k: int, kind: str) -> bool:
        """The k-th word is the street type `kind`, or a slip of it that is no other type."""
        ok = self._kind_ok.get((k, kind))
        if ok is None:
            word = self._canonical(k)[-1]
            ok = self._kind_ok[(k, kind)] = word == kind or (word not in STREET_TYPES and fuzz.ratio(word, kind) >= 75)
        return ok

    def _canonical(self, k: int) -> list[str]:
        cand = self._canon.get(k)
        if cand is None:
            cand = self._canon[k] = canon_street(list(self.words[:k]))
        return cand

    def _skeleton(self, k: int, drop_type: bool) -> str:
        key = (k, drop_type)
        form = self._skel.get(key)
        if form is None:
            cand = self._canonical(k)
            form = self._skel[key] = skeleton(" ".join(cand[:-1] if drop_type else cand))
        return form


def street_match(text_words: Sequence[str], street: tuple[str, ...], loose: bool = False) -> int:
    """How many of `text_words` spell `street`; 0 if they don't (see `StreetText.match`)."""
    return StreetText(text_words).match(street, loose)


def row_street_match(reader: StreetText, row: Row, loose: bool = False) -> int:
    """How many of the reader's words spell the row's street in any of its forms (its own, or
    the other language's in Wales: see `bilingual`); 0 if none."""
    for street in street_forms(row.street, row.postcode):
        used = reader.match(street, loose)
        if used:
            return used
    return 0


def row_street_in(text_words: Sequence[str], row: Row, loose: bool = False) -> int:
    return row_street_match(StreetText(text_words), row, loose)


# Canonical first words that text often writes shorter ("St John's Rise", "Nth Road", "Gt Lane").
_SHORTENED_FIRST = frozenset({"saint", "north", "south", "upper", "lower", "great"})


@lru_cache(maxsize=65536)
def street_prefixes(street: tuple[str, ...], postcode: str) -> tuple[str, ...]:
    """Three letters that any writing of the street contains (a cheap test of whether it may be
    written somewhere): of its first word in each form, or of its second word when the first is
    often shortened ("saint" is written "St")."""
    out = set()
    for form in street_forms(street, postcode):
        word = form[1] if form[0] in _SHORTENED_FIRST and len(form) > 1 else form[0]
        out.add(word[:3])
    return tuple(sorted(out))
