"""SQL steps shared by the store, the outbox and lifecycle (each runs inside the caller's
transaction), and the database errors they may raise."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from mailguard.actions.held_message import HeldMessage
from mailguard.quarantine.errors import Conflict, NotFound
from mailguard.quarantine.records import held_message, iso
from mailguard.quarantine.schema import items, outbox

OUTBOX_CHANNEL = "mailguard_outbox"  # PostgreSQL LISTEN/NOTIFY channel: "the outbox has new mail"

DB_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, OSError, TimeoutError)
try:  # asyncpg's own errors can escape SQLAlchemy's wrapping on connect
    import asyncpg

    DB_ERRORS += (asyncpg.PostgresError, asyncpg.InterfaceError)
except ImportError:  # pragma: no cover
    pass


QUEUED = "mailguard_outbox_queued"  # a flag in the connection's info: this transaction queued mail


async def queue(
    conn: AsyncConnection, ref: str, kind: str, mail_from: str, rcpts: list[str], data: bytes, now: float
) -> None:
    """Add one message to the outbox, due now (inside the caller's transaction)."""
    await conn.execute(
        outbox.insert().values(
            ref=ref,
            kind=kind,
            mail_from=mail_from,
            rcpts=rcpts,
            data=data,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    conn.info[QUEUED] = True  # the store wakes this host's outbox once the transaction commits
    if conn.dialect.name == "postgresql":  # delivered at commit, to every host's outbox
        await conn.execute(sa.text(f"NOTIFY {OUTBOX_CHANNEL}"))


async def held_row(conn: AsyncConnection, item_id: str) -> HeldMessage:
    """The held message, its row locked for this transaction; NotFound / Conflict unless held."""
    row = (await conn.execute(sa.select(items).where(items.c.id == item_id).with_for_update())).first()
    if row is None:
        raise NotFound(item_id)
    if row.status != "held":
        raise Conflict(f"{item_id} is {row.status}, not held")
    return held_message(row._mapping)


async def decide(
    conn: AsyncConnection,
    item_id: str,
    status: str,
    actor: str,
    comment: str,
    now: float,
    mode: str | None = None,
) -> None:
    result = await conn.execute(
        items.update()
        .where(items.c.id == item_id, items.c.status == "held")
        .values(
            status=status,
            decided_at=now,
            decided_by=actor,
            decision_comment=comment,
            release_mode=mode,
            pending=None,
        )
    )
    if result.rowcount != 1:  # someone else decided first
        raise Conflict(f"{item_id} is no longer held")


async def delivery(conn: AsyncConnection, item_id: str) -> dict[str, Any] | None:
    row = (
        await conn.execute(
            sa.select(outbox.c.status, outbox.c.attempts, outbox.c.last_error, outbox.c.done_at).where(
                outbox.c.ref == item_id, outbox.c.kind == "release"
            )
        )
    ).first()
    if row is None:
        return None
    return {
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "done_at": iso(row.done_at),
    }


def brief(exc: BaseException) -> str:
    """One line about a database failure, without SQL or parameters (they may hold mail)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).splitlines()[0] if str(orig) else ""
    return f"{type(orig).__name__}: {text}"[:300]
