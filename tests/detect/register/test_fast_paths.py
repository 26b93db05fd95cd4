"""The scan's shortcuts find exactly what the plain definitions they replace would find."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.hashedstreet import hashed_street
from support.native import need_native

from mailguard.detect.register import Register, match, named, triggers
from mailguard.detect.register import postcode as postcode_module
from mailguard.detect.register.flats import flat_before, other_flat
from mailguard.detect.register.housenum import _PREV_WORDS, blocked, words_before_number
from mailguard.detect.register.locality import SCORE_NUMBER_POSTCODE, SCORE_STREET_ONLY, locality
from mailguard.detect.register.match import Matcher
from mailguard.detect.register.postcode import (
    NUMBER_AFTER_POSTCODE,
    NUMBER_BEFORE_POSTCODE,
    Scanned,
    postcode_alone,
    street_before_postcode,
)
from mailguard.detect.register.record import Row
from mailguard.detect.register.scanned import Group, Hit, groups, mention
from mailguard.detect.register.street import StreetText
from mailguard.detect.register.ukforms import WORD_RE, canon_postcode, postcode_key
from mailguard.detect.register.words import WordsBefore, next_words
from mailguard.message.model import Segment

HERE = Path(__file__).parent
FORMS = ("ave", "avenu", "avenue", "close", "court", "lane", "road", "str", "street", "ter", "terr", "way", "heol")
PIECES = [
    *FORMS,
    "a",
    "x",
    "é",
    "Road",
    "’",
    "'",
    " ",
    " ",
    ",",
    ".",
    "\n",
    "[at]",
    "(at",
    "[",
    "@",
    "0",
    "14",
    "ll",
    "lo",
    "0117 496 0000",
    "-",
    "ß",
    "?",
]


def _plain_whole_words(text: str, forms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Every occurrence of a form with no letter or digit (any script) either side."""
    found = []
    for form in forms:
        i = text.find(form)
        while i >= 0:
            end = i + len(form)
            if not (text[i - 1 : i].isalnum() or text[end : end + 1].isalnum()):
                found.append((i, end))
            i = text.find(form, i + 1)
    return sorted(found)


def _random_texts(n: int) -> list[str]:
    rng = random.Random(7)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14))) for _ in range(n)]


@pytest.fixture(params=["compiled", "regex"])
def word_set(request: pytest.FixtureRequest) -> triggers.WordSet:
    """The trigger pass's word finder, compiled (`_words.c`) and its Python fallback."""
    if request.param == "compiled":
        need_native()
    return triggers.WordSet({triggers.WORD: FORMS}, compiled=request.param == "compiled")


def test_whole_words_match_the_plain_search(word_set: triggers.WordSet) -> None:
    for text in _random_texts(20000):
        assert sorted(triggers.find(text, True, True, word_set).words) == _plain_whole_words(text, FORMS), text


@settings(max_examples=300, deadline=None)
@given(
    sets=st.dictionaries(
        st.sampled_from([1, 2, 4, 8]), st.lists(st.text("abz09", min_size=1, max_size=40), max_size=12), max_size=3
    ),
    padded=st.text(" abz09", max_size=400),  # several of the 64-byte blocks it reads, words across them
)
def test_compiled_word_finder_equals_the_regex(sets: dict[int, list[str]], padded: str) -> None:
    """Any sets of any words, a word in several sets carrying all their tags (those over 32 bytes
    are refused by the compiled set, and never sought)."""
    need_native()
    kept = {tag: [w for w in words if len(w) <= 32] for tag, words in sets.items()}
    data = b" " + padded.encode() + b" "  # as `triggers.find` pads it
    assert triggers.WordSet(kept).spans(data) == triggers.WordSet(kept, compiled=False).spans(data)


def _ocr_numbers_by_classes(text: str) -> list[int]:
    """The definition the word finder replaced: a token of two or three characters of the
    classes l, i, o (OCR'd 1, 1, 0) between non-alphanumerics, led by l or i."""
    classes = " " + "".join("l" if c in "lio" else "a" if c.isascii() and c.isalnum() else " " for c in text) + " "
    return [i for i in range(len(text)) if re.match(r" (ll|lll) ", classes[i:]) and text[i] in "li"]


