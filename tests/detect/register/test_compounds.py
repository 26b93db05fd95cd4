"""A compound street name written apart or joined ("Black Horse Lane" for Blackhorse Lane, and
the other way round), with one slip at most, is the row's street -- also when its first part is
the first word of another street of the register (at a million rows most words are)."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.detect.register import Register
from mailguard.message.model import Segment

# (first part, second part, type, written joined in the register?)
COMPOUNDS = [
    ("black", "horse", "Lane", True),
    ("mill", "brook", "Road", False),
    ("bridge", "water", "Street", True),
    ("green", "field", "Close", False),
    ("church", "hill", "Avenue", True),
    ("oak", "wood", "Drive", True),
]


def _street(first: str, second: str, kind: str, joined: bool) -> str:
    return f"{(first + second).title()} {kind}" if joined else f"{first.title()} {second.title()} {kind}"


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Register:
    path = tmp_path_factory.mktemp("compounds") / "register.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "address", "postcode", "phone", "flagged_recipients"])
        for i, (first, second, kind, joined) in enumerate(COMPOUNDS):
            w.writerow(
                [f"C{i}", "", f"14 {_street(first, second, kind, joined)}, Testbury", "BS1 4AB", "", "x@gmail.com"]
            )
            # the first part alone is another street's first word (a different number and town)
            w.writerow([f"D{i}", "", f"3 {first.title()} {kind}, Elsewhere", "LS1 1AA", "", "y@gmail.com"])
    return Register.open(path)


def _slip(word: str, at: int, letter: str) -> str:
    i = 1 + at % (len(word) - 1)  # not its first letter: the parts' boundary stays
    return word[:i] + letter + word[i + 1 :]


@settings(max_examples=120, derandomize=True, deadline=None)
@given(
    which=st.integers(0, len(COMPOUNDS) - 1),
    sep=st.sampled_from([" ", "-", ""]),
    slip=st.booleans(),
    at=st.integers(0, 10),
    letter=st.sampled_from("aeiouy"),
)
def test_a_compound_written_apart_or_joined_is_the_rows_street(
    register: Register, which: int, sep: str, slip: bool, at: int, letter: str
) -> None:
    first, second, kind, _ = COMPOUNDS[which]
    second = _slip(second, at, letter) if slip else second
    written = f"{first.title()}{sep}{second.title() if sep else second} {kind}"
    found = {m.register_id for m in register.find_mentions([Segment(f"the family at 14 {written}, Testbury", "body")])}
    assert f"C{which}" in found


@pytest.mark.parametrize("which", range(len(COMPOUNDS)))
def test_another_number_on_the_compound_street_is_not_the_row(register: Register, which: int) -> None:
    first, second, kind, _ = COMPOUNDS[which]
    text = f"the family at 15 {first.title()} {second.title()} {kind}, Testbury"
    assert not {m.register_id for m in register.find_mentions([Segment(text, "body")])}
