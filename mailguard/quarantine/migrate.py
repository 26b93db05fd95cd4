"""Bring the store's schema to the newest Alembic revision, from inside the package.

Several relay processes may start at once against one PostgreSQL: the upgrade runs under a
transaction-scoped advisory lock there (and BEGIN IMMEDIATE on SQLite), so exactly one of
them migrates and the others find the schema current.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from mailguard.quarantine.database import write_tx

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_LOCK_KEY = 0x6D61696C67  # "mailg": an arbitrary constant shared by every mailguard process


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _upgrade(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


async def upgrade(engine: AsyncEngine) -> None:
    async with write_tx(engine) as conn:
        await conn.run_sync(_upgrade)
