"""The quarantine store: hold, review (list, show, release, reject), audit, and the outbox rows
that carry released mail, staged copies and sender notices to the upstream.

Every state change and its audit row (and its outbox row, if any) commit in ONE transaction,
so a crash never leaves an item released with nothing queued, or queued twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, nullcontext
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mailguard import metrics
from mailguard.actions import notice, sender_choice
from mailguard.actions.held_message import HeldMessage
from mailguard.actions.notice import NoticeKind
from mailguard.actions.sender_link import SenderLink, SenderLinks
from mailguard.envelope import Envelope
from mailguard.organisation.organisation import Organisation
from mailguard.policy.loader import PolicyError
from mailguard.policy.verdict import Verdict
from mailguard.quarantine import audit as audit_log
from mailguard.quarantine import migrate
from mailguard.quarantine.database import async_url, create_engine, is_sqlite, read_tx, safe_url, write_tx
from mailguard.quarantine.errors import NotFound, StoreError, StoreUnreachable
from mailguard.quarantine.ops import DB_ERRORS, QUEUED, brief, delivery, queue
from mailguard.quarantine.records import (
    envelope_json,
    header_facts,
    held_message,
    held_reasons,
    item_detail,
    item_summary,
    new_id,
    normalise_id,
    one_line,
    storable,
    verdict_json,
)
from mailguard.quarantine.review_actions import CLI_ACTOR_PREFIX, RELEASE_MODES, Planner, ReviewActions
from mailguard.quarantine.schema import item_rules, items
from mailguard.settings import Settings

if TYPE_CHECKING:
    from mailguard.policy.engine import Policy

log = logging.getLogger("mailguard.quarantine")

STATUSES = ("held", "released", "rejected", "expired")
DECIDED = ("released", "rejected", "expired")
__all__ = ["CLI_ACTOR_PREFIX", "DECIDED", "RELEASE_MODES", "STATUSES", "Planner", "QuarantineStore"]

_SUMMARY_COLUMNS = [c for c in items.c if c.name != "data"]


class QuarantineStore(ReviewActions):
    def __init__(
        self, settings: Settings, engine: AsyncEngine, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self.engine = engine
        # Who is internal (for the Bcc release) and what a sender may choose: the runtime's
        # policy when there is one, else the rule files and environment read once
        # (`mailguard quarantine` commands).
        self.policy_of: Callable[[], Policy] = _policy_loader(settings)
        self.organisation_of: Callable[[], Organisation] = lambda: self.policy_of().organisation
        self.clock = clock
        self.sender_links = SenderLinks(settings)
        # SQLite has one writer at a time: queue this process's writers here rather than in
        # SQLite's busy handler, which polls with sleeps and can time out under load.
        self._sqlite_writer = asyncio.Lock() if is_sqlite(engine) else None
        self._cli_watermark: int | None = None  # the last audit row counted by decisions_elsewhere
        # Set after every committed write: a release, a split or a notice may have queued mail,
        # and the outbox should not wait for its next poll to send it (PostgreSQL also tells
        # the other hosts, with NOTIFY; see quarantine/wakeup.py).
        self.outbox_wake = asyncio.Event()

    # --- opening and health -------------------------------------------------------------

    @classmethod
    async def open(cls, settings: Settings, clock: Callable[[], float] = time.time) -> QuarantineStore:
        """Connect, create the data folder (SQLite) and migrate; StoreError if unreachable."""
        url = settings.effective_database_url
        engine = create_engine(url)
        try:
            await migrate.upgrade(engine)
        except DB_ERRORS as exc:
            await engine.dispose()
            raise StoreUnreachable(
                f"quarantine store {safe_url(async_url(url))} is unreachable: {brief(exc)}"
            ) from exc
        return cls(settings, engine, clock)

    async def aclose(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except DB_ERRORS:
            return False
        return True

    @asynccontextmanager
    async def transaction(self, write: bool) -> AsyncIterator[AsyncConnection]:
        """A transaction whose database failures surface as StoreError (domain errors pass)."""
        serial = self._sqlite_writer if write and self._sqlite_writer else nullcontext()
        queued = False
        try:
            async with serial, (write_tx if write else read_tx)(self.engine) as conn:
                try:
                    yield conn
                finally:  # info outlives the checkout: the flag must not reach the next transaction
                    queued = conn.info.pop(QUEUED, False)
            if queued:  # only mail queued wakes the outbox: its own claims are writes too (a busy loop)
                self.outbox_wake.set()
        except DB_ERRORS as exc:
            log.error("quarantine store failure: %s", brief(exc))
            raise StoreError(f"quarantine store failure: {brief(exc)}") from exc

    # --- the relay's Disposer -------------------------------------------------------------

    async def hold(self, envelope: Envelope, data: bytes, verdict: Verdict) -> str:
        """Store the message; committed (and fsynced) when this returns. Raises StoreError."""
        now = self.clock()
        item_id = new_id("Q")
        subject, message_id = _facts(verdict, data)
        row: dict[str, Any] = {
            "id": item_id,
            "status": "held",
            "received_at": now,
            "mail_from": storable(envelope.mail_from),
            "rcpt": [storable(r) for r in envelope.rcpt_tos],
            "rcpt_text": storable(",".join(envelope.rcpt_tos).lower()),
            "message_id": message_id,
            "subject": subject,
            "size": len(data),
            "envelope": envelope_json(envelope),
            "verdict": verdict_json(verdict),
            "data": data,
            "pending": None,
        }
        rules = sorted({r.rule for r in verdict.reasons})
        async with self.transaction(write=True) as conn:
            await conn.execute(items.insert().values(**row))
            if rules:
                await conn.execute(item_rules.insert(), [{"item_id": item_id, "rule": r} for r in rules])
            await audit_log.record(conn, now, audit_log.RELAY, "hold", item_id, ", ".join(rules))
            if self.settings.notify_sender:
                held = held_message(row)
                note = notice.for_item(self.settings, NoticeKind.HELD, held, now, choice=self._sender_link(held))
                await self._queue_notice(conn, note, item_id, now)
        log.info("held %s (%d bytes, rules: %s)", item_id, len(data), ", ".join(rules) or "-")
        return item_id

    async def stage(
        self, envelope: Envelope, copies: Sequence[tuple[Sequence[str], bytes]], verdict: Verdict
    ) -> str:
        """Queue copies (recipients, data) durably for the outbox; return the reference."""
        now = self.clock()
        ref = new_id("S")
        async with self.transaction(write=True) as conn:
            for rcpts, data in copies:
                await queue(conn, ref, "stage", envelope.mail_from, list(rcpts), data, now)
            await audit_log.record(conn, now, audit_log.RELAY, "stage", ref, f"{len(copies)} copies")
        log.info("staged %s (%d copies)", ref, len(copies))
        return ref

    async def notify(
        self, kind: NoticeKind, envelope: Envelope, data: bytes, verdict: Verdict, reference: str = ""
    ) -> bool:
        """Queue a sender notice about mail that was not held (e.g. rewritten); False if none is due."""
        if not self.settings.notify_sender:
            return False
        now = self.clock()
        subject, message_id = _facts(verdict, data)
        ref = reference or new_id("N")
        note = notice.compose(
            self.settings,
            kind,
            sender=envelope.mail_from,
            reference=ref,
            subject=subject,
            message_id=message_id,
            received_at=now,
            reasons=held_reasons(verdict_json(verdict)["reasons"]),
            recipients=len(envelope.rcpt_tos),
            original=data,
            now=now,
        )
        if note is None:
            return False
        async with self.transaction(write=True) as conn:
            await self._queue_notice(conn, note, ref, now)
        return True

    # --- review -------------------------------------------------------------------------

    async def list_items(
        self,
        status: str | None = "held",
        limit: int = 50,
        offset: int = 0,
        q: str | None = None,
        rule: str | None = None,
        oldest_first: bool = False,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of items (newest first unless oldest_first) and the total that match."""
        where: list[sa.ColumnElement[bool]] = []
        if status and status != "all":
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}: one of {', '.join(STATUSES)} or all")
            where.append(items.c.status == status)
        if q:
            where.append(
                sa.or_(
                    *(
                        col.icontains(q, autoescape=True)
                        for col in (
                            items.c.id,
                            items.c.subject,
                            items.c.mail_from,
                            items.c.rcpt_text,
                            items.c.message_id,
                        )
                    )
                )
            )
        if rule:
            where.append(sa.exists().where(item_rules.c.item_id == items.c.id, item_rules.c.rule == rule))
        order = items.c.received_at.asc() if oldest_first else items.c.received_at.desc()
        limit, offset = max(0, min(limit, 1000)), max(0, offset)
        async with self.transaction(write=False) as conn:
            total = (
                await conn.execute(sa.select(sa.func.count()).select_from(items).where(*where))
            ).scalar_one()
            rows = await conn.execute(
                sa.select(*_SUMMARY_COLUMNS)
                .where(*where)
                .order_by(order, items.c.id)
                .limit(limit)
                .offset(offset)
            )
            now = self.clock()
            return [item_summary(r._mapping, now) for r in rows], int(total)

    async def get_item(self, item_id: str) -> dict[str, Any] | None:
        item_id = normalise_id(item_id)
        async with self.transaction(write=False) as conn:
            row = (await conn.execute(sa.select(*_SUMMARY_COLUMNS).where(items.c.id == item_id))).first()
            if row is None:
                return None
            detail = item_detail(row._mapping, self.clock())
            detail["audit"], _ = await audit_log.query(conn, 1000, 0, item_id)
            detail["audit"].reverse()  # oldest first: the item's story in order
            detail["decisions"] = [
                e
                for e in detail["audit"]
                if e["action"] in ("release_requested", "release", "reject", "expire")
            ]
            detail["delivery"] = await delivery(conn, item_id)
            return detail

    async def raw(self, item_id: str) -> bytes | None:
        async with self.transaction(write=False) as conn:
            data = (
                await conn.execute(sa.select(items.c.data).where(items.c.id == normalise_id(item_id)))
            ).scalar()
        return bytes(data) if data is not None else None

    async def audit(
        self, limit: int = 100, offset: int = 0, item_id: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """Audit entries, newest first: {at, actor, action, item_id, comment}."""
        async with self.transaction(write=False) as conn:
            return await audit_log.query(
                conn, max(0, min(limit, 10_000)), max(0, offset), normalise_id(item_id) if item_id else None
            )

    async def counts(self) -> dict[str, int]:
        async with self.transaction(write=False) as conn:
            rows = await conn.execute(sa.select(items.c.status, sa.func.count()).group_by(items.c.status))
            found = {status: int(n) for status, n in rows}
        return {status: found.get(status, 0) for status in STATUSES} | found

    async def oldest_held_seconds(self) -> float:
        async with self.transaction(write=False) as conn:
            oldest = (
                await conn.execute(
                    sa.select(sa.func.min(items.c.received_at)).where(items.c.status == "held")
                )
            ).scalar()
        return max(0.0, self.clock() - oldest) if oldest is not None else 0.0

    async def refresh_metrics(self) -> None:
        """Set the quarantine gauges (mailguard_quarantine_messages, …_oldest_held_seconds)."""
        await metrics.refresh_quarantine_gauges(self)

    # --- helpers ------------------------------------------------------------------------

    async def _detail_or_missing(self, item_id: str) -> dict[str, Any]:
        detail = await self.get_item(item_id)
        if detail is None:  # purged between commit and read: vanishingly rare
            raise NotFound(item_id)
        return detail

    def _sender_link(self, held: HeldMessage) -> SenderLink | None:
        """The sender's own choice, for an exposure hold only (never a protected one)."""
        if not held.exposure_only:
            return None
        try:
            policy, rules = self.policy_of(), [r.rule for r in held.reasons]
        except PolicyError:
            return None
        allowed = sender_choice.allowed_by(policy, rules, self.settings.two_person_release)
        if not allowed.fix and allowed.as_is == "never":
            return None  # nothing the sender could choose: a reviewer decides
        ends = held.received_at + self.settings.quarantine_expiry_days * 86400
        try:
            return self.sender_links.link(held.id, held.received_at, ends)
        except (OSError, ValueError) as exc:  # the notice still goes, without the link
            log.error("sender link key unusable (MAILGUARD_SENDER_LINK_KEY*): %s", exc)
            return None

    async def _queue_notice(
        self, conn: AsyncConnection, note: notice.Notice | None, ref: str, now: float
    ) -> None:
        if note is None:
            return
        await queue(conn, ref, "notice", note.mail_from, [note.rcpt], note.data, now)


def _policy_loader(settings: Settings) -> Callable[[], Policy]:
    loaded: list[Policy] = []

    def load() -> Policy:
        if not loaded:
            from mailguard.policy.engine import load_policy

            loaded.append(load_policy(settings))
        return loaded[0]

    return load


def _facts(verdict: Verdict, data: bytes) -> tuple[str, str]:
    """(subject, message_id): the verdict's, else read from the headers."""
    subject, message_id = one_line(verdict.subject), one_line(verdict.message_id)
    if subject and message_id:
        return subject, message_id
    parsed_subject, parsed_id = header_facts(data)
    return subject or parsed_subject, message_id or parsed_id
