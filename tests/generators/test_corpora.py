"""`python -m corpora`: lists the generators, and each writes a corpus in the labelled format of
../shared/corpus (register.csv, settings.env, messages/*.eml, expected.jsonl)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from corpora.__main__ import CORPORA, main


def test_the_entry_point_lists_every_corpus() -> None:
    out = subprocess.run([sys.executable, "-m", "corpora"], capture_output=True, text=True, check=True).stdout
    assert [line.split()[0] for line in out.splitlines()] == list(CORPORA)


@pytest.mark.parametrize("name", ["fourth", "fifth"])
def test_a_generator_writes_the_labelled_format(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    assert main([name, "--out", str(out)]) == 0
    settings = dict(line.split("=", 1) for line in (out / "settings.env").read_text().splitlines())
    assert settings["MAILGUARD_REGISTER"] == "register.csv"
    with (out / "register.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {"id", "name", "address", "postcode", "phone", "flagged_recipients"} <= set(rows[0])
    expected = [json.loads(line) for line in (out / "expected.jsonl").read_text().splitlines()]
    assert {e["expect"] for e in expected} <= {"pass", "rewrite", "hold", "nopass"}
    for e in expected:
        assert (out / "messages" / e["file"]).is_file()
        assert e["rcpt"] and e["mail_from"] and e["family"]
    # every class the fifth corpus is meant to cover, by family
    if name == "fifth":
        families = {e["family"].split("/")[1] for e in expected}
        assert {
            "number_words",
            "po_box",
            "welsh_english",
            "alias_googlemail",
            "other_village_same_town",
            "multi_agency",
            "resent-to",
            "display_name_addresses",
        } <= families


def test_a_seed_is_refused_where_the_generator_takes_none(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["fourth", "--out", str(tmp_path), "--seed", "3"])
