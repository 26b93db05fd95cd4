"""Where in a text a mention could start, found without running a regex over every character.

Python's `re` walks every position for patterns that start with a class or a lookbehind
(~50-75 ms per MB each). Every trigger but an email contains a digit, so the text is mapped
once to a byte string of classes (`0` digit, `a` letter, ` ` other; C speed) and `bytes.find`
jumps from one digit-bearing token to the next. Only there are the real patterns tried,
anchored. Emails are found from their `@` the same way. Prose without digits or `@` costs
one translate and two finds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailguard.detect.register.normalise import EMAIL_FIND, PHONE_FIND, POSTCODE_FIND

_CLASSES = bytes(
    ord("0") if chr(i).isdigit() else ord("a") if chr(i).isalpha() else ord(" ") for i in range(128)
) + b" " * 128  # non-ASCII was encoded as "?" anyway
_TOKEN_MAX = 7  # longest token worth a look (a squashed postcode)
_NUMBER_MAX = 6  # "1234ab"


@dataclass(slots=True)
class Triggers:
    postcodes: list[re.Match[str]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # starts of digit-bearing short tokens
    phones: list[re.Match[str]] = field(default_factory=list)
    emails: list[re.Match[str]] = field(default_factory=list)


def find(text: str, phones: bool, emails: bool) -> Triggers:
    found = Triggers()
    classes = text.encode("ascii", "replace").translate(_CLASSES)
    digit, space = classes.find, classes.rfind
    n = len(classes)
    pos = 0
    seen_pc: set[int] = set()
    while True:
        d = digit(b"0", pos)
        if d < 0:
            break
        start = space(b" ", 0, d) + 1
        end = classes.find(b" ", d)
        end = n if end < 0 else end
        pos = end
        size = end - start
        if size > _TOKEN_MAX:
            continue
        lead = text[start - 1 : start]
        if phones and (text[start] == "0" or lead in ("+", "(") or text.startswith("44", start)):
            m = _phone_at(text, start)
            if m:
                found.phones.append(m)
                pos = max(pos, m.end())
                continue
        if text[start].isalpha():
            _postcode_at(text, start, found, seen_pc)
        elif size == 3 and start >= 2 and text[start - 1] == " ":
            prev = space(b" ", 0, start - 1) + 1  # "4ab" after an outward code with no real digit ("bsl")
            if start - 1 - prev <= 4 and text[prev].isalpha():
                _postcode_at(text, prev, found, seen_pc)
        if size <= _NUMBER_MAX:
            found.numbers.append(start)
    if emails:
        at = text.find("@")
        while at >= 0:
            for m in EMAIL_FIND.finditer(text, max(0, at - 64), at + 256):
                if m.start() < at < m.end():
                    found.emails.append(m)
                    break
            at = text.find("@", at + 1)
    return found


def _postcode_at(text: str, start: int, found: Triggers, seen: set[int]) -> None:
    if start in seen:
        return
    m = POSTCODE_FIND.match(text, start)
    if m:
        seen.add(start)
        found.postcodes.append(m)


def _phone_at(text: str, start: int) -> re.Match[str] | None:
    for p in (start, start - 1, start - 2, start - 3):
        if p < 0:
            break
        m = PHONE_FIND.match(text, p)
        if m:
            return m
    return None
