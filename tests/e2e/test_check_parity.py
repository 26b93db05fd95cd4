"""`mailguard check` (a real subprocess) gives the verdict the running relay gives, for the same
message, envelope, rules and register."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from support.serve import as_env, mailguard
from support.stack import Stack

from .mail import (
    COLLEAGUE,
    EX_PARTNER,
    PUBLIC,
    SENDER,
    clean,
    exposed,
    invite,
    marker,
    protected_attachment,
    subject_of,
)

TRANSACTION = re.compile(rb"\(mailguard\) with \w+ id (\w+)")


def relay_verdict(
    stack: Stack, data: bytes, rcpts: list[str], caplog: pytest.LogCaptureFixture
) -> tuple[str, list[str], bool]:
    """(verdict, rules, split) as the relay acted on the message, read from the relay's log line for
    the transaction (delivered copies name no verdict when a recipient is outside)."""
    code, text = stack.send(data, SENDER, rcpts)
    assert code == 250, (code, text)
    if held := re.search(rb"held for review as (Q\w+)", text):
        item = stack.api().get(f"/api/quarantine/{held.group(1).decode()}").json()
        return "hold", sorted({r["rule"] for r in item["reasons"]}), False
    word = subject_of(data)
    [first, *_] = stack.wait_for(lambda m: subject_of(m.data) == word)
    found = TRANSACTION.search(first.data)
    assert found, first.data[:400]
    txn = found.group(1).decode()
    [record] = [r for r in caplog.records if getattr(r, "txn", None) == txn and hasattr(r, "verdict")]
    return record.verdict, list(record.rules), b"queued as S" in text


def test_check_and_relay_agree(
    stack: Stack, settings: dict[str, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mailguard")
    cases = {
        "clean.eml": (clean(marker()), [COLLEAGUE]),
        "exposed.eml": (exposed(marker()), [*PUBLIC, COLLEAGUE]),
        "invite.eml": (invite(marker()), [*PUBLIC, COLLEAGUE]),
        "protected-pdf.eml": (protected_attachment(marker(), "pdf"), [EX_PARTNER, COLLEAGUE]),
        "protected-docx.eml": (protected_attachment(marker(), "docx"), [EX_PARTNER]),
        "protected-unflagged.eml": (protected_attachment(marker(), "pdf"), [PUBLIC[0]]),
    }
    manifest = tmp_path / "manifest.jsonl"
    with manifest.open("w") as out:
        for name, (data, rcpts) in cases.items():
            (tmp_path / name).write_bytes(data)
            out.write(json.dumps({"file": name, "mail_from": SENDER, "rcpt": rcpts}) + "\n")
    env = as_env(settings | {"data_dir": tmp_path / "check-var", "extract_workers": 1})
    result = mailguard("check", "--manifest", str(manifest), "--json", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    checked = {
        r["file"]: (r["verdict"], sorted({x["rule"] for x in r["reasons"]}), bool(r.get("split")))
        for r in map(json.loads, result.stdout.splitlines())
    }

    relayed = {name: relay_verdict(stack, data, rcpts, caplog) for name, (data, rcpts) in cases.items()}
    assert relayed == checked
    assert {name: v[0] for name, v in relayed.items()} == {  # and they are the verdicts we expect
        "clean.eml": "pass",
        "exposed.eml": "rewrite",
        "invite.eml": "hold",
        "protected-pdf.eml": "hold",
        "protected-docx.eml": "hold",
        "protected-unflagged.eml": "pass",
    }
    assert relayed["invite.eml"][2] and not relayed["protected-pdf.eml"][2]

    # and check shows the same Outcome: who gets which copy
    outcomes = {r["file"]: r["outcome"] for r in map(json.loads, result.stdout.splitlines())}
    assert outcomes["exposed.eml"]["disposition"] == "deliver"
    assert outcomes["exposed.eml"]["deliveries"] == [[*PUBLIC, COLLEAGUE]]
    assert "moved 3 external recipients to Bcc" in outcomes["exposed.eml"]["described"][0]
    assert outcomes["invite.eml"]["disposition"] == "copies"
    assert sorted(outcomes["invite.eml"]["deliveries"]) == sorted([[COLLEAGUE], *([p] for p in PUBLIC)])
    assert outcomes["protected-pdf.eml"]["disposition"] == "hold"
