"""Typos against a hashed street: one edit of a street's name (a letter changed, dropped, added,
or two neighbours swapped) is matched, by hashes only; two edits of a name of up to nine
letters are not, unless the plain deletion rule says they are one apart, or the postcode is
there too and the name has five letters or more; a short name (up to four letters) is matched
only exactly, or with one slip when the postcode is there too."""

from __future__ import annotations

from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from support.hashedstreet import hashed_street
from support.native import need_native

from mailguard.detect.register import Register
from mailguard.detect.register.street import StreetText
from mailguard.detect.register.ukforms import TYPE_FORMS, canon_word
from mailguard.message.model import Segment

# letters the OCR skeleton leaves alone, and no "n" (an "rn" would read as "m")
_LETTERS = "acdefghjkmpqrtuvwxy"


def _edit(word: str, op: int, at: int, letter: str) -> str:
    i = at % (len(word) + 1)
    if op == 0 and i < len(word):  # changed
        return word[:i] + letter + word[i + 1 :]
    if op == 1 and i < len(word):  # dropped
        return word[:i] + word[i + 1 :]
    if op == 2:  # added
        return word[:i] + letter + word[i:]
    if i + 1 < len(word):  # two neighbours swapped
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


def _one_apart(a: str, b: str) -> bool:
    """The plain rule the hashes implement: a deletion of at most one letter of each meets."""
    dels = lambda w: {w} | {w[:i] + w[i + 1 :] for i in range(len(w))}  # noqa: E731
    return bool(dels(a) & dels(b))


edits = st.tuples(st.integers(0, 3), st.integers(0, 20), st.sampled_from(_LETTERS))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.text(_LETTERS, min_size=3, max_size=12), edits)
def test_one_edit_of_a_street_name_is_matched(name: str, edit: tuple[int, int, str]) -> None:
    typo = _edit(name, *edit)
    assume(canon_word(typo) == typo and typo not in TYPE_FORMS and typo)
    street, probe = hashed_street((name, "road"))
    words = [typo, "road"]
    found = StreetText(words, probe).match(street)
    if len(name) <= 4:
        assert found == (2 if typo == name else 0)  # a short name exactly...
        assert StreetText(words, probe).match(street, loose=True) == 2  # ...or with one slip and the postcode
    else:
        assert found == 2


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.text(_LETTERS, min_size=3, max_size=9), edits, edits)
def test_two_edits_of_a_name_of_up_to_nine_letters_are_not_matched(
    name: str, first: tuple[int, int, str], second: tuple[int, int, str]
) -> None:
    typo = _edit(_edit(name, *first), *second)
    assume(typo and canon_word(typo) == typo and typo not in TYPE_FORMS and not _one_apart(typo, name))
    street, probe = hashed_street((name, "road"))
    assert StreetText([typo, "road"], probe).match(street) == 0
    assert StreetText([typo, "road"], probe).match(street, loose=True) == (0 if len(name) <= 4 else 2)


def test_register_rows_with_street_typos() -> None:
    register, _ = Register.from_csv(Path(__file__).parent / "register.csv")

    def ids(text: str) -> set[str]:
        return {m.register_id for m in register.find_mentions([Segment(text, "body")])}

    for typo in ("Mooland", "Moorlnad", "Moorlamd", "Moorlaand"):  # dropped, swapped, changed, added
        assert ids(f"5 {typo} Crescent, Leeds") == {"R8"}
    assert ids("5 Mooalnd Crescent, Leeds") == set()  # two edits in an eight-letter name...
    assert ids("5 Mooalnd Crescent, Leeds LS6 3JX") == {"R8"}  # ...count with its postcode
    assert ids("168 Ivi Walk, Bath") == set()  # a short name's slip alone...
    assert ids("168 Ivi Walk, Bath BA1 7GS") == {"R10"}  # ...counts with its postcode
    assert ids("168 Ixz Walk, Bath BA1 7GS") == set()  # two slips do not


