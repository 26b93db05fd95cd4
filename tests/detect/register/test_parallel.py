"""A register compiled in worker processes is the one compiled in this process: the same
image byte for byte (so the same matches), the same stats and the same problems on the same
lines, for the tests' registers and for generated rows with bad rows, warned rows, duplicate
ids, blank lines and a quoted line break spread over several batches."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from mailguard.detect.register import Register, parallel
from mailguard.detect.register.compiled import csv_digest
from mailguard.detect.register.index import CompiledIndex
from mailguard.detect.register.keys import Keyring
from mailguard.detect.register.values import RowError
from mailguard.message.model import Segment

HERE = Path(__file__).parent
KEY = b"correct horse battery staple 0123456789"
STREETS = ["Acacia Avenue", "High Street", "Cherry Lane", "St Johns Road", "Heol y Felin", "Mill Brook Close"]
TOWNS = ["Bristol", "Leicester", "Cardiff", "Clifton", "Newcastle upon Tyne"]


def _generated(path: Path, n: int = 3000, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        street, town = rng.choice(STREETS), rng.choice(TOWNS)
        address = f"{rng.randint(1, 60)}{rng.choice(['', 'A'])} {street}, {town}"
        if rng.random() < 0.1:
            address = f"Rose Cottage, {street}, {town}"
        if rng.random() < 0.2:
            address = f"Flat {rng.randint(1, 9)}, {address}"
        postcode = (
            f"{rng.choice(['BS1', 'CF10', 'LE2', 'NE1'])} {rng.randint(1, 9)}{rng.choice('ABDE')}{rng.choice('FGHJ')}"
        )
        phone = rng.choice(["", "07700 900123", "0117 496 0123", "12345"])  # the last: warned, kept
        rid = f"G{i}" if rng.random() > 0.01 else f"G{i - 1}"  # now and then a duplicate id
        flagged = rng.choice([f"x{i}@gmail.com", "@example.org", "not an address", ""])
        row = [rid, "", address, postcode, phone, flagged]
        if rng.random() < 0.03:
            row[3] = "nowhere"  # skipped: no postcode
        if rng.random() < 0.01:
            row[0] = "bad id!"  # skipped
        rows.append(row)
    rows.insert(1500, ["", "", "", "", "", ""])  # blank
    rows.insert(2000, ["Q1", "two\nlines", "9 High Street, Bristol", "BS1 4AB", "", "q@gmail.com"])
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "address", "postcode", "phone", "flagged_recipients"])
        w.writerows(rows)
    return rows


def _compile(path: Path) -> tuple[bytes, list[RowError]]:
    errors: list[RowError] = []
    digest = csv_digest(path)
    image = parallel.compile_csv(path, Keyring(KEY), errors, lambda: {"sha256": digest, "errors": len(errors)})
    return image, errors


@pytest.mark.parametrize("name", ["register.csv", "register_regional.csv", "generated"])
def test_workers_compile_what_one_process_compiles(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = HERE / name
    rows: list[list[str]] = []
    if name == "generated":
        path = tmp_path / "generated.csv"
        rows = _generated(path)
    serial, serial_errors = _compile(path)
    monkeypatch.setattr(parallel, "SERIAL_BELOW", 1)
    monkeypatch.setattr(parallel, "_BATCH_ROWS", 7 if not rows else 400)
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)  # workers even on a one-CPU runner
    image, errors = _compile(path)
    assert image == serial
    assert errors == serial_errors
    if rows:
        assert {e.kept for e in errors} == {True, False}
        assert any("duplicate" in e.problem for e in errors)
        assert [e.line for e in errors] == sorted(e.line for e in errors)
    text = " ".join(f"{r[2]} {r[3]} {r[4]}." for r in (rows or _csv_rows(path))[:300])
    found = [Register(CompiledIndex(b, Keyring(KEY))).find_mentions([Segment(text, "body")]) for b in (serial, image)]
    assert found[0] == found[1] and found[0]


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as f:
        return list(csv.reader(f))[1:]
