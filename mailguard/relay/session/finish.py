"""End of DATA: decide, turn the verdict into an Outcome (mailguard.actions.disposition), and
carry it out: send over the one upstream transaction, stage copies, hold, or refuse.

The decider sees the normalised message without our trace headers; whatever goes upstream is
that same message with only trace headers prepended (rewrite aside). Every failure is 451.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from mailguard.actions.disposition import Delivery, Disposition, dispose
from mailguard.actions.marks import for_recipients, id_field, new_opaque_id
from mailguard.actions.notice import NoticeKind
from mailguard.actions.rewrite import internal_predicate
from mailguard.envelope import Envelope
from mailguard.metrics import OBSERVE_ONLY_OVERRIDES, RELAY_SECONDS, RULE_HITS, SCAN_SECONDS, count_message
from mailguard.pipeline import Disposer
from mailguard.policy.verdict import Action, Verdict
from mailguard.relay import replies
from mailguard.relay.shared import RelayContext
from mailguard.relay.trace import received_header, verdict_header
from mailguard.upstream.failures import UpstreamError
from mailguard.upstream.transaction import UpstreamTransaction, count_error

log = logging.getLogger(__name__)

DECIDE_SLACK = 30.0  # beyond the extraction limit, before a decision counts as lost


async def finish(
    relay: RelayContext,
    envelope: Envelope,
    data: bytes,
    upstream: UpstreamTransaction | None,
    *,
    transaction_id: str,
    tls: bool = False,
    esmtp: bool = True,
) -> str:
    """The reply to the client's end of data. Ends (sends or aborts) `upstream` on all paths."""
    started = time.perf_counter()
    settings = relay.settings
    verdict = await _decide(relay, envelope, data, transaction_id)
    if verdict is None:
        reply = replies.TEMPFAIL
    else:
        if settings.observe_only and verdict.action is not Action.PASS:
            OBSERVE_ONLY_OVERRIDES.labels(verdict=verdict.action.value).inc()
        for rule in dict.fromkeys(reason.rule for reason in verdict.reasons):  # once per message
            RULE_HITS.labels(rule=rule).inc()
        trace = received_header(
            envelope, hostname=relay.hostname, transaction_id=transaction_id, tls=tls, protocol_esmtp=esmtp
        )
        trace += id_field(new_opaque_id())  # opaque: the only mark an external copy may carry
        if settings.verdict_header:  # journaling: kept on copies whose recipients are all internal
            trace += verdict_header(verdict, observe_only=settings.observe_only)
        reply = await _Disposal(relay, envelope, data, upstream, verdict, trace, transaction_id).run()
    count_message(verdict.action.value if verdict else None, reply)  # the reply the client got
    elapsed = time.perf_counter() - started
    RELAY_SECONDS.observe(elapsed)
    if log.isEnabledFor(logging.INFO):  # the facts cost more than the line at the default WARNING
        _log_facts(transaction_id, envelope, data, verdict, reply, elapsed)
    return reply


def _log_facts(
    transaction_id: str, envelope: Envelope, data: bytes, verdict: Verdict | None, reply: str, elapsed: float
) -> None:
    facts = {  # ids, verdict, rule names and timings: never content (the JSON log carries these as fields)
        "txn": transaction_id,
        "message_id": verdict.message_id[:200] if verdict else "",
        "verdict": verdict.action.value if verdict else "error",
        "rules": sorted({r.rule for r in verdict.reasons}) if verdict else [],
        "unscanned": len(verdict.unscanned) if verdict else 0,
        "reply": reply[:3],
        "rcpts": len(envelope.rcpt_tos),
        "size": len(data),
        "scan_ms": round(verdict.scan_seconds * 1000, 1) if verdict else None,
        "relay_ms": round(elapsed * 1000, 1),
    }
    log.info("transaction %s: %s, replied %s", transaction_id, facts["verdict"], facts["reply"], extra=facts)


async def _decide(relay: RelayContext, envelope: Envelope, data: bytes, transaction_id: str) -> Verdict | None:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(relay.settings.extract_timeout + DECIDE_SLACK):
            verdict = await relay.runtime.decider(envelope, data)
    except Exception as exc:
        log.error("transaction %s: decider failed (%s)", transaction_id, type(exc).__name__, exc_info=exc)
        return None
    finally:
        SCAN_SECONDS.observe(time.perf_counter() - started)
    return verdict


