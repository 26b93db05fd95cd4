"""The durable outbox: delivers released items, staged split copies and sender notices.

Claiming: a worker moves due rows to `sending` with its own claim token and a lease (the
row's next_attempt_at becomes the lease's end) in one UPDATE … WHERE id IN (SELECT … FOR
UPDATE SKIP LOCKED) … RETURNING. On PostgreSQL, concurrent workers skip each other's locked
rows; on SQLite the claim runs under BEGIN IMMEDIATE, so the UPDATE is a conditional claim
by a single writer. A worker that dies mid-delivery leaves its rows to be reclaimed when
the lease runs out.

Exactly once, as far as SMTP allows: a row is marked sent only by the worker whose token it
carries, and only after the upstream accepted the message. The one unavoidable gap (RFC 1047)
is a crash, or a lease that runs out, between the upstream's 250 and our commit: the row is
then delivered again (at least once, never zero times). The lease defaults to well over the
upstream timeout so only a crash can cause it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiosmtplib
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mailguard.actions import notice
from mailguard.actions.notice import NoticeKind
from mailguard.pipeline import Learner
from mailguard.quarantine import audit as audit_log
from mailguard.quarantine.ops import queue
from mailguard.quarantine.records import header_facts, held_message
from mailguard.quarantine.schema import items, outbox
from mailguard.quarantine.store import QuarantineStore
from mailguard.quarantine.wakeup import first_of, listen_for_wakeups
from mailguard.settings import Settings
from mailguard.upstream.connections import UpstreamPool
from mailguard.upstream.transaction import deliver

log = logging.getLogger("mailguard.outbox")

Deliver = Callable[[str, Sequence[str], bytes], Awaitable[object]]

DAY = 86400.0


class PermanentDeliveryError(Exception):
    """Raised by a Deliver when retrying cannot help (the upstream answered 5xx)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one delivery attempt came to."""

    retry: tuple[str, ...] = ()  # recipients to try again (temporary failures)
    refused: tuple[str, ...] = ()  # recipients refused for good
    code: int | None = None  # the SMTP code that decided it, for the audit and notices
    error: str = ""  # short, no message text


class Outbox:
    def __init__(
        self,
        store: QuarantineStore,
        *,
        concurrency: int = 4,
        lease: float | None = None,
        base_delay: float = 30.0,
        max_delay: float = 3600.0,
        max_age: float = 5 * DAY,
        poll_interval: float = 5.0,
    ) -> None:
        self.store = store
        self.concurrency = concurrency
        self.lease = lease if lease is not None else max(600.0, 3 * store.settings.upstream_timeout + 60)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_age = max_age  # then a temporary failure counts as permanent, like an MTA queue
        self.poll_interval = poll_interval
        self.token = secrets.token_hex(8)  # this worker's claim token prefix
        self.learner: Learner | None = None  # told what a release delivered (misdirection guard)

    async def run(self, deliver: Deliver, stop: asyncio.Event) -> None:
        """Deliver what is due until `stop` is set; store failures are logged and retried. A
        release (here, or on another host through PostgreSQL's NOTIFY) wakes it at once; the
        poll interval only paces retries that come due."""
        wake = self.store.outbox_wake
        async with listen_for_wakeups(self.store.engine, wake):
            while not stop.is_set():
                wake.clear()
                try:
                    await self.run_once(deliver)
                except Exception:  # a store outage must not end the worker
                    log.exception("outbox pass failed")
                await first_of(stop, wake, seconds=self.poll_interval)

    async def run_once(self, deliver: Deliver) -> int:
        """Claim and attempt every row due now; return how many attempts were made."""
        attempted = 0
        while rows := await self._claim(self.concurrency):
            await asyncio.gather(*(self._attempt(deliver, row) for row in rows))
            attempted += len(rows)
        return attempted

    async def pending(self) -> int:
        """Rows not yet delivered or given up (pending or being sent)."""
        async with self.store.transaction(write=False) as conn:
            n = await conn.execute(
                sa.select(sa.func.count())
                .select_from(outbox)
                .where(outbox.c.status.in_(("pending", "sending")))
            )
            return int(n.scalar_one())

    # --- claiming and finishing ---------------------------------------------------------

    async def _claim(self, limit: int) -> list[dict[str, Any]]:
        now = self.store.clock()
        token = f"{self.token}{secrets.token_hex(4)}"
        due = (
            sa.select(outbox.c.id)
            .where(outbox.c.status.in_(("pending", "sending")), outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            outbox.update()
            .where(outbox.c.id.in_(due.scalar_subquery()))
            .values(
                status="sending",
                claim_token=token,
                next_attempt_at=now + self.lease,
                attempts=outbox.c.attempts + 1,
            )
            .returning(*outbox.c)
        )
        async with self.store.transaction(write=True) as conn:
            return [dict(r._mapping) for r in await conn.execute(stmt)]

    async def _attempt(self, deliver: Deliver, row: Mapping[str, Any]) -> None:
        rcpts = list(row["rcpts"])
        try:
            result = await deliver(row["mail_from"], rcpts, bytes(row["data"]))
            outcome = _refusals(result)
        except Exception as exc:
            outcome = _failure(exc, rcpts)
        try:
            await self._finish(row, outcome)
        except Exception:  # the lease will run out and the row will be tried again
            log.exception("outbox row %s: could not record the outcome", row["id"])

    async def _finish(self, row: Mapping[str, Any], outcome: Outcome) -> None:
        now = self.store.clock()
        mine = (outbox.c.id == row["id"]) & (outbox.c.claim_token == row["claim_token"])
        gave_up = bool(outcome.retry) and now - row["created_at"] >= self.max_age
        refused = outcome.refused + (outcome.retry if gave_up else ())
        async with self.store.transaction(write=True) as conn:
            if outcome.retry and not gave_up:
                delay = min(self.max_delay, self.base_delay * 2 ** (row["attempts"] - 1))
                values: dict[str, Any] = {
                    "status": "pending",
                    "rcpts": list(outcome.retry),
                    "next_attempt_at": now + delay,
                    "claim_token": None,
                    "last_error": outcome.error,
                }
            else:
                values = {
                    "status": "failed" if refused else "sent",
                    "done_at": now,
                    "claim_token": None,
                    "last_error": outcome.error or None,
                }
            result = await conn.execute(outbox.update().where(mine).values(**values))
            if result.rowcount != 1:  # our lease ran out and another worker took the row
                log.warning("outbox row %s: claim lost; it may be delivered twice", row["id"])
                return
            await self._record(conn, row, outcome, refused, now, retrying=bool(values["status"] == "pending"))
        log.info("outbox row %s (%s %s): %s", row["id"], row["kind"], row["ref"], values["status"])

    async def _record(
        self,
        conn: AsyncConnection,
        row: Mapping[str, Any],
        outcome: Outcome,
        refused: tuple[str, ...],
        now: float,
        retrying: bool,
    ) -> None:
        """Audit a release's fate; tell the sender about recipients refused for good."""
        kind, ref = row["kind"], row["ref"]
        if kind == "notice":  # never a notice about a notice (loops)
            return
        delivered = len(row["rcpts"]) - len(refused) - (len(outcome.retry) if retrying else 0)
        if delivered > 0 and kind == "release":
            await audit_log.record(conn, now, audit_log.OUTBOX, "delivered", ref, f"{delivered} recipients")
            if self.learner is not None:
                gone = set(refused) | (set(outcome.retry) if retrying else set())
                self.learner.released(ref, [r for r in row["rcpts"] if r not in gone])
        if not refused:
            return
        code = f" ({outcome.code})" if outcome.code else ""
        await audit_log.record(
            conn, now, audit_log.OUTBOX, "delivery_failed", ref, f"{len(refused)} recipients refused{code}"
        )
        await self._bounce(conn, row, len(refused), outcome.code, now)

    async def _bounce(
        self, conn: AsyncConnection, row: Mapping[str, Any], refused: int, code: int | None, now: float
    ) -> None:
        settings: Settings = self.store.settings
        item = None
        if row["kind"] == "release":
            item = (await conn.execute(sa.select(items).where(items.c.id == row["ref"]))).first()
        if item is not None:
            note = notice.for_item(
                settings, NoticeKind.BOUNCED, held_message(item._mapping), now, smtp_code=code, recipients=refused
            )
        else:
            subject, message_id = header_facts(bytes(row["data"]))
            note = notice.compose(
                settings,
                NoticeKind.BOUNCED,
                sender=row["mail_from"],
                reference=row["ref"],
                subject=subject,
                message_id=message_id,
                recipients=refused,
                original=bytes(row["data"]),
                now=now,
                smtp_code=code,
            )
        if note is not None:
            await queue(conn, row["ref"], "notice", note.mail_from, [note.rcpt], note.data, now)


# --- reading what the upstream said -----------------------------------------------------


def _code(reply: Any) -> int:
    code = getattr(reply, "code", None)
    if code is None and isinstance(reply, tuple | list) and reply:
        code = reply[0]
    return int(code) if isinstance(code, int) else 451


def _refusals(result: object) -> Outcome:
    """Per-recipient refusals in a successful delivery: mailguard.upstream.transaction's
    DeliveryResult (`.refused`), aiosmtplib's `(refused, reply)` tuple, or nothing."""
    refused: Any = getattr(result, "refused", None)
    if refused is None and isinstance(result, tuple) and result and isinstance(result[0], dict):
        refused = result[0]
    if not refused:
        return Outcome()
    codes = {rcpt: _code(reply) for rcpt, reply in refused.items()}
    retry = tuple(r for r, c in codes.items() if c < 500)
    final = tuple(r for r, c in codes.items() if c >= 500)
    worst = max(codes.values())
    return Outcome(retry=retry, refused=final, code=worst, error=f"{len(codes)} recipients refused ({worst})")


def _failure(exc: Exception, rcpts: list[str]) -> Outcome:
    """A delivery that raised: permanent for 5xx answers, otherwise try again later."""
    code = getattr(exc, "code", None)
    code = code if isinstance(code, int) else None
    permanent = isinstance(exc, PermanentDeliveryError) or getattr(exc, "temporary", True) is False
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        permanent, code = all(c >= 500 for c in codes), max(codes, default=None)
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        permanent = permanent or exc.code >= 500
    error = f"{type(exc).__name__}{f' {code}' if code else ''}"
    if permanent:
        return Outcome(refused=tuple(rcpts), code=code, error=error)
    return Outcome(retry=tuple(rcpts), code=code, error=error)


def upstream_deliver(pool: UpstreamPool) -> Deliver:
    """The production Deliver: mailguard.upstream.transaction.deliver over the runtime's pool."""

    async def _deliver(mail_from: str, rcpts: Sequence[str], data: bytes) -> object:
        return await deliver(pool, mail_from, rcpts, data)

    return _deliver
