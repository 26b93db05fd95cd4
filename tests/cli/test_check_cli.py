"""The real `mailguard check` and `mailguard rules check` on fixture messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mailguard.cli import main

DATA = Path(__file__).parent / "data"
REPO_RULES = Path(__file__).resolve().parents[2] / "rules"

EXPECTED = {
    "exposure_to.eml": "rewrite",
    "bcc_only.eml": "pass",
    "one_org.eml": "pass",
    "invite_hidden_attendees.eml": "hold",
    "address_list_csv.eml": "hold",
    "protected_flagged.eml": "hold",
    "protected_neighbour.eml": "pass",
    "protected_unflagged.eml": "pass",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    values = {
        "MAILGUARD_INTERNAL_DOMAINS": "dept.example.gov.uk",
        "MAILGUARD_REGISTER": str(DATA / "register.csv"),
        "MAILGUARD_DATA_DIR": str(tmp_path / "var"),
        "MAILGUARD_RULES_DIR": str(REPO_RULES),
        "MAILGUARD_EXTRACT_WORKERS": "1",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def _json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_manifest_json_through_the_console_script(env: dict[str, str], tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.jsonl"
    lines = [{"file": str(DATA / name), "note": "ignored"} for name in EXPECTED]
    lines.append({"file": "missing.eml"})
    manifest.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    run = subprocess.run(
        [sys.executable, "-m", "mailguard", "check", "--manifest", str(manifest), "--json"],
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    results = _json_lines(run.stdout)
    assert [r["file"] for r in results[: len(EXPECTED)]] == [str(DATA / n) for n in EXPECTED]  # input order
    got = {Path(str(r["file"])).name: r["verdict"] for r in results[: len(EXPECTED)]}
    assert got == EXPECTED
    for r in results:
        assert {"file", "verdict", "reasons", "unscanned"} <= r.keys()
        for reason in r["reasons"]:  # type: ignore[attr-defined]
            assert {"rule", "detector", "detail"} <= reason.keys()
    missing, bad_line = results[len(EXPECTED) :]
    assert missing["verdict"] == "tempfail" and "cannot read" in str(missing["error"])
    assert bad_line["verdict"] == "tempfail" and "bad manifest line" in str(bad_line["error"])
    assert run.returncode == 1  # some messages could not be decided


def test_manifest_paths_relative_to_its_folder_and_envelope_given(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "messages").mkdir()
    (tmp_path / "messages" / "m.eml").write_bytes((DATA / "protected_flagged.eml").read_bytes())
    manifest = tmp_path / "expected.jsonl"
    # the same message: flagged recipient holds, an unflagged envelope recipient passes
    manifest.write_text(
        json.dumps({"file": "messages/m.eml", "mail_from": "a@dept.example.gov.uk", "rcpt": ["x@council.example"]})
        + "\n"
        + json.dumps({"file": "m.eml"})
        + "\n"
    )
    assert main(["check", "--manifest", str(manifest), "--json"]) == 0
    first, second = _json_lines(capsys.readouterr().out)
    assert first["verdict"] == "pass" and first["rcpt"] == ["x@council.example"]
    assert second["verdict"] == "hold" and second["rcpt"] == ["ex.partner@gmail.com"]
    reason = second["reasons"][0]  # type: ignore[index]
    assert reason["register_id"] == "P000001" and "14 High St" in reason["match"]


def test_one_file_with_envelope_options_and_readable_output(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(DATA / "bcc_only.eml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{DATA / 'bcc_only.eml'}: PASS")
    assert main(["check", str(DATA / "bcc_only.eml"), "--rcpt", "ex.partner@gmail.com"]) == 0
    assert ": PASS" in capsys.readouterr().out
    assert (
        main(
            [
                "check",
                str(DATA / "protected_unflagged.eml"),
                "--mail-from",
                "a@dept.example.gov.uk",
                "--rcpt",
                "sam.ex@hotmail.co.uk",
                "--rcpt",
                "ex.partner@gmail.com",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert ": HOLD - protected-to-flagged: " in out


def test_usage_errors(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2
    assert main(["check", str(DATA / "nope.eml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_bad_rules_stop_check(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "protected.yaml").write_text("rules:\n  - name: p\n    when_sent_to: everybody\n")
    monkeypatch.setenv("MAILGUARD_RULES_DIR", str(rules))
    assert main(["check", str(DATA / "bcc_only.eml")]) == 2
    assert "protected.yaml:3: rules[0].when_sent_to" in capsys.readouterr().err


def test_rules_check_prints_effective_policy(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", str(REPO_RULES)]) == 0
    out = capsys.readouterr().out
    for words in (
        "exposure-headers",
        "exposure-invite",
        "protected-to-flagged",
        "unscannable-to-flagged",
        "dept.example.gov.uk",
        "MAILGUARD_INTERNAL_DOMAINS=dept.example.gov.uk",
        "rules OK",
    ):
        assert words in out


def test_rules_check_bad_file(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "exposure.yaml").write_text("# comment\nthreshold: 2\nrules:\n  - name: x\n    visible: [bcc]\n")
    run = subprocess.run(
        [sys.executable, "-m", "mailguard", "rules", "check", "rules"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert run.stderr.strip().splitlines()[-1].startswith("rules/exposure.yaml:5: rules[0].visible[0]")


def test_several_files_one_verdict_each(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    files = [DATA / "bcc_only.eml", DATA / "protected_flagged.eml", DATA / "one_org.eml"]
    assert main(["check", *map(str, files), "--json"]) == 0
    results = _json_lines(capsys.readouterr().out)
    assert [r["file"] for r in results] == [str(f) for f in files]
    assert [r["verdict"] for r in results] == [EXPECTED[f.name] for f in files]


def test_plain_output_shows_warnings(env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = tmp_path / "no-recipients.eml"
    bare.write_bytes(b"From: a@dept.example.gov.uk\r\nSubject: note\r\n\r\nhello\r\n")
    main(["check", str(bare)])
    assert "[warning: no recipients (give --rcpt or To/Cc/Bcc headers)]" in capsys.readouterr().out


def test_warns_when_the_organisation_is_not_configured(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(DATA / "bcc_only.eml")]) == 0
    assert "warning" not in capsys.readouterr().err  # configured: nothing to say
    monkeypatch.delenv("MAILGUARD_INTERNAL_DOMAINS")
    monkeypatch.delenv("MAILGUARD_REGISTER")
    main(["check", str(DATA / "bcc_only.eml")])
    err = capsys.readouterr().err
    assert "warning: no internal domains" in err
    assert "warning: no protected register" in err