def test_register_rows_with_other_slips() -> None:
    """House names and places are hashed too and tolerate one edit; a Welsh street is its type
    and its name, with or without the article, in either language."""
    register, _ = Register.from_csv(Path(__file__).parent / "register.csv")

    def ids(text: str) -> set[str]:
        return {m.register_id for m in register.find_mentions([Segment(text, "body")])}

    assert ids("Rose Cotage, Mill Lane, Wells") == {"R6"}  # the house name
    assert ids("Rose Cottage, Mill Lane, Wels") == {"R6"}  # the town
    assert ids("Rose Cotage, Mill Lane") == set()  # a named house needs its place

    def kinds(text: str) -> set[str]:
        return {m.kind for m in register.find_mentions([Segment(text, "body")])}

    assert "postcode_number" in kinds("Ivy Cotage, LE65 1AB")  # the house name before its postcode
    assert kinds("Ivy Cxtxge, LE65 1AB") == {"postcode"}  # two slips: the postcode alone
    assert ids("10 Heol Felin, Cardiff") == {"R14"}  # the article left out
    assert ids("10 Felin Road, Cardiff") == {"R14"}  # the English form


@settings(max_examples=300, derandomize=True, deadline=None)
@given(word=st.text("abcab", max_size=9), most=st.integers(0, 3))
def test_deletions_are_every_string_of_that_many_letters_dropped(word: str, most: int) -> None:
    """`fuzzy.deletions` (pairs of positions at once for two) is the plain rule: each string
    made by dropping letters one at a time, with the fewest drops that make it."""
    from mailguard.detect.register.fuzzy import deletions

    want, level = {word: 0}, {word}
    for d in range(1, most + 1):
        level = {w[:i] + w[i + 1 :] for w in level if len(w) > 1 for i in range(len(w))} - set(want)
        want.update(dict.fromkeys(level, d))
    assert deletions(word, most) == want


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    names=st.lists(st.tuples(st.text("abcde", min_size=1, max_size=10), st.integers(0, 2)), min_size=1, max_size=12),
    texts=st.lists(st.text("abcdeé", max_size=12), min_size=1, max_size=6),
    tiers=st.lists(st.integers(0, 2), min_size=1, max_size=3),
)
def test_the_compiled_look_up_finds_what_the_python_one_does(
    names: list[tuple[str, int]], texts: list[str], tiers: list[int]
) -> None:
    """`Near.near` in C (`_native.c`) and in Python: the same names with the same edits, the same
    count of variants hashed (each distinct string once), asked in any order of tiers."""
    from mailguard.detect import budget
    from mailguard.detect.register.fuzzy import NAME, Near, build, deletions
    from mailguard.detect.register.keys import Keyring

    need_native()
    keys = Keyring(b"typo-test-key-0123456789")
    table = {form: (keys.hash(NAME + form), edits) for form, edits in names}
    variants, owners, present = build(table, keys.hashes)
    assert keys.native is not None
    compiled = Near(variants, owners, present, keys)
    plain = Near(variants, owners, present, Keyring(b"typo-test-key-0123456789", native=False))
    for text in texts:
        for tier in tiers:
            with budget.scan_budget(None) as c_work:
                got = dict(compiled.near(text, tier))
            with budget.scan_budget(None) as p_work:
                want = dict(plain.near(text, tier))
            assert got == want
            assert c_work.ops == p_work.ops
        done = max(tiers)
        assert compiled.near(text, done) == plain.near(text, done)
    word = texts[0]
    if word.isascii():  # its count is of distinct strings: `deletions` has each once
        count, _ = keys.native.near(word, 2, -1, "nv:", variants, owners, present)
        assert count == len(deletions(word, 2))


def test_a_string_no_variant_hashes_to_is_told_by_the_bitmap() -> None:
    """`fuzzy.bitmap` has a bit for every variant of the table; a present hash always finds its bit."""
    from mailguard.detect.register.fuzzy import bitmap

    hashes = [(i * 2654435761) % (1 << 40) for i in range(5000)]
    field = bitmap(hashes)
    mask = 8 * len(field) - 1
    assert 8 * len(field) >= 8 * len(hashes)
    assert all(field[(h & mask) >> 3] >> (h & 7) & 1 for h in hashes)
    assert sum(bin(b).count("1") for b in field) <= len(hashes)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(words=st.lists(st.text("arnm015iol", min_size=1, max_size=5), max_size=6), sizes=st.lists(st.integers(0, 4)))
def test_run_forms_are_the_name_forms_of_each_run(words: list[str], sizes: list[int]) -> None:
    """`fuzzy.run_forms` folds OCR letters once a word: each run's form is still `name_form`'s
    (an "rn" split across two words included)."""
    from mailguard.detect.register.fuzzy import name_form, run_forms

    want = [name_form(words[i : i + k]) for k in sizes if k > 0 for i in range(len(words) - k + 1)]
    assert run_forms(words, sizes) == want
