"""End of DATA: decide, then pass, rewrite, hold, split, reject or tempfail.

The decider sees the normalised message without our trace headers; whatever goes upstream is
that same message with only trace headers prepended (rewrite aside). Every failure is 451.
"""

from __future__ import annotations

import asyncio
import logging
import time

from mailguard.actions.rewrite import rewrite_to_bcc
from mailguard.actions.split import SplitError, split_copies
from mailguard.envelope import Envelope
from mailguard.metrics import MESSAGES, OBSERVE_ONLY_OVERRIDES, RELAY_SECONDS, RULE_HITS, SCAN_SECONDS
from mailguard.pipeline import Disposer
from mailguard.policy.verdict import Action, Verdict
from mailguard.relay import replies
from mailguard.relay.context import RelayContext
from mailguard.relay.errors import UpstreamError
from mailguard.relay.trace import received_header, verdict_header
from mailguard.relay.upstream import UpstreamTransaction, count_error

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
        MESSAGES.labels(verdict=Action.TEMPFAIL.value).inc()
        reply = replies.TEMPFAIL
    else:
        MESSAGES.labels(verdict=verdict.action.value).inc()
        if settings.observe_only and verdict.action is not Action.PASS:
            OBSERVE_ONLY_OVERRIDES.labels(verdict=verdict.action.value).inc()
        for rule in dict.fromkeys(reason.rule for reason in verdict.reasons):  # once per message
            RULE_HITS.labels(rule=rule).inc()
        trace = received_header(
            envelope, hostname=relay.hostname, transaction_id=transaction_id, tls=tls, protocol_esmtp=esmtp
        )
        if settings.verdict_header:
            trace += verdict_header(verdict, observe_only=settings.observe_only)
        reply = await _dispose(relay, envelope, data, upstream, verdict, trace, transaction_id)
    RELAY_SECONDS.observe(time.perf_counter() - started)
    log.info(
        "transaction %s: verdict=%s reply=%s rcpts=%d size=%d",
        transaction_id,
        verdict.action.value if verdict else "error",
        reply[:3],
        len(envelope.rcpt_tos),
        len(data),
    )
    return reply


async def _decide(
    relay: RelayContext, envelope: Envelope, data: bytes, transaction_id: str
) -> Verdict | None:
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


async def _dispose(
    relay: RelayContext,
    envelope: Envelope,
    data: bytes,
    upstream: UpstreamTransaction | None,
    verdict: Verdict,
    trace: bytes,
    transaction_id: str,
) -> str:
    settings = relay.settings
    action = Action.PASS if settings.observe_only else verdict.action
    # The policy sets `split` only when every hold-level reason can be resolved by one copy per
    # recipient (an invite's attendee list), so a split hold is delivered as copies, not held.
    if action in (Action.REWRITE, Action.HOLD) and verdict.split:
        return await _stage(relay, envelope, data, upstream, verdict, trace, transaction_id)
    if action is Action.PASS:
        return await _send(upstream, trace + data, transaction_id)
    if action is Action.REWRITE:
        try:
            rewritten = rewrite_to_bcc(data, settings.is_internal)
        except Exception as exc:
            log.error("transaction %s: rewrite failed (%s)", transaction_id, type(exc).__name__, exc_info=exc)
            return await _abort(upstream, replies.TEMPFAIL)
        reply = await _send(upstream, trace + rewritten, transaction_id)
        if reply.startswith("2"):
            await _notify_rewritten(relay, envelope, data, verdict, transaction_id)
        return reply
    if action is Action.HOLD:
        return await _hold(relay, envelope, data, upstream, verdict, transaction_id)
    if action is Action.REJECT:
        return await _abort(upstream, replies.POLICY_REJECT)
    return await _abort(upstream, replies.TEMPFAIL)


async def _notify_rewritten(
    relay: RelayContext, envelope: Envelope, data: bytes, verdict: Verdict, transaction_id: str
) -> None:
    """Tell the sender their recipients were moved to Bcc. Best effort: the mail is delivered."""
    notify = getattr(relay.runtime.disposer, "notify", None)
    if notify is None:
        return
    from mailguard.actions.notice import NoticeKind

    try:
        await notify(NoticeKind.REWRITTEN, envelope, data, verdict, transaction_id)
    except Exception as exc:
        log.warning("transaction %s: rewrite notice not queued (%s)", transaction_id, type(exc).__name__)


async def _send(upstream: UpstreamTransaction | None, message: bytes, transaction_id: str) -> str:
    if upstream is None or not upstream.open:
        return replies.UPSTREAM_LOST
    try:
        reply = await upstream.data(message)
    except UpstreamError as exc:
        count_error(exc)
        log.warning("transaction %s: %s", transaction_id, exc)
        return replies.UPSTREAM_LOST
    if not reply.ok:
        log.info("transaction %s: upstream refused the message with %d", transaction_id, reply.code)
    return reply.line()


async def _abort(upstream: UpstreamTransaction | None, reply: str) -> str:
    if upstream is not None:
        await upstream.abort()
    return reply


def _disposer(relay: RelayContext, transaction_id: str) -> Disposer | None:
    if relay.runtime.disposer is None:
        log.error("transaction %s: verdict needs the quarantine store, none configured", transaction_id)
    return relay.runtime.disposer


async def _hold(
    relay: RelayContext,
    envelope: Envelope,
    data: bytes,
    upstream: UpstreamTransaction | None,
    verdict: Verdict,
    transaction_id: str,
) -> str:
    await _abort(upstream, "")
    if (disposer := _disposer(relay, transaction_id)) is None:
        return replies.TEMPFAIL
    try:
        qid = await disposer.hold(envelope, data, verdict)
    except Exception as exc:
        log.error("transaction %s: hold failed (%s)", transaction_id, type(exc).__name__, exc_info=exc)
        return replies.TEMPFAIL
    log.info("transaction %s: held as %s", transaction_id, qid)
    return replies.HELD.format(qid=_token(qid))


async def _stage(
    relay: RelayContext,
    envelope: Envelope,
    data: bytes,
    upstream: UpstreamTransaction | None,
    verdict: Verdict,
    trace: bytes,
    transaction_id: str,
) -> str:
    try:
        copies = split_copies(data, envelope, relay.settings.is_internal)
    except SplitError as exc:  # a structure we can't prune safely: a reviewer decides instead
        log.warning("transaction %s: cannot split (%s), holding instead", transaction_id, exc)
        return await _hold(relay, envelope, data, upstream, verdict, transaction_id)
    await _abort(upstream, "")
    if (disposer := _disposer(relay, transaction_id)) is None:
        return replies.TEMPFAIL
    try:
        ref = await disposer.stage(envelope, [(rcpts, trace + copy) for rcpts, copy in copies], verdict)
    except Exception as exc:
        log.error("transaction %s: staging failed (%s)", transaction_id, type(exc).__name__, exc_info=exc)
        return replies.TEMPFAIL
    log.info("transaction %s: staged %d copies as %s", transaction_id, len(copies), ref)
    return replies.STAGED.format(ref=_token(ref))


def _token(value: object) -> str:
    return "".join(ch for ch in str(value) if ch.isalnum() or ch in "-_.")[:64] or "-"
