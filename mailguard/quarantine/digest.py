"""Tell the reviewers about new holds: every MAILGUARD_REVIEWER_NOTICE_INTERVAL seconds, one
notice (actions/reviewer_notice.py) about the items held since the last one, queued in the
outbox like every other notice.

The last notice's time is its audit row (`reviewer_notice`), so a restart neither repeats a
digest nor forgets the holds made while the relay was down, and relays sharing one store take
turns (one digest names a hold, whichever relay sends it). Holds younger than SETTLE seconds
wait for the next digest: a hold still committing when the query runs is not skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mailguard.actions import reviewer_notice
from mailguard.actions.reviewer_notice import NewHold
from mailguard.quarantine import audit as audit_log
from mailguard.quarantine.ops import queue
from mailguard.quarantine.schema import audit, item_rules, items
from mailguard.quarantine.store import QuarantineStore

log = logging.getLogger(__name__)

ACTION = "reviewer_notice"
ACTOR = "system:reviewer-notice"
SETTLE = 5.0  # seconds
MAX_LISTED = 200  # items named in one notice; the rest are counted on the review page


_LOCK = 0x6D675F6469676573  # "mg_diges": PostgreSQL advisory lock key of the digest


async def _one_digest_at_a_time(conn: AsyncConnection) -> None:
    """Every relay sharing the store runs the digest. On PostgreSQL the second waits here until
    the first commits, then reads its watermark, so no hold is named twice; SQLite's write
    transaction (BEGIN IMMEDIATE) already runs one at a time."""
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK)))


async def send_digest(store: QuarantineStore, now: float | None = None) -> int:
    """Queue one notice about the holds since the last one; return how many it names (0: none sent)."""
    settings = store.settings
    if not settings.reviewer_notice_to:
        return 0
    now = store.clock() if now is None else now
    until = now - SETTLE
    async with store.transaction(write=True) as conn:
        await _one_digest_at_a_time(conn)
        last = (
            await conn.execute(sa.select(sa.func.max(audit.c.at)).where(audit.c.action == ACTION))
        ).scalar_one_or_none()
        since = last if last is not None else until - max(settings.reviewer_notice_interval, 60.0)
        rows = (
            await conn.execute(
                sa.select(items.c.id, items.c.received_at)
                .where(items.c.received_at > since, items.c.received_at <= until)
                .order_by(items.c.received_at)
                .limit(MAX_LISTED)
            )
        ).all()
        if not rows:
            return 0
        rules: dict[str, list[str]] = {}
        for item_id, rule in await conn.execute(
            sa.select(item_rules.c.item_id, item_rules.c.rule).where(item_rules.c.item_id.in_([r.id for r in rows]))
        ):
            rules.setdefault(item_id, []).append(rule)
        holds = [NewHold(r.id, r.received_at, tuple(sorted(rules.get(r.id, [])))) for r in rows]
        notice = reviewer_notice.compose(settings, holds, now)
        await queue(conn, f"D{int(now)}", "notice", notice.mail_from, [notice.rcpt], notice.data, now)
        # The watermark: the newest hold this notice names (so none is named twice, none skipped).
        await audit_log.record(conn, holds[-1].received_at, ACTOR, ACTION, None, f"{len(holds)} held")
    log.info("reviewers' notice queued: %d new hold(s)", len(holds))
    return len(holds)


async def run(store: QuarantineStore, stop: asyncio.Event) -> None:
    """Send digests until `stop`; store failures are logged and retried at the next interval."""
    interval = max(store.settings.reviewer_notice_interval, 10.0)
    while not stop.is_set():
        try:
            await send_digest(store)
        except Exception:
            log.exception("reviewers' notice failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
