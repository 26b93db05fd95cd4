"""Conflicting details veto a match: the same number and street with another full postcode of
the same post town is another place (the same street name twice in one town); the row's own
postcode with one character slipped is still the row."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.detect.register import Register
from mailguard.message.model import Segment

HERE = Path(__file__).parent
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# (id, number and street, town, postcode) of rows of register.csv
ROWS = [
    ("R1", "14 Acacia Avenue", "Bristol", "BS1 4AB"),
    ("R5", "221 Baker Street", "London", "NW1 6XE"),
    ("R7", "88 Station Road", "Newcastle upon Tyne", "NE1 5DL"),
    ("R8", "5 Moorland Crescent", "Leeds", "LS6 3JX"),
]


@pytest.fixture(scope="module")
def register() -> Register:
    return Register.open(HERE / "register.csv")


def _ids(register: Register, text: str) -> set[str]:
    return {m.register_id for m in register.find_mentions([Segment(text, "body")]) if m.kind == "address"}


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    row=st.sampled_from(ROWS),
    digit=st.integers(0, 9),
    letters=st.tuples(st.sampled_from(LETTERS), st.sampled_from(LETTERS)),
    sep=st.sampled_from([", ", "\n", " ", " | "]),
)
def test_another_postcode_of_the_same_town_vetoes(
    register: Register, row: tuple[str, str, str, str], digit: int, letters: tuple[str, str], sep: str
) -> None:
    rid, street, town, postcode = row
    outward, inward = postcode.split()
    other = f"{outward} {digit}{''.join(letters)}"
    differing = sum(a != b for a, b in zip(other.split()[1], inward, strict=True))
    text = f"{street}{sep}{town}{sep}{other}"
    if differing >= 2:
        assert rid not in _ids(register, text), text  # another place in the same post town
    else:
        assert rid in _ids(register, text), text  # the row's postcode, or one slip of it


@pytest.mark.parametrize("rid, street, town, postcode", ROWS)
def test_the_rows_own_postcode_and_a_swap_still_count(
    register: Register, rid: str, street: str, town: str, postcode: str
) -> None:
    outward, inward = postcode.split()
    swapped = f"{outward} {inward[0]}{inward[2]}{inward[1]}"
    assert rid in _ids(register, f"{street}, {town} {postcode}")
    assert rid in _ids(register, f"{street}, {town} {swapped}")


def test_another_village_of_the_same_post_town_with_its_postcode_is_not_the_row(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "id,name,address,postcode,phone,flagged_recipients\n"
        'H1,,"40 Church Street, Heptonstall, Hebden Bridge",HX7 5UE,,x@gmail.com\n'
    )
    register = Register.open(path)
    assert _ids(register, "40 Church Street, Cragg Vale, Hebden Bridge HX7 7WW") == set()
    assert _ids(register, "40 Church Street, Heptonstall, Hebden Bridge HX7 5UE") == {"H1"}


@settings(max_examples=40, derandomize=True, deadline=None)
@given(row=st.sampled_from(ROWS), join=st.integers(0, 2), tail=st.sampled_from(["", " | ", ".", "\n"]))
def test_a_town_written_with_two_words_joined_is_the_rows_town(register: Register, row, join: int, tail: str) -> None:
    """ "Newcastleupon Tyne": fewer words than the town has, last in the text, still name it (it
    is one slip away) -- and reading them never runs past the words there are."""
    rid, street, town, _ = row
    words = town.split()
    if len(words) > 1:
        j = min(join, len(words) - 2)
        words[j : j + 2] = [words[j] + words[j + 1].lower()]
    assert rid in _ids(register, f"the family at {street}, {' '.join(words)}{tail}")
