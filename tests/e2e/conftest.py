"""End-to-end fixtures: the whole relay (`support.stack.Stack`) with the repo's rules, a register
written here, the real store (SQLite, or PostgreSQL in a private database) and a recording
upstream. No part of ours is replaced."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.pg import empty, pg_database  # noqa: F401 - the shared fixture
from support.stack import ADMIN_TOKEN, Stack, Upstream
from support.upstream import serving

from .mail import INTERNAL, REGISTER_CSV, REPO_RULES

VIEWER = "e2e-viewer-token-0123456789"
REVIEWER = "e2e-reviewer-token-0123456789"


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "register.csv"
    path.write_text(REGISTER_CSV, encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path, register: Path) -> dict[str, Any]:
    """Settings for a Stack or a `mailguard serve` (as MAILGUARD_* variables via `as_env`)."""
    tokens = tmp_path / "tokens"
    tokens.write_text(f"{VIEWER} viewer vera\n{REVIEWER} reviewer rita\n", encoding="utf-8")
    return {
        "rules_dir": REPO_RULES,
        "register": register,
        "internal_domains": [INTERNAL],
        "data_dir": tmp_path / "var",
        "admin_tokens_file": tokens,
        "split_invites": True,
        "two_person_release": "off",  # one reviewer here; tests/e2e/test_release.py runs the defaults
    }


@pytest.fixture
def stack(settings: dict[str, Any]) -> Iterator[Stack]:
    """The relay on SQLite."""
    with Stack(**settings) as running:
        yield running


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_stack(request: pytest.FixtureRequest, settings: dict[str, Any]) -> Iterator[Stack]:
    """The relay on SQLite, then on PostgreSQL (the session's private database, emptied)."""
    if request.param == "postgres":
        settings = settings | {"database_url": request.getfixturevalue("pg_database")}
    with Stack(**settings) as running:
        running.call(empty(running.runtime.store))
        yield running


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    """A recording upstream on its own loop, for `mailguard serve` subprocesses."""
    with serving(Upstream()) as recorder:
        yield recorder


def serve_settings(settings: dict[str, Any], upstream: Upstream, **overrides: Any) -> dict[str, Any]:
    """The Stack's settings for a `mailguard serve` subprocess (see support.serve.as_env)."""
    return settings | {
        "upstream_host": "127.0.0.1",
        "upstream_port": upstream.port,
        "upstream_tls": "none",
        "admin_token": ADMIN_TOKEN,
        "hostname": "mailguard.test",
        "extract_workers": 1,
        "shutdown_grace": 5,
        **overrides,
    }
