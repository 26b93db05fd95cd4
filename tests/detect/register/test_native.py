"""The compiled module (`_native.c`, the hashing; `_record.c`, its row decoder) changes how fast a
scan is, never what it finds: the same register compiled and scanned with them and with the
Python fallback gives the same mentions, on register addresses written with slips, joined, split
and cased any way, and decodes every row alike."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.native import need_native

from mailguard.detect.register import Register, index, keys, record
from mailguard.message.model import Segment

_CSV = Path(__file__).parent / "register.csv"
_KEY = b"native-or-python-key-0123456789"


def _rows() -> list[list[str]]:
    with _CSV.open(newline="") as f:
        return list(csv.reader(f))[1:]


ROWS = _rows()


@pytest.fixture(scope="module")
def registers() -> tuple[Register, Register]:
    need_native()
    compiled, _ = Register.from_csv(_CSV, _KEY)
    assert compiled._matcher.index.probe._near._native is not None
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(keys, "Hasher", None)
        plain, _ = Register.from_csv(_CSV, _KEY)
    assert plain._matcher.index.probe._near._native is None
    return compiled, plain


def _slipped(text: str, slips: list[tuple[int, int, str]]) -> str:
    for op, at, letter in slips:
        i = at % (len(text) + 1)
        if op == 0:
            text = text[:i] + letter + text[i + 1 :]  # changed
        elif op == 1:
            text = text[:i] + text[i + 1 :]  # dropped
        elif op == 2:
            text = text[:i] + letter + text[i:]  # added
        else:
            text = text[:i] + text[i + 1 : i + 2] + text[i : i + 1] + text[i + 2 :]  # neighbours swapped
    return text


slips = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 80), st.sampled_from("aeinorstlm ")), max_size=3)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(picks=st.lists(st.tuples(st.integers(0, len(ROWS) - 1), slips, st.booleans()), min_size=1, max_size=4))
def test_a_scan_finds_the_same_with_the_compiled_hashing_and_without(
    registers: tuple[Register, Register], picks: list[tuple[int, list[tuple[int, int, str]], bool]]
) -> None:
    lines = []
    for i, edits, upper in picks:
        address, postcode = ROWS[i][2], ROWS[i][3]
        line = _slipped(f"The family now lives at {address}, {postcode}.", edits)
        lines.append(line.upper() if upper else line)
    segments = [Segment("\n".join(lines), "body")]
    compiled, plain = registers
    found = [(m.register_id, m.kind, m.start, m.end, m.score) for m in compiled.find_mentions(segments)]
    assert found == [(m.register_id, m.kind, m.start, m.end, m.score) for m in plain.find_mentions(segments)]


def test_a_slipped_street_is_looked_up_in_c(registers: tuple[Register, Register]) -> None:
    """The typo look-up itself runs in C (not only the exact hashes): a slip in a street's name
    is found, and the string is remembered as the Python path remembers it."""
    text = [Segment("The family now lives at 14 Acacai Avenue, Bristol.", "body")]
    for register in registers:
        assert {m.register_id for m in register.find_mentions(text)} == {"R1"}
        assert "acacai" in register._matcher.index.probe._near._seen


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    parts=st.lists(st.text(max_size=12), min_size=1, max_size=6),
    rows=st.lists(st.integers(0, (1 << 24) - 1), max_size=5),
    others=st.lists(st.integers(0, (1 << 64) - 1), max_size=30),
    shift=st.sampled_from([0, 24]),
)
def test_find_is_hash_then_bisect(parts: list[str], rows: list[int], others: list[int], shift: int) -> None:
    """`Hasher.find` (a look-up key's rows, or a hashed word's membership) is the Python it
    replaces: the part's HMAC, bisected in the sorted table, the low bits of each equal entry."""
    from array import array
    from bisect import bisect_left

    need_native()
    from mailguard.detect.register import _native  # type: ignore[attr-defined]

    ring = keys.Keyring(_KEY)
    assert ring.native is not None
    mask = (1 << shift) - 1
    table = array("Q", sorted({*others, *(ring.hash(parts[0]) << shift | (r & mask) for r in rows)}))
    for part in parts:
        h, want = ring.hash(part), []
        i = bisect_left(table, h << shift)
        while i < len(table) and table[i] >> shift == h:
            want.append(table[i] & mask)
            i += 1
        assert ring.native.find(part, memoryview(table), shift) == want
        for bits in (0, 1, 4, 16):  # a directory narrows the bisection, never the answer
            found = ring.native.find(part, memoryview(table), shift, _native.directory(memoryview(table), shift, bits))
            assert found == want


def test_every_row_decodes_alike_in_c_and_in_python(registers: tuple[Register, Register]) -> None:
    """`_record.c` builds the very `record.Row` that `record.decode` builds, for every row."""
    compiled = registers[0]._matcher.index
    assert index.Records is not None and compiled.row.__wrapped__ is not compiled._row
    for i in range(compiled.n_rows):
        c, py = compiled.row(i), compiled._row(i)
        assert c == py and repr(c) == repr(py)
        assert [type(s) for s in c.streets] == [record.Street] * len(py.streets)
        assert [type(p) for p in c.places] == [record.Place] * len(py.places)
        assert type(c.house_name) is type(py.house_name) and c.probe is py.probe


