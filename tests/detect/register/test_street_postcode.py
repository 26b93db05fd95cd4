"""A street and its full postcode with no house number is a mention (issue 10): they narrow the
home to a handful of doors. With another house number, another flat or another postcode it is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.detect.register import Register
from mailguard.message.model import Segment

HERE = Path(__file__).parent
# (id, street forms, town, postcode, a number that is not the row's)
ROWS = [
    ("R1", ["Acacia Avenue", "Acacia Ave", "ACACIA AVENUE"], "Bristol", "BS1 4AB", "12"),
    ("R5", ["Baker Street", "Baker St"], "London", "NW1 6XE", "219"),
    ("R7", ["Station Road", "Station Rd"], "Newcastle upon Tyne", "NE1 5DL", "86"),
    ("R8", ["Moorland Crescent", "Moorland Cres"], "Leeds", "LS6 3JX", "7"),
]


@pytest.fixture(scope="module")
def register() -> Register:
    return Register.open(HERE / "register.csv")


def _ids(register: Register, text: str) -> set[str]:
    return {m.register_id for m in register.find_mentions([Segment(text, "body")])}


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    row=st.sampled_from(ROWS),
    form=st.integers(0, 2),
    sep=st.sampled_from([", ", "\n", " ", " | "]),
    town=st.booleans(),
    squash=st.booleans(),
    lead=st.sampled_from(["", "The family moved to ", "Address: ", "noise from "]),
)
def test_street_and_full_postcode_without_a_number(
    register: Register, row: tuple, form: int, sep: str, town: bool, squash: bool, lead: str
) -> None:
    rid, forms, town_name, postcode, neighbour = row
    street = forms[form % len(forms)]
    pc = postcode.replace(" ", "") if squash else postcode
    place = f"{town_name}{sep}" if town else ""
    assert rid in _ids(register, f"{lead}{street}{sep}{place}{pc}")
    assert rid not in _ids(register, f"{lead}{neighbour} {street}{sep}{place}{pc}")  # a neighbour
    other = postcode[:-2] + ("ZZ" if postcode[-2:] != "ZZ" else "YY")
    assert rid not in _ids(register, f"{lead}{street}{sep}{place}{other}")  # another postcode
