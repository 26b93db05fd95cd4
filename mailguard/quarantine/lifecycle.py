"""Time-driven housekeeping: expiry, purge and audit retention.

- A held item older than MAILGUARD_QUARANTINE_EXPIRY_DAYS becomes `expired` and its sender
  is told (never a silent deletion: the item stays for review of what happened).
- Decided items (released, rejected, expired) are purged MAILGUARD_QUARANTINE_RETENTION_DAYS
  after the decision, once nothing for them is left in the outbox; their audit rows stay.
- Audit rows go after MAILGUARD_AUDIT_RETENTION_DAYS; finished outbox rows after the item
  retention.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import sqlalchemy as sa

from mailguard.actions import notice
from mailguard.actions.notice import NoticeKind
from mailguard.quarantine import audit as audit_log
from mailguard.quarantine.ops import queue
from mailguard.quarantine.records import held_message
from mailguard.quarantine.schema import audit, item_rules, items, outbox
from mailguard.quarantine.store import DECIDED, QuarantineStore

log = logging.getLogger("mailguard.quarantine")

DAY = 86400.0
_BATCH = 500  # rows per transaction: keeps SQLite's write lock short


@dataclass(frozen=True, slots=True)
class Housekeeping:
    expired: int
    purged: int
    audit_purged: int
    outbox_purged: int


async def expire(store: QuarantineStore, now: float | None = None) -> int:
    """Expire held items past their review period; return how many."""
    now = store.clock() if now is None else now
    cutoff = now - store.settings.quarantine_expiry_days * DAY
    total = 0
    while True:
        async with store.transaction(write=True) as conn:
            rows = (
                await conn.execute(
                    sa.select(items)
                    .where(items.c.status == "held", items.c.received_at <= cutoff)
                    .order_by(items.c.received_at)
                    .limit(_BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                await conn.execute(
                    items.update()
                    .where(items.c.id == row.id, items.c.status == "held")
                    .values(status="expired", decided_at=now, decided_by=audit_log.EXPIRY, pending=None)
                )
                days = f"{store.settings.quarantine_expiry_days:g}"
                await audit_log.record(
                    conn, now, audit_log.EXPIRY, "expire", row.id, f"not reviewed in {days} days"
                )
                if store.settings.notify_sender:
                    note = notice.for_item(store.settings, NoticeKind.EXPIRED, held_message(row._mapping), now)
                    if note is not None:
                        await queue(conn, row.id, "notice", note.mail_from, [note.rcpt], note.data, now)
        total += len(rows)
        if len(rows) < _BATCH:
            break
    if total:
        log.info("expired %d held items", total)
    return total


async def purge(store: QuarantineStore, now: float | None = None) -> tuple[int, int, int]:
    """Purge decided items, finished outbox rows and old audit rows; return the counts."""
    now = store.clock() if now is None else now
    settings = store.settings
    item_cutoff = now - settings.quarantine_retention_days * DAY
    audit_cutoff = now - settings.audit_retention_days * DAY
    unfinished = sa.select(outbox.c.ref).where(outbox.c.status.in_(("pending", "sending")))
    purged = 0
    while True:
        async with store.transaction(write=True) as conn:
            ids = (
                (
                    await conn.execute(
                        sa.select(items.c.id)
                        .where(
                            items.c.status.in_(DECIDED),
                            items.c.decided_at <= item_cutoff,
                            items.c.id.not_in(unfinished),
                        )
                        .limit(_BATCH)
                    )
                )
                .scalars()
                .all()
            )
            if ids:
                await conn.execute(item_rules.delete().where(item_rules.c.item_id.in_(ids)))
                await conn.execute(items.delete().where(items.c.id.in_(ids)))
                await audit_log.record(
                    conn, now, audit_log.LIFECYCLE, "purge", None, f"{len(ids)} decided items"
                )
        purged += len(ids)
        if len(ids) < _BATCH:
            break
    async with store.transaction(write=True) as conn:
        outbox_purged = (
            await conn.execute(
                outbox.delete().where(
                    outbox.c.status.in_(("sent", "failed")), outbox.c.done_at <= item_cutoff
                )
            )
        ).rowcount
        audit_purged = (await conn.execute(audit.delete().where(audit.c.at <= audit_cutoff))).rowcount
    if purged or audit_purged:
        log.info("purged %d items, %d outbox rows, %d audit rows", purged, outbox_purged, audit_purged)
    return purged, int(audit_purged), int(outbox_purged)


async def housekeeping(store: QuarantineStore, now: float | None = None) -> Housekeeping:
    """One pass of everything above, then the quarantine gauges."""
    expired = await expire(store, now)
    purged, audit_purged, outbox_purged = await purge(store, now)
    await store.refresh_metrics()
    return Housekeeping(expired, purged, audit_purged, outbox_purged)


async def run(store: QuarantineStore, stop: asyncio.Event, interval: float = 300.0) -> None:
    """Housekeeping every `interval` seconds until `stop`; store failures are logged and retried."""
    while not stop.is_set():
        try:
            await housekeeping(store)
        except Exception:
            log.exception("quarantine housekeeping failed")
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except TimeoutError:
            pass
