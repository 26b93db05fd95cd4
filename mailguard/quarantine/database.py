"""Database URLs and engines: `sqlite:///PATH` and `postgresql://…`, both async and pooled.

SQLite runs in WAL mode with synchronous=FULL, so a commit is on disk when it returns (the
relay answers 250 to a held message only after that). Python's sqlite3 module opens
transactions lazily; we take over BEGIN so that writers can ask for BEGIN IMMEDIATE and never
hit SQLITE_BUSY half-way through a read-then-write transaction.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from mailguard.quarantine.errors import StoreError

SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10

_IMMEDIATE = "mailguard_immediate"  # execution option: BEGIN IMMEDIATE on SQLite


def async_url(url: str) -> URL:
    """Map a user's URL to the async driver's: sqlite → aiosqlite, postgresql → asyncpg."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # ArgumentError, ValueError: a typo in the setting
        raise StoreError(f"MAILGUARD_DATABASE_URL is not a database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreError("MAILGUARD_DATABASE_URL: SQLite needs a file (sqlite:///PATH), not memory")
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise StoreError(f"MAILGUARD_DATABASE_URL: unsupported database {backend!r} (sqlite or postgresql)")


def safe_url(url: URL) -> str:
    """The URL for messages and logs, without the password."""
    return url.render_as_string(hide_password=True)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for any other store."""
    target = async_url(url)
    return Path(target.database or "") if target.get_backend_name() == "sqlite" else None


def private_sqlite_files(path: Path) -> None:
    """The store holds the held mail: its folder 0700 when we create it, the database file (and
    so the WAL and SHM files SQLite creates with its mode) 0600, tightened if a looser one exists."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise StoreError(f"cannot create the quarantine store {path}: {exc.strerror}") from None
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):  # not ours or gone: leave it
            st = file.stat()
            if st.st_uid == os.getuid() and st.st_mode & 0o077:
                file.chmod(0o600)


def create_engine(url: str) -> AsyncEngine:
    """A pooled async engine; for SQLite the folder is created and durability pragmas set."""
    target = async_url(url)
    kwargs: dict[str, Any] = {}
    if target.get_backend_name() == "sqlite":
        private_sqlite_files(Path(target.database or ""))
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["connect_args"] = {"timeout": PG_CONNECT_TIMEOUT_S}
        kwargs["pool_pre_ping"] = True  # survive a PostgreSQL restart between operations
        kwargs["pool_size"] = 5
        kwargs["max_overflow"] = 10
    engine = create_async_engine(target, **kwargs)
    if is_sqlite(engine):
        _sqlite_events(engine)
    return engine


def _sqlite_events(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_conn.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@asynccontextmanager
async def write_tx(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction that will write: BEGIN IMMEDIATE on SQLite, a plain one on PostgreSQL."""
    async with engine.connect() as conn:
        if is_sqlite(engine):
            await conn.execution_options(**{_IMMEDIATE: True})
        async with conn.begin():
            yield conn


@asynccontextmanager
async def read_tx(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read-only transaction: one consistent snapshot."""
    async with engine.connect() as conn, conn.begin():
        yield conn