def _tag(tag: int, h: int, detail: int = 0) -> int:
    return tag << 56 | detail << 40 | h


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    words=st.lists(
        st.integers(0, 16).flatmap(
            lambda t: st.builds(_tag, st.just(t), st.integers(0, (1 << 40) - 1), st.integers(0, 0xFFFF))
        ),
        max_size=40,
    )
)
def test_any_record_decodes_alike_or_fails_alike(registers: tuple[Register, Register], words: list[int]) -> None:
    """Any words, in any order (a damaged image): the same row, or an error from both."""
    from array import array

    from mailguard.detect.register._native import Records  # type: ignore[import-not-found]

    probe = registers[0]._matcher.index.probe
    records, offsets = array("Q", words), array("Q", [0, len(words)])
    ids, id_offsets = memoryview(b"R9"), array("Q", [0, 2])
    decoder = Records(
        memoryview(records),
        memoryview(offsets),
        ids,
        memoryview(id_offsets),
        record.Row,
        record.Street,
        record.Place,
        record.HouseName,
        probe,
    )
    try:
        want = record.decode(words, "R9", probe)
    except IndexError:
        with pytest.raises(IndexError):
            decoder.row(0)
        return
    assert decoder.row(0) == want and repr(decoder.row(0)) == repr(want)


def test_a_damaged_image_is_an_error_not_a_crash() -> None:
    need_native()
    from array import array

    from mailguard.detect.register._native import Records  # type: ignore[import-not-found]

    args = (record.Row, record.Street, record.Place, record.HouseName, None)
    good = array("Q", [_tag(1, 5)])
    cases = [
        (good, array("Q", [0, 9]), b"R1", array("Q", [0, 2])),  # a record past the words
        (good, array("Q", [0, 1]), b"R1", array("Q", [0, 7])),  # an id past the ids
        (good, array("Q", [1, 0]), b"R1", array("Q", [0, 2])),  # offsets backwards
        (good, array("Q", [0, 1]), b"R\xff", array("Q", [0, 2])),  # an id that is not ASCII
    ]
    for recs, offs, ids, id_offs in cases:
        decoder = Records(memoryview(recs), memoryview(offs), memoryview(ids), memoryview(id_offs), *args)
        with pytest.raises((ValueError, UnicodeDecodeError)):
            decoder.row(0)
        with pytest.raises(IndexError):
            decoder.row(1)
    with pytest.raises(ValueError):
        Records.__new__(Records).row(0)  # never initialised


def test_a_directory_is_where_each_bucket_of_top_bits_starts() -> None:
    need_native()
    from array import array
    from bisect import bisect_left

    from mailguard.detect.register import _native  # type: ignore[attr-defined]

    rng = __import__("random").Random(4)
    for shift in (0, 24):
        table = array("Q", sorted(rng.getrandbits(40) << shift | rng.getrandbits(shift) for _ in range(5000)))
        for bits in (0, 3, 12):
            d = array("Q")
            d.frombytes(_native.directory(memoryview(table), shift, bits))
            want = [bisect_left(table, b << (40 - bits) << shift) for b in range(2**bits)] + [len(table)]
            assert list(d) == want
    with pytest.raises(ValueError):
        _native.directory(memoryview(array("Q")), 0, 25)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    text=st.text("abcz019 ,-éAB", max_size=40),
    span=st.tuples(st.integers(0, 45), st.integers(0, 45)),
    picks=st.lists(st.sampled_from(["abc", "zzz", "a01", "019", "bca"]), max_size=3),
)
def test_trigram_in_is_the_python_trigram_test(text: str, span: tuple[int, int], picks: list[str]) -> None:
    """`Hasher.trigram_in` (`match.Matcher._prefix_in` in C): some three [a-z0-9] characters
    written wholly inside text[lo:hi] hash, as a street prefix, into the wanted set."""
    need_native()
    from mailguard.detect.register import match
    from mailguard.detect.register.probe import PREFIX

    ring = keys.Keyring(_KEY)
    lo, hi = min(span), max(span)
    present = set(match._TRIGRAM.findall(text, lo, hi))
    wanted = frozenset(ring.hash(PREFIX + t) for t in [*picks, *sorted(present)[:1]])
    cache = bytearray(8 * 36**3)
    for _ in range(2):  # the second time from the cache
        found = ring.native.trigram_in(text, lo, hi, PREFIX, wanted, cache)
        assert found == (not wanted.isdisjoint(ring.hash(PREFIX + t) for t in present))
    with pytest.raises(ValueError):
        ring.native.trigram_in(text, lo, hi, PREFIX, wanted, bytearray(8))
