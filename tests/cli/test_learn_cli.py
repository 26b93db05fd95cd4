"""`mailguard learn` then `mailguard check` on a small generated corpus with history, through
the console script, on SQLite and PostgreSQL; and the privacy of what `learn` stored."""

from __future__ import annotations

import asyncio
import csv
import re
import sqlite3
from pathlib import Path

import asyncpg
import pytest
from support.pg import private_database

from corpora.misdirection import generate
from corpora.misdirection.score import _env, _run, score
from mailguard.cli.learn import message_time


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("misdirection")
    generate(out, cases=12, normal=60, seed=3)
    return out


def _clear_texts(corpus: Path) -> set[str]:
    """Everything `learn` read that must not be in the database in clear."""
    texts: set[str] = set()
    for path in (corpus / "history").glob("*.eml"):
        text = path.read_text()
        texts |= {m.group(0) for m in re.finditer(r"CM[-/ ]?\d{4}[-/ ]?[A-Z]{2}", text, re.I)}
        texts |= set(re.findall(r"[\w.]+@[\w.-]+", text))
    with (corpus / "register.csv").open() as handle:
        for row in csv.DictReader(handle):
            texts |= {row["id"], row["name"], row["address"], row["postcode"]}
    return {t for t in texts if t}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_learnt_history_catches_misdirections_and_stores_nothing_in_clear(
    corpus: Path, tmp_path: Path, backend: str
) -> None:
    if backend == "postgres":
        with private_database() as url:
            result = score(corpus, tmp_path / "data", url)
            rows = _rows(url)
    else:
        result = score(corpus, tmp_path / "data")
        rows = _rows(f"sqlite:///{tmp_path / 'data' / 'mailguard.db'}")
    assert result.misdirected == 12 and result.recall >= 0.9, result.lines()
    assert result.false_holds <= 1, result.lines()
    assert "learnt" in result.learn_output and result.learn_output.startswith("learnt")

    dump = "\n".join(rows).lower()
    assert len(rows) > 20  # the affinity rows are there, in whatever form
    for text in _clear_texts(corpus):
        assert text.lower() not in dump, text
    if backend == "sqlite":
        raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("mailguard.db*")).lower()
        for text in _clear_texts(corpus):
            assert text.lower().encode() not in raw, text


def _rows(url: str) -> list[str]:
    """Every row of every table but Alembic's, as text."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return [str(r) for t in tables if t != "alembic_version" for r in conn.execute(f"SELECT * FROM {t}")]

    async def dump() -> list[str]:
        conn = await asyncpg.connect(url)
        try:
            tables = [r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
            return [
                str(tuple(r)) for t in tables if t != "alembic_version" for r in await conn.fetch(f"SELECT * FROM {t}")
            ]
        finally:
            await conn.close()

    return asyncio.run(dump())


def test_learn_refuses_when_the_guard_is_off(corpus: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "cases.yaml").write_text("rules:\n  - name: misdirected-recipient\n    enabled: false\n")
    env = _env(corpus, tmp_path / "data", None) | {"MAILGUARD_RULES_DIR": str(rules)}
    with pytest.raises(SystemExit, match="misdirection guard is off"):
        _run(["learn", "--manifest", str(corpus / "history" / "manifest.jsonl")], env)


def test_a_messages_time_is_its_date_header() -> None:
    assert message_time(b"Date: Fri, 04 Dec 2026 10:00:00 +0100\r\n\r\nx") == 1796374800.0
    assert message_time(b"Date: 4 Dec 2026 09:00:00\r\n\r\nx") == 1796374800.0  # no zone: UTC
    assert message_time(b"Date: yesterday\r\n\r\nx") is None
    assert message_time(b"Subject: none\r\n\r\nx") is None
