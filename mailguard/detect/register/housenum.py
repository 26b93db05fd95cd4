"""Where a house number is written, and whether the word before makes it something else.

A house number is digits (some OCR'd as letters) with perhaps a letter suffix; "Order 14" or
"Ref no. 14" is not one.
"""

from __future__ import annotations

import re

from mailguard.detect.register.ukforms import BLOCKERS

# A house number: digits (some OCR'd as letters), a letter suffix written on, after a hyphen or
# in brackets
# ("30c", "66-A", "19 (A)").
_NUM = r"([0-9oilsz]{0,3}[0-9][0-9oilsz]{0,3}(?:[a-z]|-[a-h](?![a-z0-9])| ?\([a-h]\))?)"
_NUM_START = r"(?<![\w£$€/:\-])(?<!\d\.)(?:([0-9]{1,4}[a-z]?) ?/ ?)?"
# "14 Acacia", "2/14 Acacia", "30C, Cherry", "14-16 Acacia" (a range names both ends), "ll Maple"
# (OCR'd 11 with no real digit): a house number followed by a word.
NUMBER_WORD = re.compile(
    _NUM_START
    + r"(?:"
    + _NUM
    + r"(?: ?- ?([0-9]{1,4}[a-z]?))?|([li][lio]{1,2}))(?![\w/%:£\-])"
    + r"(?:[\s,]*\((?P<flat>[0-9][a-z0-9/]{0,4}|[a-z][0-9]{1,3})\))?"  # "78 (2F3) Rosemount Crescent"
    + r"[\s,|]+(?P<word>[a-z][a-z0-9'’]*)"
)
# A bare number (the house number near a postcode).
NUMBER = re.compile(_NUM_START + _NUM + r"(?![\w/%:£\-])")
_PREV_WORDS = re.compile(r"(?:([a-z£$€#]+)\.?[\s:,#|]+)?(?<![a-z£$€#])([a-z£$€#]+)\.?[\s:,#|]*$")
_NUMBER_WORDS = frozenset({"no", "number", "num", "nr", "#"})


def blocked(text: str, pos: int, extra: frozenset[str] = frozenset()) -> bool:
    """The word before (or before "No.") makes this number something else: "Order 14", "Ref no. 14"."""
    words = words_before_number(text, max(0, pos - 32), pos)
    if not words:
        return False
    first, word = words
    if word in _NUMBER_WORDS and first:
        word = first
    return word in BLOCKERS or word in extra


def words_before_number(text: str, lo: int, pos: int) -> tuple[str | None, str] | None:
    """`_PREV_WORDS.search(text, lo, pos).groups()`: the regex tries every start in the window
    (~4 us, and this is asked of every number and street), so plain text -- ASCII with none of
    "#.$" -- is read with a few strips from the end instead. There the classes are disjoint:
    the last word is the run of letters the window ends with (separators after it), whole, as
    no letter may stand before it; the word before is the run of letters right before the
    separators before that, however it starts (the regex starts it at the leftmost place)."""
    window = text[lo:pos]
    if not window.isascii() or "#" in window or "." in window or "$" in window:
        prev = _PREV_WORDS.search(text, lo, pos)
        return prev.groups() if prev else None  # type: ignore[return-value]
    head = window.rstrip(_SEPARATORS)
    if not head or not "a" <= head[-1] <= "z":
        return None
    rest = head.rstrip(_LETTERS)
    if not rest and lo and text[lo - 1] in _WORD_CHARS:
        return None  # the last word runs on before the window: the regex's look-behind says no
    word = head[len(rest) :]
    before = rest.rstrip(_SEPARATORS)
    if len(before) == len(rest) or not before or not "a" <= before[-1] <= "z":
        return None, word
    return before[len(before.rstrip(_LETTERS)) :], word


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_SEPARATORS = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f:,|"  # _PREV_WORDS's [\s:,#|] in ASCII, but "#"
_WORD_CHARS = _LETTERS + "£$€#"


# House numbers written as words ("Two Tennyson Close", "Twenty-one …"): one to ninety-nine.
_ONES = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUE = {w: i + 1 for i, w in enumerate(_ONES)} | {w: i + 10 for i, w in enumerate(_TEENS)}
_TENS_VALUE = {w: 20 + 10 * i for i, w in enumerate(_TENS)}
NUMBER_WORDS: frozenset[str] = frozenset(_WORD_VALUE) | frozenset(_TENS_VALUE)
_JOINED_ONES = re.compile(r"[ \-]([a-z]+)(?![a-z])")
_AFTER_TENS = re.compile(r"([a-z]+)[ \-]$")


def number_word_at(text: str, start: int, end: int) -> tuple[str, int] | None:
    """(the house number, where its street may start) for the number word at `start`..`end`;
    None for a ones word that ends a compound ("twenty-one": read from "twenty")."""
    word = text[start:end]
    if word in _TENS_VALUE:
        value = _TENS_VALUE[word]
        ones = _JOINED_ONES.match(text, end)
        if ones and ones.group(1) in _ONES:
            return str(value + _WORD_VALUE[ones.group(1)]), ones.end()
        return str(value), end
    if word in _ONES:
        before = _AFTER_TENS.search(text, max(0, start - 9), start)
        if before and before.group(1) in _TENS_VALUE:
            return None
    one = _WORD_VALUE.get(word)
    return (str(one), end) if one else None
