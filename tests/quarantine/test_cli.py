"""`mailguard quarantine list | show | release | reject`, through the real command line."""

from __future__ import annotations

import asyncio
import getpass
import json
from pathlib import Path

import pytest

from mailguard.cli import main
from mailguard.quarantine import QuarantineStore
from mailguard.settings import Settings

from .conftest import empty, envelope, make_settings, message, verdict


@pytest.fixture
def cli_settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("MAILGUARD_HOSTNAME", "mailguard.test")
    monkeypatch.setenv("MAILGUARD_TWO_PERSON_RELEASE", "off")
    return make_settings(db_url, tmp_path)


def seed(settings: Settings, subjects: list[str]) -> list[str]:
    async def go() -> list[str]:
        store = await QuarantineStore.open(settings)
        try:
            await empty(store)
            return [await store.hold(envelope(), message(subject=s), verdict()) for s in subjects]
        finally:
            await store.aclose()

    return asyncio.run(go())


def test_list_show_release_reject(cli_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = seed(cli_settings, ["First \x1b[31mred", "Second"])
    assert main(["quarantine", "list"]) == 0
    out = capsys.readouterr().out
    assert first in out and second in out and "1–2 of 2" in out
    assert "\x1b" not in out  # a subject cannot drive the terminal

    assert main(["quarantine", "list", "--json", "--search", "second"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["total"] == 1 and listed["items"][0]["id"] == second

    assert main(["quarantine", "show", first.lower()]) == 0
    out = capsys.readouterr().out
    assert "protected-address" in out and "[14 Acacia Avenue]" in out and "x.pdf" in out

    assert main(["quarantine", "release", first, "--comment", "checked", "--mode", "bcc"]) == 1
    assert "needs --justification" in capsys.readouterr().err  # a protected hold
    release = ["quarantine", "release", first, "--comment", "checked", "--mode", "bcc"]
    assert main([*release, "--justification", "the address is the recipient's own"]) == 0
    assert "released (bcc)" in capsys.readouterr().out
    assert main(["quarantine", "release", first]) == 1
    assert "released, not held" in capsys.readouterr().err

    assert main(["quarantine", "reject", second, "--comment", "wrong family", "--no-notify-sender"]) == 0
    assert "will not be told" in capsys.readouterr().out

    assert main(["quarantine", "show", second, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "rejected" and shown["decided_by"] == f"cli:{getpass.getuser()}"
    assert shown["comment"] == "wrong family"

    assert main(["quarantine", "list", "--status", "all"]) == 0
    assert "1–2 of 2" in capsys.readouterr().out
    assert main(["quarantine", "show", "QNOSUCHITEM22"]) == 1
    assert "no quarantine item" in capsys.readouterr().err


def test_show_raw(cli_settings: Settings, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    (item,) = seed(cli_settings, ["Raw"])
    assert main(["quarantine", "show", item, "--raw"]) == 0
    assert capsysbinary.readouterr().out.startswith(b"From: Alice <alice@example.org>\r\n")


def test_two_person_release_from_the_cli(
    cli_settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILGUARD_TWO_PERSON_RELEASE", "true")
    (item,) = seed(cli_settings, ["Two"])
    monkeypatch.setattr(getpass, "getuser", lambda: "carol")
    assert main(["quarantine", "release", item, "--justification", "agreed with the caseworker"]) == 0
    assert "second reviewer must confirm" in capsys.readouterr().out
    assert main(["quarantine", "release", item]) == 1
    assert "another reviewer must confirm" in capsys.readouterr().err
    monkeypatch.setattr(getpass, "getuser", lambda: "dave")
    assert main(["quarantine", "release", item]) == 0
    assert "released (as_is)" in capsys.readouterr().out


def test_unreachable_store_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAILGUARD_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none")
    assert main(["quarantine", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mailguard: quarantine store") and err.count("\n") == 1
