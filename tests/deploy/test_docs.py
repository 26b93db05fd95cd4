"""The operations docs: every setting documented with its real default, links that resolve."""

from __future__ import annotations

import re

import pytest

from mailguard.settings import Settings

from .paths import DOCS, ROOT
from .settings_table import OPERATIONS_MD, current_table, settings_table

DOC_FILES = ("operations.md", "exchange.md", "scaling.md")


def test_every_setting_is_in_operations_md() -> None:
    text = OPERATIONS_MD.read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"MAILGUARD_{n.upper()}" not in text]
    assert not missing, f"undocumented settings: {missing}"


def test_settings_table_is_current() -> None:
    assert current_table(OPERATIONS_MD.read_text(encoding="utf-8")) == settings_table(), (
        "docs/operations.md is out of date: run .venv/bin/python tests/deploy/settings_table.py"
    )


@pytest.mark.parametrize("name", DOC_FILES)
def test_relative_links_resolve(name: str) -> None:
    text = (DOCS / name).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" not in target:
            assert (DOCS / target).exists(), target


@pytest.mark.parametrize("name", DOC_FILES)
def test_deploy_files_named_in_docs_exist(name: str) -> None:
    text = (DOCS / name).read_text(encoding="utf-8")
    for path in set(re.findall(r"`(deploy/[\w./-]+)`", text)):
        assert (ROOT / path).exists(), path


def test_the_guides_cover_what_operators_need() -> None:
    exchange = (DOCS / "exchange.md").read_text(encoding="utf-8")
    for phrase in (
        "New-SendConnector",
        "New-OutboundConnector",
        "MAILGUARD_OBSERVE_ONLY",
        "TlsDomain",
        "smart host",
    ):
        assert phrase in exchange, phrase
    scaling = (DOCS / "scaling.md").read_text(encoding="utf-8")
    assert "FOR UPDATE SKIP LOCKED" in scaling and "only shared state" in scaling
    operations = OPERATIONS_MD.read_text(encoding="utf-8")
    for phrase in ("pg_dump", ".backup", "bench/relay.py", "migrations (alembic) run on start"):
        assert phrase.lower() in operations.lower(), phrase
