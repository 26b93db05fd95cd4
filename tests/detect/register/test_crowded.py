"""In a large register every house number, street type and letter has rows, so a mistyped
street is narrowed by name (the names within a few edits of what was written, by hashed
deletion variants) instead of being verified row by row: it must find exactly the rows that
verifying them one by one would."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from support.hashedstreet import hashed_street

from mailguard.detect.register import Register
from mailguard.detect.register.street import StreetText
from mailguard.detect.register.ukforms import TYPE_FORMS, canon_word
from mailguard.message.model import Segment

_LETTERS = "acdefghjkmpqrtuvwxy"  # as test_typo_hashes: no "n" (an "rn" reads as "m"), no OCR look-alikes


def _fillers() -> list[str]:
    """Five names starting and five ending with each letter: whatever a slip makes of a name's
    first or last letter, "14 … Road" has many rows with it."""
    rng = random.Random(11)
    middle = lambda: "".join(rng.choice("bz") for _ in range(6))  # noqa: E731 - far from any test name
    return [
        n for c in string.ascii_lowercase for n in [c + middle() for _ in range(5)] + [middle() + c for _ in range(5)]
    ]


FILLERS = _fillers()


def _register(tmp: Path, name: str) -> Register:
    path = tmp / f"{name}.csv"
    rows = [f'F{i},,"14 {n.title()} Road, Elsewhere",LS1 1AA,,y@gmail.com' for i, n in enumerate(FILLERS)]
    rows.append(f'T1,,"14 {name.title()} Road, Testbury",BS1 4AB,,x@gmail.com')
    path.write_text("id,name,address,postcode,phone,flagged_recipients\n" + "\n".join(rows) + "\n")
    return Register.open(path)


def _edit(word: str, op: int, at: int, letter: str) -> str:
    i = at % (len(word) + 1)
    if op == 0 and i < len(word):
        return word[:i] + letter + word[i + 1 :]
    if op == 1 and i < len(word):
        return word[:i] + word[i + 1 :]
    if op == 2:
        return word[:i] + letter + word[i:]
    if i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


edits = st.tuples(st.integers(0, 3), st.integers(0, 20), st.sampled_from(_LETTERS))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(name=st.text(_LETTERS, min_size=5, max_size=14), first=edits, second=edits, two=st.booleans())
def test_a_mistyped_street_in_a_large_register_is_found_as_verifying_each_row_would(
    tmp_path_factory: pytest.TempPathFactory, name: str, first: tuple, second: tuple, two: bool
) -> None:
    typo = _edit(name, *first)
    typo = _edit(typo, *second) if two else typo
    assume(typo and typo != name and canon_word(typo) == typo and typo not in TYPE_FORMS and typo not in FILLERS)
    street, probe = hashed_street((name, "road"))
    expected = StreetText([typo, "road"], probe).match(street) == 2  # the row's own tolerance
    register = _register(tmp_path_factory.mktemp("crowded"), name)
    found = register.find_mentions([Segment(f"the family at 14 {typo.title()} Road, Testbury", "body")])
    assert ("T1" in {m.register_id for m in found}) == expected