@pytest.mark.parametrize("compiled", [True, False])
def test_ocr_numbers_are_the_short_runs_of_l_i_o(compiled: bool) -> None:
    if compiled:
        need_native()
    rng = random.Random(11)
    pieces = ["l", "i", "o", "ll", "lo", "il", "oi", "lll", "lol", "a", "1", " ", " ", ",", "-", "é", "\n", "14"]
    words = triggers.WordSet({triggers.OCR: triggers.OCR_NUMBERS}, compiled=compiled)
    none = triggers.WordSet({}, compiled=compiled)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        with_ocr, digits_only = (triggers.find(text, False, False, w).numbers for w in (words, none))
        assert sorted(with_ocr) == with_ocr
        assert sorted(set(with_ocr) - set(digits_only)) == _ocr_numbers_by_classes(text), text


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("broad lanes", []),  # inside words
        ("cottage,mill lane.", [(13, 17)]),
        ("éroad xroad road\u00e9", []),  # a non-ASCII letter is a letter
        ("road road", [(0, 4), (5, 9)]),
        ("avenue ave avenu", [(0, 6), (7, 10), (11, 16)]),
    ],
)
def test_whole_words_examples(word_set: triggers.WordSet, text: str, spans: list[tuple[int, int]]) -> None:
    assert triggers.find(text, False, False, word_set).words == spans


@pytest.mark.parametrize("compiled", [True, False])
def test_no_words_sought_finds_none(compiled: bool) -> None:
    assert triggers.WordSet({}, compiled=compiled).spans(b" road ") == []


def test_compiled_word_set_refuses_what_it_cannot_hold() -> None:
    need_native()
    for bad in ([(b"", 1)], [(b"two words", 1)], [(b"x" * 33, 1)], [("str", 1)], [(b"road", 0)], [b"road"]):
        with pytest.raises((ValueError, TypeError)):
            triggers._CompiledWordSet(bad)


def test_next_words_equal_word_re() -> None:
    rng = random.Random(3)
    for text in _random_texts(20000):
        found = triggers.find(text, False, False)
        start = rng.randrange(len(text))
        assert next_words(text, found.word_bytes, start) == WORD_RE.findall(text, start, start + 80)[:6], text


@pytest.mark.parametrize(
    ("words", "street", "loose", "used"),
    [
        (["acacia", "avenue", "bristol"], ("acacia", "avenue"), False, 2),
        (["acacia", "ave", "bristol"], ("acacia", "avenue"), False, 2),
        (["acacai", "avenue"], ("acacia", "avenue"), False, 2),  # a typo
        (["acacia", "road"], ("acacia", "avenue"), False, 0),  # another type
        (["acacia", "bristol"], ("acacia", "avenue"), False, 0),  # the street's type is needed
        (["high", "street", "x"], ("high",), False, 1),  # a street with no type word
        (["iyv", "lane"], ("ivy", "lane"), False, 0),  # a short name must be exact...
        (["iyv", "lane"], ("ivy", "lane"), True, 2),  # ...unless the postcode is there too
        (["st", "mary", "street"], ("saint", "mary", "street"), False, 3),
    ],
)
def test_street_text(words: list[str], street: tuple[str, ...], loose: bool, used: int) -> None:
    hashed, probe = hashed_street(street)
    assert StreetText(words, probe).match(hashed, loose) == used
    reader = StreetText(words, probe)  # asked again and in the other mode, from its memory
    assert reader.match(hashed, not loose) == StreetText(words, probe).match(hashed, not loose)
    assert reader.match(hashed, loose) == used


def test_obfuscated_email_among_many_brackets() -> None:
    register, _ = Register.from_csv(HERE / "register.csv")
    filler = "(see note) [1] {x} <y> " * 300  # past the count where the bracket scan changes method
    for text in ("ann.example [at] outlook [dot] com", filler + "ann.example [at] outlook [dot] com"):
        assert {m.register_id for m in register.find_mentions([Segment(text, "body")])} == {"R13"}


# Address blocks around postcodes: numbers (a "/" form, a range, a bracketed suffix), dates, flats,
# phones, number words before a type, apostrophes, blank lines.
BLOCK_PIECES = [
    "bs1 4ab",
    "ls6 2qt",
    "ls6  3jx",
    "8l1 6lq",
    "14",
    "2/14",
    "14-16",
    "19 (a)",
    "30c",
    "l4",
    "5 may",
    "flat 2",
    "apartment 3",
    "two",
    "tennyson",
    "close",
    "acacia",
    "avenue",
    "st john's",
    "heol",
    "0117 496 0000",
    "+44 117 496 0123",
    "order",
    "no.",
    "1234567",
    "x",
    ",",
    " | ",
    "\n",
    "\n\n",
    "é",
    "’s",
    "/",
    "-",
]


