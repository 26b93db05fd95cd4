"""Where a house number is written, and whether the word before makes it something else.

A house number is digits (some OCR'd as letters) with perhaps a letter suffix; "Order 14" or
"Ref no. 14" is not one.
"""

from __future__ import annotations

import re

from mailguard.detect.register.ukforms import BLOCKERS

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
_NUMBER_WORDS = frozenset({"no", "number", "num", "nr", "#"})


def blocked(text: str, pos: int, extra: frozenset[str] = frozenset()) -> bool:
    """The word before (or before "No.") makes this number something else: "Order 14", "Ref no. 14"."""
    prev = _PREV_WORDS.search(text, max(0, pos - 32), pos)
    if not prev:
        return False
    word = prev.group(2)
    if word in _NUMBER_WORDS and prev.group(1):
        word = prev.group(1)
    return word in BLOCKERS or word in extra
