"""The decisions on a held message: release (in any mode, with two-person confirmation),
its preview, reject, and the count of decisions made by the command line elsewhere.

A mix-in of QuarantineStore (it uses the store's transaction, clock and notice queue). Each
decision, its audit row and the mail it queues commit in one transaction; the item is re-read
under a row lock there, so two deciders (two reviewers, a reviewer and the sender) never both win.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mailguard import metrics
from mailguard.actions import notice
from mailguard.actions.notice import NoticeKind
from mailguard.actions.release import Plan, ReleaseMode, ReleaseRequest, plan_release
from mailguard.quarantine import audit as audit_log
from mailguard.quarantine.errors import Conflict, JustificationRequired, NotSendersChoice, SameReviewer
from mailguard.quarantine.ops import decide, held_row, queue
from mailguard.quarantine.records import normalise_id
from mailguard.quarantine.schema import audit, items
from mailguard.settings import Settings, TwoPersonRelease

if TYPE_CHECKING:
    from mailguard.actions.held_message import HeldMessage
    from mailguard.organisation.organisation import Organisation

log = logging.getLogger("mailguard.quarantine")

SENDER_ACTOR = "sender"  # the sender's own choice, from the link in their notice
CLI_ACTOR_PREFIX = "cli:"  # `mailguard quarantine` decisions (mailguard.cli.quarantine.actor)
RELEASE_MODES = tuple(m.value for m in ReleaseMode)
Planner = Callable[[bytes, list[str], ReleaseRequest], Awaitable[Plan]]


class ReviewActions:
    # provided by QuarantineStore
    settings: Settings
    clock: Callable[[], float]
    organisation_of: Callable[[], Organisation]
    _cli_watermark: int | None
    transaction: Callable[[bool], AbstractAsyncContextManager[AsyncConnection]]

    async def _queue_notice(self, conn: AsyncConnection, note: notice.Notice | None, ref: str, now: float) -> None:
        raise NotImplementedError

    async def _detail_or_missing(self, item_id: str) -> dict[str, Any]:
        raise NotImplementedError

    async def release(
        self,
        item_id: str,
        actor: str,
        comment: str = "",
        mode: str = "as_is",
        two_person: bool | None = None,
        *,
        request: ReleaseRequest | None = None,
        planner: Planner | None = None,
        rules: Settings | None = None,
    ) -> dict[str, Any]:
        """Plan the release (`planner`: mode → copies), queue its copies and mark the item released,
        atomically. `ReleaseRefused` when the mode cannot be carried out (the reason says why),
        `JustificationRequired` for a protected hold released without a justification.

        `rules`: whose MAILGUARD_TWO_PERSON_RELEASE and _RELEASE_JUSTIFICATION apply (the
        caller's settings; the store's own by default).
        Two-person (`two_person`, or else MAILGUARD_TWO_PERSON_RELEASE for this item): the first
        call records a pending request (status stays held); a second, different reviewer's call
        releases it as the first reviewer asked.
        """
        if request is None:
            if mode not in RELEASE_MODES:
                raise ValueError(f"unknown release mode {mode!r}: one of {', '.join(RELEASE_MODES)}")
            request = ReleaseRequest(ReleaseMode(mode))
        planner = planner or self._plain_planner
        item_id = normalise_id(item_id)
        async with self.transaction(False) as conn:
            held = await held_row(conn, item_id)
        protected = held.protected
        rules = rules or self.settings
        if two_person is None:
            two_person = rules.two_person_release is TwoPersonRelease.ALL or (
                protected and rules.two_person_release is TwoPersonRelease.PROTECTED
            )
        pending = held.pending
        if two_person and pending:
            if pending["actor"] == actor:
                raise SameReviewer(f"{item_id}: a second reviewer must confirm the release")
            request = ReleaseRequest.from_json(pending)
        if protected and rules.release_justification and not request.justification.strip():
            raise JustificationRequired(f"{item_id}: a protected-address hold needs a justification")
        plan = await planner(held.data, list(held.rcpt), request)  # refusals surface here
        now = self.clock()
        note = _audit_note(request, comment)
        decided = False
        async with self.transaction(True) as conn:
            again = await held_row(conn, item_id)
            if again.pending != pending:
                raise Conflict(f"{item_id} changed while the release was prepared")
            if two_person and not pending:
                asked = {"actor": actor, "at": now, "comment": comment, **request.as_json()}
                await conn.execute(items.update().where(items.c.id == item_id).values(pending=asked))
                await audit_log.record(conn, now, actor, "release_requested", item_id, note)
            else:
                await self._released(conn, held, actor, comment, request, plan, now)
                decided = True
        if decided and not actor.startswith(CLI_ACTOR_PREFIX):  # the CLI's: counted by the server
            metrics.REVIEW_DECISIONS.labels(decision="release").inc()
            log.info("released %s by %s (%s, %d copies)", item_id, actor, request.mode.value, len(plan.copies))
        return await self._detail_or_missing(item_id)

    async def _released(
        self,
        conn: AsyncConnection,
        held: HeldMessage,
        actor: str,
        comment: str,
        request: ReleaseRequest,
        plan: Plan,
        now: float,
    ) -> None:
        """Mark the item released and queue its copies (and a partial notice), in `conn`."""
        await decide(conn, held.id, "released", actor, comment, now, mode=request.mode.value)
        for rcpts, data in plan.copies:
            await queue(conn, held.id, "release", held.mail_from, rcpts, data, now)
        await audit_log.record(conn, now, actor, "release", held.id, _audit_note(request, comment))
        if plan.refused and self.settings.notify_sender:
            kept = sorted({r for rcpts, _ in plan.copies for r in rcpts})
            partial = notice.for_item(
                self.settings, NoticeKind.PARTIAL, held, now, refused=plan.refused, delivered=kept, comment=comment
            )
            await self._queue_notice(conn, partial, held.id, now)

    async def held(self, item_id: str) -> HeldMessage:
        """The held message (NotFound, or Conflict when it is no longer held)."""
        async with self.transaction(False) as conn:
            return await held_row(conn, normalise_id(item_id))

    async def sender_release(self, held: HeldMessage, request: ReleaseRequest, plan: Plan) -> None:
        """Carry out the sender's own choice for an exposure hold (`plan`: the caller's, of
        `held`'s bytes, already checked), as a reviewer's release is carried out, audited with
        the actor "sender". Refused (NotSendersChoice) for any other hold, and (Conflict) once a
        reviewer has decided or asked for a release: whoever commits first decides."""
        if not held.exposure_only:
            raise NotSendersChoice(f"{held.id} is not an exposure hold")
        now = self.clock()
        async with self.transaction(True) as conn:
            again = await held_row(conn, held.id)  # locked: a reviewer's decision waits or has won
            if again.pending:
                raise Conflict(f"{held.id}: a reviewer has asked for a release")
            await self._released(conn, again, SENDER_ACTOR, "", request, plan, now)
        metrics.SENDER_DECISIONS.labels(decision=request.mode.value).inc()
        log.info("released %s by its sender (%s, %d copies)", held.id, request.mode.value, len(plan.copies))

    async def preview_release(self, item_id: str, request: ReleaseRequest, planner: Planner | None = None) -> Plan:
        """What a release would deliver, without deciding anything (the page's last look). With a
        release awaiting confirmation, what that request would deliver (the one a confirmation sends)."""
        async with self.transaction(False) as conn:
            held = await held_row(conn, normalise_id(item_id))
        if held.pending:
            request = ReleaseRequest.from_json(held.pending)
        return await (planner or self._plain_planner)(held.data, list(held.rcpt), request)

    async def _plain_planner(self, data: bytes, rcpts: list[str], request: ReleaseRequest) -> Plan:
        return await plan_release(data, rcpts, request, is_internal=self.organisation_of().is_internal)

    async def reject(
        self, item_id: str, actor: str, comment: str = "", notify_sender: bool = True
    ) -> dict[str, Any]:
        item_id = normalise_id(item_id)
        now = self.clock()
        async with self.transaction(True) as conn:
            held = await held_row(conn, item_id)
            await decide(conn, item_id, "rejected", actor, comment, now)
            await audit_log.record(conn, now, actor, "reject", item_id, comment)
            if notify_sender:
                places = held.problem_places
                note = notice.for_item(self.settings, NoticeKind.REJECTED, held, now, comment=comment, places=places)
                await self._queue_notice(conn, note, item_id, now)
        if not actor.startswith(CLI_ACTOR_PREFIX):  # the CLI's: counted by the server (decisions_elsewhere)
            metrics.REVIEW_DECISIONS.labels(decision="reject").inc()
        log.info("rejected %s by %s", item_id, actor)
        return await self._detail_or_missing(item_id)

    async def decisions_elsewhere(self) -> dict[str, int]:
        """Release and reject decisions the CLI recorded since the last call (the CLI's own
        process ends before any scrape, so the serving process counts them from the audit)."""
        async with self.transaction(False) as conn:
            if self._cli_watermark is None:
                self._cli_watermark = int((await conn.execute(sa.select(sa.func.max(audit.c.id)))).scalar() or 0)
                return {}
            rows = (
                await conn.execute(
                    sa.select(audit.c.id, audit.c.action).where(
                        audit.c.id > self._cli_watermark,
                        audit.c.actor.startswith(CLI_ACTOR_PREFIX),
                        audit.c.action.in_(("release", "reject")),
                    )
                )
            ).all()
            last = (await conn.execute(sa.select(sa.func.max(audit.c.id)))).scalar()
        self._cli_watermark = max(self._cli_watermark, int(last or 0))
        found: dict[str, int] = {}
        for row in rows:
            found[row.action] = found.get(row.action, 0) + 1
        return found


def _audit_note(request: ReleaseRequest, comment: str) -> str:
    """The audit line of a release: its mode first, then the justification and the comment."""
    parts = [f"mode {request.mode.value}"]
    if request.recipients:
        parts.append(f"{len(request.recipients)} chosen recipients")
    if request.attachments:
        parts.append("without " + ", ".join(request.attachments))
    if request.justification:
        parts.append(f"justification: {request.justification}")
    if comment:
        parts.append(comment)
    return "; ".join(parts)


