"""Welsh and English forms of one street, and PO boxes: found from either form, and kept at rest
as keyed hashes only (the forms are made at compile time, never stored as text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mailguard.detect.register import Register
from mailguard.detect.register.bilingual import street_forms
from mailguard.message.model import Segment

KEY = b"bilingual forms test key 0123456789"
ROWS = """id,name,address,postcode,phone,flagged_recipients
W1,,"14 Stryd y Plas, Cardiff",CF10 1AB,,a@gmail.com
W2,,"7 Plas Road, Swansea",SA1 2ZZ,,c@gmail.com
W3,,"22 Ffordd yr Afon, Bangor",LL57 2AB,,d@gmail.com
E1,,"7 Plas Road, Bristol",BS1 4AB,,e@gmail.com
P1,,"PO Box 820, Leeds",LS1 1AA,,f@gmail.com
"""


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bilingual") / "register.csv"
    path.write_text(ROWS)
    return path


@pytest.fixture(scope="module")
def register(csv_path: Path) -> Register:
    return Register.from_csv(csv_path, key=KEY)[0]


def ids(register: Register, text: str) -> set[str]:
    return {m.register_id for m in register.find_mentions([Segment(text, "body")])}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14 Plas Street, Cardiff", {"W1"}),  # the English form of a Welsh row
        ("14 Stryd y Plas, Cardiff CF10 1AB", {"W1"}),
        ("7 Heol y Plas, Swansea", {"W2"}),  # the Welsh form of an English row in Wales
        ("7 Heol-y-Plas", {"W2"}),
        ("22 Afon Way, Bangor", {"W3"}),  # Ffordd is a Way ...
        ("22 Afon Road, Bangor", {"W3"}),  # ... or a Road
        ("7 Heol y Plas, Bristol", set()),  # nobody writes Heol for a Road in England
        ("16 Plas Street, Cardiff", set()),  # a neighbour in either language
        ("14 Plas Street, Swansea", set()),  # another town
        ("14 Plas Lane, Cardiff", set()),  # another type: Lôn, not Stryd
        ("P.O. Box 820, Leeds LS1 1AA", {"P1"}),
        ("Box 820\nLS1 1AA", {"P1"}),
        ("PO Box 821, Leeds LS1 1AA", set()),  # another box at the same postcode
        ("PO Box 820, Leeds", {"P1"}),  # the box and its town name one box
        ("P.O. Box 820\nLeeds", {"P1"}),
        ("PO Box 820, York", set()),  # another town's box 820
        ("PO Box 820", set()),  # a box number alone: any town's
    ],
)
def test_either_form_is_the_street(register: Register, text: str, expected: set[str]) -> None:
    assert ids(register, text) == expected


def test_forms_are_the_type_in_the_other_language() -> None:
    assert street_forms(("stryd", "y", "plas"), "CF101AB") == (("stryd", "y", "plas"), ("plas", "street"))
    welsh = (("plas", "road"), ("heol", "y", "plas"), ("ffordd", "y", "plas"))  # Ffordd is a Road too
    assert street_forms(("plas", "road"), "SA12ZZ") == welsh
    assert street_forms(("plas", "road"), "BS14AB") == (("plas", "road"),)


def test_no_form_is_kept_as_text(csv_path: Path) -> None:
    image, rows, errors = Register.compile_image(csv_path, KEY)
    assert rows == 5 and not errors
    letters = re.sub(rb"[^a-z0-9]", b"", image.lower()).decode("latin-1")
    for needle in ("plasstreet", "strydyplas", "heolyplas", "afonway", "afonroad", "pobox820", "cf101ab", "plas"):
        assert needle not in letters
