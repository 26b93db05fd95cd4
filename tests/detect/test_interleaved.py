"""A PDF page read in stream order and in column order: the stream order of a letter puts the
council's letterhead beside the address block, so what follows a street there is letterhead.
An address confirmed only by that, and absent from the column reading (which shows the street's
real village and postcode), is not trusted; one confirmed by the row's own postcode is."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailguard.detect.protected import find_protected
from mailguard.detect.register import Register
from mailguard.message.model import Content, Segment

ROWS = """id,name,address,postcode,phone,flagged_recipients
V1,,"9 Towngate, Stanbury, Keighley",BD22 2NA,,v@gmail.com
"""
PAGE = 'attachment "letter.pdf" › page 1'
LETTERHEAD = ["Westmere City Council", "PO Box 249", "Civic Centre, 86 Causewayside", "Westmere WM1 1AA"]


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Register:
    path = tmp_path_factory.mktemp("interleaved") / "register.csv"
    path.write_text(ROWS)
    return Register.from_csv(Path(path), key=b"interleaved test key 0123456789")[0]


def readings(block: list[str]) -> list[Segment]:
    """The page in stream order (each address line beside a letterhead line) and in columns."""
    stream = "\n".join(f"{a} {b}" for a, b in zip(block, LETTERHEAD, strict=False))
    columns = "\n".join(block) + "\nDear tenant,\n\n" + "\n".join(LETTERHEAD)
    return [Segment(stream, PAGE), Segment(columns, PAGE + " (columns)")]


def held(register: Register, segments: list[Segment]) -> set[str]:
    return {m.register_id for m in find_protected(Content(segments=segments), register)}


def test_another_village_in_the_column_reading_is_not_the_row(register: Register) -> None:
    assert held(register, readings(["9 TOWNGATE", "Oxenhope", "Keighley", "BD22 6ZW"])) == set()


def test_the_row_itself_is_found_in_either_reading(register: Register) -> None:
    assert held(register, readings(["9 Towngate", "Stanbury", "Keighley", "BD22 2NA"])) == {"V1"}


def test_without_a_column_reading_the_stream_order_is_all_there_is(register: Register) -> None:
    stream = readings(["9 TOWNGATE", "Oxenhope", "Keighley", "BD22 6ZW"])[:1]
    assert held(register, stream) == {"V1"}  # fail closed: nothing says it is another place