def test_postcode_alone_reading_the_scanned_tokens_matches_reading_the_text() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        text = " ".join(rng.choice(BLOCK_PIECES) for _ in range(rng.randint(2, 40)))
        trig = triggers.find(text, True, False)
        scanned = Scanned(trig.numbers, [m.span() for m in trig.phones], trig.word_bytes)  # one per text, as a scan
        for m in trig.postcodes:
            lo, hi = max(0, m.start() - NUMBER_BEFORE_POSTCODE), min(len(text), m.end() + NUMBER_AFTER_POSTCODE)
            plain = postcode_alone(text, lo, m.start(), m.end(), hi)
            assert postcode_alone(text, lo, m.start(), m.end(), hi, scanned) == plain, (text, m.span())


def test_numbers_sifted_before_the_address_path_lose_no_mention(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    pieces = [
        *BLOCK_PIECES,
        "14 acacia avenue",
        "acacia avenue 14",
        "30 c cherry lane",
        "po box 820, leeds",
        "7 st johns road",
        "high",
        "street",
        "bristol",
        "12 families",
    ]
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randint(2, 30))) for _ in range(1500)]

    def found(register: Register) -> list[set[tuple[str, str, int, int]]]:
        mentions = [register.find_mentions([Segment(t, "body")]) for t in texts]
        return [{(m.register_id, m.kind, m.start, m.end) for m in found} for found in mentions]

    sifted = found(Register.open(HERE / "register.csv"))
    monkeypatch.setattr(Matcher, "_street_may_follow", lambda *_: True)  # every number to number_first
    assert found(Register.open(HERE / "register.csv")) == sifted


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(st.text(alphabet="abz£$€#.:,| \n\t\x1c19-xé\xa0", max_size=40), st.integers(0, 40), st.integers(0, 40))
def test_the_words_before_a_number_are_the_regex_s(text: str, a: int, b: int) -> None:
    pos = min(b, len(text))
    lo = max(0, pos - 32, min(a, pos))
    prev = _PREV_WORDS.search(text, lo, pos)
    assert words_before_number(text, lo, pos) == (prev.groups() if prev else None)


def _plain_street_before_postcode(group: Group, row: Row, lo: int, pc_start: int, pc_end: int) -> list[Hit]:
    """`street_before_postcode` as first written: every run of words tried, each rule after it."""
    text = group.text
    spans = [(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text, lo, pc_start)]
    for street in row.streets:
        size = street.size
        for i in range(len(spans) - size + 1):
            if StreetText([w for w, _, _ in spans[i : i + size + 1]], row.probe).match(street) != size:
                continue
            start, street_end = spans[i][1], spans[i + size - 1][2]
            between = text[street_end:pc_start]
            if len(WORD_RE.findall(between)) > 5 or re.search(r"\d", between):
                continue
            if postcode_module._house_number_before(text, start) or blocked(text, start):
                continue
            flat = flat_before(text, start, lo)
            if flat and other_flat(row, flat.group(2)):
                continue
            return [mention(group, row.id, "address", flat.start() if flat else start, pc_end, SCORE_NUMBER_POSTCODE)]
    return []


def test_a_street_before_its_postcode_is_read_where_the_plain_reading_finds_it() -> None:
    register = Register.open(HERE / "register.csv")
    index = register._matcher.index
    pieces = [
        *BLOCK_PIECES,
        "acacia avenue",
        "high street",
        "st johns road",
        "cherry lane",
        "heol y felin",
        "kirk wynd",
        "rowan road",
        "st john's rd",
        "acacia ave",
        "acaica avenue",
        "the",
        "of",
        "bristol",
        "order",
        "ref",
        "14 acacia avenue",
        "flat 5",
        "flat 12",
        "rose cottage",
        "mill lane",
        "2/3",
    ]
    postcodes = ["bs1 4ab", "bs2 8qt", "le25 6ja", "bs8 2hg", "cf14 1aa", "ky1 1aa", "ls6 2qt", "ba5 1aa"]
    rng = random.Random(21)
    for _ in range(3000):
        postcode = rng.choice(postcodes)
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) + " " + postcode
        pc_start = len(text) - len(postcode)
        group = groups([Segment(text, "body")])[0]
        for r in index.lookup("p:" + postcode_key(canon_postcode(postcode) or "")):
            row = index.row(r)
            lo = max(0, pc_start - NUMBER_BEFORE_POSTCODE)
            fast = list(street_before_postcode(group, row, lo, pc_start, len(text)))
            assert fast == _plain_street_before_postcode(group, row, lo, pc_start, len(text)), text


