"""Paths and permissions (issue 15): the CLI finds the same store from any folder and never
creates an empty one to read from; the store holding the held mail is private to its owner;
`register import` says when the relay will not use what it imported."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from support.serve import as_env, mailguard

from mailguard.host import default_data_dir
from mailguard.quarantine import QuarantineStore
from mailguard.settings import Settings

REGISTER = (
    "id,name,address,postcode,phone,flagged_recipients\n"
    "P000001,,12 Example Street Testtown,TE1 2ST,,ex.partner@example.net\n"
)


def test_reading_commands_never_create_an_empty_store(tmp_path: Path) -> None:
    env = as_env({"data_dir": tmp_path / "state"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for args in (("quarantine", "list"), ("quarantine", "show", "Q123")):
        done = mailguard(*args, env=env, cwd=elsewhere)
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip() == f"mailguard: no quarantine store at {tmp_path / 'state' / 'mailguard.db'} " + (
            "(MAILGUARD_DATABASE_URL, or MAILGUARD_DATA_DIR)"
        )
    assert list(tmp_path.rglob("*.db")) == [] and list(elsewhere.iterdir()) == []


def test_the_same_store_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    env = as_env({}) | {"XDG_STATE_HOME": str(tmp_path / "xdg")}
    settings = Settings(data_dir=tmp_path / "xdg" / "mailguard")
    if default_data_dir() != settings.data_dir:
        pytest.skip("/var/lib/mailguard is writable here: it is the default data folder")
    store = asyncio.run(_create(settings))
    assert store.is_file()
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        done = mailguard("quarantine", "list", env=env, cwd=tmp_path / folder)
        assert done.returncode == 0, done.stderr


async def _create(settings: Settings) -> Path:
    store = await QuarantineStore.open(settings)
    await store.aclose()
    return settings.data_dir / "mailguard.db"


def test_store_files_are_private(tmp_path: Path) -> None:
    """The store holds held mail: 0600 files (database, WAL, SHM) in a 0700 folder."""
    settings = Settings(data_dir=tmp_path / "state" / "mailguard")
    db = asyncio.run(_create(settings))
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    files = [p for p in db.parent.iterdir() if p.name.startswith("mailguard.db")]
    assert db in files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_existing_loose_store_is_tightened(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    db = asyncio.run(_create(settings))
    db.chmod(0o644)
    asyncio.run(_create(settings))
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_register_import_says_when_the_relay_reads_another_file(tmp_path: Path) -> None:
    source = tmp_path / "new.csv"
    source.write_text(REGISTER)
    configured = tmp_path / "configured.csv"
    env = as_env({"data_dir": tmp_path / "state", "register": configured})
    done = mailguard("register", "import", str(source), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"MAILGUARD_REGISTER is set, so the relay uses {configured}, not this import" in done.stderr
    checked = mailguard("register", "import", "--check", str(source), env=env, cwd=tmp_path)
    assert checked.stdout.strip() == "checked 1 rows, 0 bad rows skipped" and "note:" not in checked.stderr
    help_text = mailguard("register", "import", "--help", env=env, cwd=tmp_path).stdout
    assert "--check" in help_text and "only validate" in help_text
