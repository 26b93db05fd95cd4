"""Where in a text a mention could start, found without running a regex over every character.

Python's `re` walks every position for patterns that start with a class or a lookbehind
(~50-75 ms per MB each). Every trigger but an email contains a digit, so the text is mapped
once to a byte string of classes (`0` digit, `a` letter, ` ` other; C speed) and `bytes.find`
jumps from one digit-bearing token to the next. Only there are the real patterns tried,
anchored. Emails are found from their `@` the same way. Whole words with no digit (the
street designators of named houses, number words) are found in a copy of the text with every
non-alphanumeric byte made a space, each word of it looked up once (`WordSet`). Prose with no
trigger costs two translates, a few finds and that one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from mailguard.detect.register.ukforms import EMAIL_FIND, EMAIL_OBFUSCATED, PHONE_FIND, POSTCODE_FIND, TYPE_FORMS

try:
    from mailguard.detect.register._native import WordSet as _CompiledWordSet  # type: ignore[import-not-found]
    from mailguard.detect.register._native import digit_tokens as _compiled_digit_tokens
except ImportError:  # not built (no C compiler at install): the Python below does the same
    _CompiledWordSet = _compiled_digit_tokens = None


def _class(ch: str) -> int:
    # "l": a letter OCR makes of a digit (1 -> l/I, 0 -> O); the text is already case-folded
    return ord("0") if ch.isdigit() else ord("l") if ch in "lio" else ord("a") if ch.isalpha() else ord(" ")


_CLASSES = bytes(_class(chr(i)) for i in range(128)) + b" " * 128  # non-ASCII was encoded as "?" anyway
_TOKEN_MAX = 7  # longest token worth a look as a postcode or a house number (a squashed postcode)
_PHONE_MAX = 16  # "+441174960123" unbroken: offered to the phone pattern only
_NUMBER_MAX = 6  # "1234ab"
# A postcode's area letter read as a digit ("8L1 6LQ" for BL1 6LQ): the outward code may start so.
_AREA_DIGITS = frozenset("01258")
# Its district's digit (POSTCODE_FIND's _D) comes second or third ("8l1", "8bl1"): "8er" cannot be one.
_OUTWARD_DIGITS = frozenset("0123456789oilszb")
# A house number OCR'd with no real digit ("ll" for 11, "lO" for 10, "llO" for 110): two or three
# of l, i, o (1, 1, 0), starting like a 1 (a leading 0 is no house number); it is looked at only
# when a word follows.
OCR_NUMBERS = frozenset(a + b + c for a in "li" for b in "lio" for c in ("", "l", "i", "o"))
# What `WordSet` tags a word with: a whole word sought (a designator or number word), a street
# type (`Triggers.type_ends`), an OCR'd house number (`Triggers.numbers`).
WORD, TYPE, OCR = 1, 2, 4
_MANY_BRACKETS = 512
_DIGIT, _SPACE = ord("0"), ord(" ")  # bytes of `classes`
# The characters of WORD_RE's words kept, everything else a space (non-ASCII was encoded as "?"):
# a whole-word hit is checked against the real text.
_WORD_BYTES = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for c in range(256))


@dataclass(slots=True)
class Triggers:
    postcodes: list[re.Match[str]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # starts of digit-bearing short tokens
    phones: list[re.Match[str]] = field(default_factory=list)
    emails: list[re.Match[str]] = field(default_factory=list)
    words: list[tuple[int, int]] = field(default_factory=list)  # spans of the sought whole words
    type_ends: list[int] = field(default_factory=list)  # where a street type as a whole word ends
    # The text as bytes, a space for each character that is not [a-z0-9] and one more at both
    # ends: text[i] is word_bytes[i + 1]. Splitting it finds words at C speed.
    word_bytes: bytes = b""


class WordSet:
    """Whole words of a few small sets (lower-case ASCII: street types, number words, OCR'd
    numbers), each set a tag, found in the space-padded byte copy `find` makes. The compiled
    finder (`_words.c`) reads each word of the text once for all the sets; without it, a regex
    per set whose alternation is a trie: at each space `re` follows one branch instead of trying
    every word (about 8 times slower)."""

    __slots__ = ("_compiled", "_patterns")
    built = _CompiledWordSet is not None  # whether the compiled finder is there (the tests ask)

    def __init__(self, sets: Mapping[int, Iterable[str]], *, compiled: bool = True) -> None:
        sought = {tag: sorted({w.encode("ascii") for w in words}) for tag, words in sets.items()}
        pairs = [(w, tag) for tag, words in sought.items() for w in words]
        self._compiled = _CompiledWordSet(pairs) if compiled and _CompiledWordSet is not None else None
        self._patterns = [(tag, p) for tag, words in sought.items() if (p := _words_regex(words)) is not None]

    def spans(self, padded: bytes) -> list[tuple[int, int, int]]:
        """(start, end, tags) in `padded` of each space-separated run that is one of the words,
        in order; `tags`: the bits of the sets holding it."""
        if self._compiled is not None:
            return self._compiled.spans(padded)
        found: dict[tuple[int, int], int] = {}
        for tag, pattern in self._patterns:
            for m in pattern.finditer(padded):
                found[m.span(1)] = found.get(m.span(1), 0) | tag
        return [(start, end, tags) for (start, end), tags in sorted(found.items())]


def _words_regex(words: Iterable[bytes]) -> re.Pattern[bytes] | None:
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word.decode():
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(rb" (" + _trie_regex(trie).encode() + rb")(?= )") if trie else None


def _trie_regex(node: dict[str, dict]) -> str:
    alts = [re.escape(ch) + _trie_regex(sub) for ch, sub in sorted(node.items()) if ch]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in node:  # a word ends here and longer ones go on
        return (body if len(alts) > 1 else "(?:" + body + ")") + "?"
    return body


def find(text: str, phones: bool, emails: bool, words: WordSet | None = None, *, compiled: bool = True) -> Triggers:
    """The triggers in the case-folded `text`; `words` (see `word_set`) adds whole-word hits.
    `compiled`: the walk over digit-bearing tokens in C (`_triggers.c`) where it was built."""
    found = Triggers()
    raw = text.encode("ascii", "replace")
    found.word_bytes = b"".join((b" ", raw.translate(_WORD_BYTES), b" "))
    classes = raw.translate(_CLASSES)
    if compiled and _compiled_digit_tokens is not None:
        _compiled_digit_tokens(
            text, classes, phones, POSTCODE_FIND.match, _phone_at, found.postcodes, found.numbers, found.phones
        )
    else:
        _digit_tokens(text, classes, phones, found)
    _words_found(text, found.word_bytes, words or _NO_WORDS, found)
    if emails:
        _obfuscated_emails(text, found)
        at = text.find("@")
        while at >= 0:
            for m in EMAIL_FIND.finditer(text, max(0, at - 64), at + 256):
                if m.start() < at < m.end():
                    found.emails.append(m)
                    break
            at = text.find("@", at + 1)
    return found


def _digit_tokens(text: str, classes: bytes, phones: bool, found: Triggers) -> None:
    """Postcodes, phones and house-number starts among the digit-bearing tokens. The loop runs
    once per such token (a list of postcodes has one every 8 characters): no call, attribute
    or character class look-up in it that a local or a byte of `classes` can replace. The
    definition of `_triggers.c`'s `digit_tokens`, which does the same in C."""
    digit, space, find, count = classes.find, classes.rfind, classes.find, classes.count
    postcode, postcodes, numbers, seen = POSTCODE_FIND.match, found.postcodes, found.numbers, set()
    area_digits, outward_digits, digit_class = _AREA_DIGITS, _OUTWARD_DIGITS, _DIGIT
    n = len(classes)
    pos = 0
    while True:
        d = digit(b"0", pos)
        if d < 0:
            break
        start = space(b" ", 0, d) + 1
        end = find(b" ", d)
        pos = end = n if end < 0 else end
        size = end - start
        if size > _PHONE_MAX:
            continue
        lead = classes[start]  # a phone never starts with a letter-led token, whatever stands before it
        if (
            phones
            and lead == digit_class
            and (text[start] == "0" or text[start - 1 : start] in ("+", "(") or text.startswith("44", start))
        ):
            m = _phone_at(text, start)
            if m:
                found.phones.append(m)
                pos = max(pos, m.end())
                continue
        if size > _TOKEN_MAX:
            continue
        at = -1
        if lead != digit_class:  # led by a letter (a token holds only digits and letters)
            at = start
        elif size == 3 and start >= 2 and text[start - 1] == " ":
            prev = space(b" ", 0, start - 1) + 1  # "4ab" after an outward code with no real digit ("bsl")
            if start - 1 - prev <= 4 and classes[prev] != _DIGIT and classes[prev] != _SPACE:
                at = prev
        inward = -1
        if at >= 0 and at not in seen:
            m = postcode(text, at)
            if m:
                seen.add(at)
                postcodes.append(m)
                inward = m.start(2) if at == start else -1
        if (
            at != start
            and size <= 4
            and text[start] in area_digits
            and (text[start + 1 : start + 2] in outward_digits or text[start + 2 : start + 3] in outward_digits)
            and start not in seen
            and count(b"0", start, end) < size
        ):
            m = postcode(text, start)  # an area letter read as a digit: "8L1 6LQ" is BL1 6LQ, never "16"
            if m:
                seen.add(start)
                postcodes.append(m)
        if size <= _NUMBER_MAX:
            numbers.append(start)
        if inward > end and classes[inward] == digit_class and text[inward] != "0":
            # The inward code of the postcode just found ("4ab" of "bs1 4ab") is the next token:
            # what its own turn would do is done here, a turn less per postcode in a list of them.
            # Led by a digit other than 0 (its second character is never a 4: no "44"), it is
            # offered to no phone; its outward code was read already.
            pos = end = inward + 3
            if (
                text[inward] in area_digits
                and (text[inward + 1] in outward_digits or text[inward + 2] in outward_digits)
                and count(b"0", inward, end) < 3
            ):
                m = postcode(text, inward)
                if m:
                    seen.add(inward)
                    postcodes.append(m)
            numbers.append(inward)