def _plain_named_house(index, group: Group, d_start: int, d_end: int, postcodes) -> Iterator[Hit]:
    """`named.named_house` as first written: the house name read before what follows the street."""
    earlier = WordsBefore(group.text)
    for row, start, street_end in named.streets_at(index, group.text, d_start, d_end, earlier):
        name_at = named.house_name_before(group.text, row, start, earlier)
        if name_at is None:
            continue
        verdict = locality(index.towns, group.text, row, name_at, street_end, postcodes)
        if verdict is not None and verdict[0] != SCORE_STREET_ONLY:
            yield mention(group, row.id, "address", name_at, verdict[1], verdict[0])


def test_a_named_house_is_found_as_when_its_name_was_read_first(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(23)
    pieces = [
        "rose cottage",
        "rose cotage",
        "ivy cottage",
        "the old mill",
        "mill lane",
        "church lane",
        "heol y felin",
        "wells",
        "ashby",
        "leeds",
        "ba5 1aa",
        "le65 1ab",
        "ba5 1ab",
        "ls6 3jx",
        "bs1 4ab",
        ",",
        ", ",
        "\n",
        " | ",
        "postcode:",
        "to",
        "14",
        "the",
        "cottage",
    ]
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randint(2, 16))) for _ in range(3000)]

    def found() -> list[set[tuple[str, str, int, int, float]]]:
        register = Register.open(HERE / "register.csv")
        return [
            {(m.register_id, m.kind, m.start, m.end, m.score) for m in register.find_mentions([Segment(t, "body")])}
            for t in texts
        ]

    fast = found()
    assert any(fast)  # the pieces do name the named houses
    monkeypatch.setattr(match, "named_house", _plain_named_house)
    assert found() == fast


@settings(max_examples=400, deadline=None)
@given(text=st.text(st.sampled_from(list("Aa1 .,-£éÉßİσΣОоаﬁ\u200b\u2013'’ŵ")), max_size=40))
def test_fold_replaces_each_character_as_the_per_character_fold(text: str) -> None:
    """`scanned.fold`'s `str.replace` per character is the per-character substitution it replaced."""
    from mailguard.detect.register import scanned

    folded, offsets = scanned.fold(text)
    if offsets is None and len(folded) == len(text):
        want = "".join(scanned._fold_char(c) or c if ord(c) > 127 else c for c in text).lower()
        assert folded == want
    assert len(folded) == len(text) or offsets is not None


_TOKEN_PIECES = [
    "bs1 4ab", "bs14ab", "b51 4ab", "8l1 6lq", "bsl 4ab", "ls6  2qt", "ec1a 1bb", "w1a 0ax", "14", "2/14",
    "0117 496 0000", "+44 117 496 0123", "(0117) 4960000", "07700 900123", "441174960123", "1234567",
    "12345678901234567", "30c", "l4", "ll", "x", "road", " ", "  ", ",", ".", "\n", "é", "£", "-", "(", "+", "0",
    "5", "8", "4ab", "6lq", "o1", "s0", "ab12", "a1b",
]  # fmt: skip


@pytest.mark.parametrize("phones", [True, False])
def test_the_compiled_token_walk_finds_what_the_python_finds(phones: bool) -> None:
    """`_triggers.c`'s walk over digit-bearing tokens: the same postcodes, house-number starts and
    phones as `triggers._digit_tokens`, on postcodes squashed, OCR'd and split, phones, long
    tokens, non-ASCII text and the tokens around them."""
    need_native()
    rng = random.Random(9)
    for _ in range(20000):
        text = "".join(rng.choice(_TOKEN_PIECES) + rng.choice(["", " ", " ", ", "]) for _ in range(rng.randint(1, 14)))
        found = [triggers.find(text, phones, False, compiled=c) for c in (True, False)]
        spans = [([m.span() for m in t.postcodes], t.numbers, [m.span() for m in t.phones]) for t in found]
        assert spans[0] == spans[1], text


def test_the_compiled_token_walk_refuses_classes_of_another_length() -> None:
    need_native()
    with pytest.raises(ValueError):
        triggers._compiled_digit_tokens(
            "bs1 4ab", b"aa0", True, triggers.POSTCODE_FIND.match, triggers._phone_at, [], [], []
        )
