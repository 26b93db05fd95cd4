"""The debatable cases of docs/detection.md, decided on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailguard.detect.register import Register
from mailguard.message.model import Segment

HERE = Path(__file__).parent

DECISIONS = [
    ("Plot 14, Acacia Avenue, Bristol", {"R1"}),  # a new-build plot on the row's street: held
    ("41 Acacia Avenue, Bristol", set()),  # a transposed house number names the neighbour
    ("Alice Example, Bristol", set()),  # the person's name and town: no address
    ("BS1 4AB", {"R1"}),  # a full postcode alone narrows to ~15 doors: a mention (issue 21)
    ("Her postcode is BS1 4AB, she says.", {"R1"}),
    ("12 Acacia Avenue BS1 4AB", set()),  # ... but with another door's number it is that door's
    ("Flat 3, Bristol BS2 8QT", set()),  # ... or with another flat of the row's building
    ("BS1 4AB, 12 Acacia Avenue", set()),  # the postcode written first, then the neighbour
    ("Acacia Avenue, Bristol BS1 4AB", {"R1"}),  # street and full postcode, no number: a handful of doors
    ("12 Acacia Avenue, Bristol BS1 4AB", set()),  # ... unless another house number is written
    ("Flat 3, High Street, Bristol BS2 8QT", set()),  # ... or another flat of the row's building
    ("Flat 3, 14 High Street, Bristol", set()),  # another flat in the same building
    ("14 High Street, Bristol", {"R2"}),  # the building of the row's flat
    ("66 Redcliffe Square, Bolton", set()),  # 66 is not 66A
    ("51.4545, -2.5879 Bristol", set()),  # grid coordinates
]


@pytest.fixture(scope="module")
def register() -> Register:
    return Register.open(HERE / "register.csv")


@pytest.mark.parametrize(("text", "expected"), DECISIONS)
def test_decided_on_purpose(register: Register, text: str, expected: set[str]) -> None:
    assert {m.register_id for m in register.find_mentions([Segment(text, "body")])} == expected