def word_set(words: Iterable[str]) -> WordSet:
    """What `find` looks for as whole words: `words` (tagged WORD), the street types and the
    OCR'd house numbers, in one pass."""
    return WordSet({WORD: words, TYPE: TYPE_FORMS, OCR: OCR_NUMBERS})


def _words_found(text: str, padded: bytes, words: WordSet, found: Triggers) -> None:
    ocr = False
    for start, end, tags in words.spans(padded):
        if tags & WORD and not (text[start - 2 : start - 1].isalnum() or text[end - 1 : end].isalnum()):
            found.words.append((start - 1, end - 1))  # positions in `text` (one byte per character)
        if tags & TYPE:
            found.type_ends.append(end)  # as a position in `padded`: where a number after it starts in `text`
        if tags & OCR:
            found.numbers.append(start - 1)
            ocr = True
    if ocr:
        found.numbers.sort()


def _obfuscated_emails(text: str, found: Triggers) -> None:
    """`ann [at] example [dot] com`: found from its bracketed "at"."""
    for opener in "[({<":
        for at in _opened_at(text, opener):
            for m in EMAIL_OBFUSCATED.finditer(text, max(0, at - 96), at + 160):
                if m.start() < at < m.end():
                    found.emails.append(m)
                    break


def _opened_at(text: str, opener: str) -> Iterator[int]:
    """Where `opener + "at"` starts, in order. `str.find` of a 3-character pattern ending in a
    common letter crawls (~1 ms per MB); the bracket alone is a memchr, so unless brackets
    abound, find those and look at what follows."""
    if text.count(opener) > _MANY_BRACKETS:
        at = text.find(opener + "at")
        while at >= 0:
            yield at
            at = text.find(opener + "at", at + 3)
        return
    at = text.find(opener)
    while at >= 0:
        if text.startswith("at", at + 1):
            yield at
        at = text.find(opener, at + 1)


def _phone_at(text: str, start: int) -> re.Match[str] | None:
    for p in (start, start - 1, start - 2, start - 3):
        if p < 0:
            break
        m = PHONE_FIND.match(text, p)
        if m:
            return m
    return None


_NO_WORDS = word_set(())