@dataclass(slots=True)
class _Disposal:
    """Carry out one verdict: every path ends the upstream transaction and returns the reply."""

    relay: RelayContext
    envelope: Envelope
    data: bytes
    upstream: UpstreamTransaction | None
    verdict: Verdict
    trace: bytes
    txn: str

    async def run(self) -> str:
        runtime = self.relay.runtime
        outcome = dispose(
            self.envelope,
            self.data,
            self.verdict,
            runtime.organisation,
            observe_only=self.relay.settings.observe_only,
            dkim=runtime.dkim,
        )
        if outcome.disposition is Disposition.DELIVER:
            reply = await self.send(outcome.deliveries[0].data)
            if outcome.rewritten and reply.startswith("2"):
                await self._notify_rewritten()
            return reply
        if outcome.disposition is Disposition.COPIES:
            return await self.stage(outcome.deliveries)
        if outcome.disposition is Disposition.HOLD:
            if outcome.why.startswith("cannot split"):
                log.warning("transaction %s: %s, holding instead", self.txn, outcome.why)
            return await self.hold()
        return await self.abort(replies.POLICY_REJECT if outcome.permanent else replies.TEMPFAIL)

    async def send(self, message: bytes) -> str:
        upstream = self.upstream
        if upstream is None or not upstream.open:
            return replies.UPSTREAM_LOST
        try:
            reply = await upstream.data(self.marked(self.envelope.rcpt_tos, message))
        except UpstreamError as exc:
            count_error(exc)
            log.warning("transaction %s: %s", self.txn, exc)
            return replies.UPSTREAM_LOST
        if not reply.ok:
            log.info("transaction %s: upstream refused the message with %d", self.txn, reply.code)
        elif (learner := self.relay.runtime.learner) is not None:  # passed or rewritten: delivered
            learner.delivered(self.verdict.case_keys, self.envelope.rcpt_tos)
        return reply.line()

    def marked(self, rcpts: list[str], message: bytes) -> bytes:
        """The copy for `rcpts` with our trace fields: the verdict only if they are all internal."""
        internal = internal_predicate(self.relay.runtime.organisation.is_internal)
        return for_recipients(message, rcpts, internal, self.trace)

    async def abort(self, reply: str) -> str:
        if self.upstream is not None:
            await self.upstream.abort()
        return reply

    async def hold(self) -> str:
        await self.abort("")
        if (disposer := self._disposer()) is None:
            return replies.TEMPFAIL
        try:
            qid = await disposer.hold(self.envelope, self.data, self.verdict)
        except Exception as exc:
            self._failed("hold", exc)
            return replies.TEMPFAIL
        log.info("transaction %s: held as %s", self.txn, qid)
        return replies.HELD.format(qid=_token(qid))

    async def stage(self, copies: Sequence[Delivery]) -> str:
        await self.abort("")
        if (disposer := self._disposer()) is None:
            return replies.TEMPFAIL
        try:
            staged = [(list(c.recipients), self.marked(list(c.recipients), c.data)) for c in copies]
            ref = await disposer.stage(self.envelope, staged, self.verdict)
        except Exception as exc:
            self._failed("staging", exc)
            return replies.TEMPFAIL
        log.info("transaction %s: staged %d copies as %s", self.txn, len(copies), ref)
        return replies.STAGED.format(ref=_token(ref))

    async def _notify_rewritten(self) -> None:
        """Tell the sender their recipients were moved to Bcc. Best effort: the mail is delivered."""
        disposer = self.relay.runtime.disposer
        if disposer is None:
            return
        try:
            await disposer.notify(NoticeKind.REWRITTEN, self.envelope, self.data, self.verdict, self.txn)
        except Exception as exc:
            log.warning("transaction %s: rewrite notice not queued (%s)", self.txn, type(exc).__name__)

    def _disposer(self) -> Disposer | None:
        if self.relay.runtime.disposer is None:
            log.error("transaction %s: verdict needs the quarantine store, none configured", self.txn)
        return self.relay.runtime.disposer

    def _failed(self, what: str, exc: Exception) -> None:
        log.error("transaction %s: %s failed (%s)", self.txn, what, type(exc).__name__, exc_info=exc)


def _token(value: object) -> str:
    return "".join(ch for ch in str(value) if ch.isalnum() or ch in "-_.")[:64] or "-"
