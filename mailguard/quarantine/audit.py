"""The audit log: who did what to which item, when, and why. Rows are only ever added
(and, after MAILGUARD_AUDIT_RETENTION_DAYS, purged by lifecycle)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mailguard.quarantine.records import iso
from mailguard.quarantine.schema import audit

# Actors that are not people (people are "cli:<user>", "api:<token name>", …).
RELAY = "relay"
OUTBOX = "system:outbox"
EXPIRY = "system:expiry"
LIFECYCLE = "system:lifecycle"


async def record(
    conn: AsyncConnection, at: float, actor: str, action: str, item_id: str | None, comment: str = ""
) -> None:
    await conn.execute(
        audit.insert().values(at=at, actor=actor, action=action, item_id=item_id, comment=comment or "")
    )


async def query(
    conn: AsyncConnection, limit: int, offset: int, item_id: str | None
) -> tuple[list[dict[str, Any]], int]:
    where = [audit.c.item_id == item_id] if item_id else []
    total = (await conn.execute(sa.select(sa.func.count()).select_from(audit).where(*where))).scalar_one()
    rows = await conn.execute(
        sa.select(audit)
        .where(*where)
        .order_by(audit.c.at.desc(), audit.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [entry(r._mapping) for r in rows], int(total)


def entry(row: Any) -> dict[str, Any]:
    return {
        "at": iso(row["at"]),
        "actor": row["actor"],
        "action": row["action"],
        "item_id": row["item_id"],
        "comment": row["comment"],
    }
