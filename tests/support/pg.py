"""PostgreSQL for tests: private databases on the CI server, never the shared `test` database.

    pg_database           session fixture: one `mailguard_test_<random>` database, its URL
    private_database()    context manager: a fresh database for one test (dropped after)
    empty(store)          truncate the store's tables (a session database is reused by tests)

Unreachable PostgreSQL skips, or fails when MAILGUARD_TEST_REQUIRE_PG=1 (CI).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("MAILGUARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("MAILGUARD_TEST_REQUIRE_PG") == "1"
TABLES = (
    "quarantine_items",
    "quarantine_item_rules",
    "outbox",
    "audit",
    "affinity_cases",
    "affinity_recipients",
    "affinity_links",
)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(PG_URL), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def run_admin(sql: str) -> None:
    """Run one statement on the server's maintenance database (CREATE/DROP DATABASE)."""
    asyncio.run(_admin(sql))


def database_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def private_database() -> Iterator[str]:
    """Create `mailguard_test_<random>`, yield its URL, drop it (even if the test dropped it)."""
    name = f"mailguard_test_{secrets.token_hex(6)}"
    try:
        run_admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        message = f"PostgreSQL at {PG_URL} unreachable: {exc}"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield database_url(name)
    finally:
        drop_database(name)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A private database for this test session; its URL."""
    with private_database() as url:
        yield url


async def empty(store: Any) -> None:
    """PostgreSQL databases live for the session: start each test with empty tables."""
    if store.engine.dialect.name == "postgresql":
        async with store.engine.begin() as conn:
            await conn.execute(sa.text(f"TRUNCATE {', '.join(TABLES)}"))
