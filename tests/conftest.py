"""Fixtures shared by every test folder. Folder-specific fixtures live in that folder's conftest."""

from __future__ import annotations

import os

import pytest

PG_URL = os.environ.get("MAILGUARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _clean_mailguard_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read the developer's own MAILGUARD_* environment or a stray .env."""
    for key in list(os.environ):
        if key.startswith("MAILGUARD_") and not key.startswith("MAILGUARD_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    # The default MAILGUARD_DATA_DIR is the XDG state folder (never the current one): a fresh one
    # per test, so no test shares a store with another, or with the user's own.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
