"""The `Decider` the relay and `mailguard check` share: extract (in the worker pool), detect,
apply the policy. Any internal failure is a tempfail verdict, never an exception."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from mailguard import metrics
from mailguard.detect.budget import BudgetExceeded, scan_budget
from mailguard.detect.header_facts import read_headers
from mailguard.detect.protected import RegisterLike
from mailguard.envelope import Envelope
from mailguard.message.model import AddressSource, Content, Unscanned, UnscannedReason
from mailguard.organisation import domains
from mailguard.policy.engine import Policy, load_policy
from mailguard.policy.loader import PolicyError
from mailguard.policy.misdirection import AffinityLookup
from mailguard.policy.scan_context import ScanContext
from mailguard.policy.system import system_mail
from mailguard.policy.verdict import Action, Verdict, strongest
from mailguard.settings import Settings

if TYPE_CHECKING:
    from mailguard.message.pool import Extractor

log = logging.getLogger(__name__)

# Up to this much text (characters, no attachment) the decision is made on the event loop, when
# the pool's inline budget allows: a thread hop costs more than the work, and a CPU-bound thread
# makes the loop wait for the GIL at every I/O. Measured worst case: 16 K characters with a
# postcode address on every line, 7.8 ms; clean 10 KB mail 0.2 ms (2-core machine, load 5).
INLINE_DECIDE_CHARS = 16 * 1024
# Larger content is decided in a thread, in arrival order, in one of two lanes per process as
# extraction has (message/lanes.py): up to this much text, the small lane; beyond it (a big
# document: 50 K characters take about 50 ms to match, a 6 M-character spreadsheet seconds), the
# large one, so a letter never waits behind a spreadsheet. One thread per lane: decisions
# share the GIL, so more threads finish none sooner, and each makes the loop wait longer.
SMALL_DECIDE_CHARS = 64 * 1024
# While a decision runs, the loop takes the GIL back after at most this long (Python's
# default: 5 ms, paid at every I/O the loop does).
_SWITCH_INTERVAL = 0.001


def open_register(settings: Settings) -> RegisterLike | None:
    """The protected register: MAILGUARD_REGISTER, else the copy `mailguard register import` left
    in the data dir (compiled cache under the data dir); None when there is neither."""
    from mailguard.detect.register import Register  # heavy (rapidfuzz, the index): load on first use

    if settings.register is not None and not Path(settings.register).is_file():
        raise PolicyError(f"register {settings.register} not found (MAILGUARD_REGISTER)")
    try:
        register = Register.from_settings(settings)
    except Exception as exc:  # the register's own errors: one clear line for the administrator
        raise PolicyError(f"register: {exc}") from exc
    # A configured register without rows silently turns protection off (a placeholder Secret,
    # every row refused): refuse it unless the administrator said so.
    if settings.register is not None and register is not None and len(register) == 0:
        if not settings.register_allow_empty:
            raise PolicyError(
                f"register {settings.register} has no usable rows (MAILGUARD_REGISTER): protected addresses "
                "would not be checked; fix it, or set MAILGUARD_REGISTER_ALLOW_EMPTY=true to start anyway"
            )
        log.warning("register %s has no rows: protected addresses are not checked", settings.register)
    metrics.REGISTER_ROWS.set(len(register) if register is not None else 0)
    return register


def _with_header_addresses(content: Content, data: bytes) -> Content:
    """When extraction gave up before reading the headers (timeout, crash), the To/Cc
    exposure must still be seen: read them cheaply here."""
    if any(a.source in (AddressSource.TO, AddressSource.CC, AddressSource.RESENT_TO) for a in content.addresses):
        return content
    try:
        facts = read_headers(data)
    except Exception:  # a header block we cannot read adds nothing
        return content
    content.addresses.extend(facts.visible())
    content.subject = content.subject or facts.subject
    content.message_id = content.message_id or facts.message_id
    return content


def _without_exposure(verdict: Verdict) -> Verdict:
    """System mail is never rewritten or split (that breaks a bounce's report or a journal
    record); only what it carries to a flagged recipient (protected data, a case they were
    never part of, an unreadable part) can hold it."""
    if verdict.action is Action.TEMPFAIL:
        return verdict
    kept = [r for r in verdict.reasons if r.detector != "exposure"]
    action = strongest([r.action for r in kept])
    if action is Action.REWRITE:
        action = Action.PASS
    return replace(verdict, action=action, reasons=kept, split=False)


class Scanner:
    def __init__(
        self, settings: Settings, policy: Policy, register: RegisterLike | None, pool: Extractor
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.register = register
        self._pool = pool
        self.affinity: AffinityLookup | None = None  # the misdirection guard's store link (runtime sets it)
        self._small_lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mailguard-decide-small")
        self._large_lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mailguard-decide-large")

    @classmethod
    async def from_settings(cls, settings: Settings) -> Scanner:
        """Load rules and register and start the extraction pool; PolicyError on a bad rule set
        or register (the relay must refuse to start)."""
        from mailguard.message.extract.bounds import ExtractLimits
        from mailguard.message.pool import ExtractionPool

        policy = load_policy(settings)
        register = await asyncio.to_thread(open_register, settings)
        await asyncio.to_thread(domains.preload)
        metrics.precreate(metrics.RULE_HITS, (rule.name for rule in policy.rules))  # at 0 from the start
        pool = ExtractionPool(ExtractLimits.from_settings(settings), settings.extract_workers)
        await pool.__aenter__()
        sys.setswitchinterval(min(sys.getswitchinterval(), _SWITCH_INTERVAL))
        log.info(
            "scanner ready: %d rules, register of %s rows",
            len(policy.rules),
            len(register) if register is not None else "no",
        )
        return cls(settings, policy, register, pool)

    async def __call__(self, envelope: Envelope, data: bytes) -> Verdict:
        started = time.perf_counter()
        kind = system_mail(envelope, data)
        if kind is not None and not self._to_flagged(envelope):
            log.debug("system mail (%s): passed untouched", kind)
            return Verdict.passed()
        try:
            content = _with_header_addresses(await self._pool.extract(data), data)
            inline = self._pool.inline
            size = content.text_size()
            if (
                inline is not None
                and not content.attachments
                and size <= INLINE_DECIDE_CHARS
                and inline.available()
                and (self.affinity is None or self.affinity.answers_in_thread)  # a PostgreSQL lookup needs the loop
            ):
                with inline.timed():
                    verdict = self._decide_now(envelope, content)
            else:
                lane = self._small_lane if size <= SMALL_DECIDE_CHARS else self._large_lane
                verdict = await asyncio.get_running_loop().run_in_executor(lane, self._decide_now, envelope, content)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scan failed; answering tempfail")
            verdict = Verdict(Action.TEMPFAIL)
        if kind is not None:
            log.info("system mail (%s) to a flagged recipient: scanned, %s", kind, verdict.action.value)
            verdict = _without_exposure(verdict)
        verdict.scan_seconds = time.perf_counter() - started  # the relay observes SCAN_SECONDS
        return verdict

    def _to_flagged(self, envelope: Envelope) -> bool:
        """Any recipient flagged (globally or by a register row)? Cheap: no content is read."""
        policy = self.policy
        ctx = ScanContext(envelope, Content(), policy.organisation, policy.flagged, self.register)
        return any(ctx.is_flagged(r) for r in ctx.recipients)

    def _decide_now(self, envelope: Envelope, content: Content) -> Verdict:
        # matching's own budget, from when it starts (not from a wait for the decide thread)
        return self.decide(envelope, content, time.monotonic() + self.settings.extract_timeout)

    def decide(self, envelope: Envelope, content: Content, deadline: float | None = None) -> Verdict:
        """The policy's verdict for extracted content (no I/O; the tests call it directly).
        Matching stops at `deadline` (time.monotonic()); the message is then unscanned: timeout."""
        policy, register = self.policy, self.register  # one consistent pair across a reload
        ctx = ScanContext(
            envelope, content, policy.organisation, policy.flagged, register, policy.cases, self.affinity
        )
        try:
            with scan_budget(deadline):
                decision = policy.decide(ctx)
        except BudgetExceeded:  # the matcher stopped itself: nothing keeps running after the reply
            log.warning("matching ran out of its %.1f s budget; message unscanned", self.settings.extract_timeout)
            content.unscanned.append(Unscanned("message", UnscannedReason.TIMEOUT, "matching ran out of time"))
            ctx = ScanContext(
                envelope, content, policy.organisation, policy.flagged, register, policy.cases, self.affinity
            )
            ctx.mentions = []  # pre-empts the cached property: no second attempt
            decision = policy.decide(ctx)
        # rule hits are counted by the relay (finish.py), which sees every decider's verdict
        for part in content.unscanned:
            metrics.UNSCANNABLE_PARTS.labels(reason=part.reason.value).inc()
        return Verdict(
            action=decision.action,
            reasons=decision.reasons,
            unscanned=list(content.unscanned),
            attachments=list(content.attachments),
            split=decision.split,
            subject=content.subject,
            message_id=content.message_id,
            case_keys=tuple(k.digest for k in ctx.case_keys),
        )

    def find_protected(self, text: str) -> list[tuple[int, int]]:
        """Spans of protected data in `text` (redaction's finder); none without a register."""
        from mailguard.message.model import Segment

        register = self.register
        if register is None:
            return []
        return [(m.start, m.end) for m in register.find_mentions([Segment(text, "")])]

    async def protected_places(self, data: bytes) -> list[str]:
        """Where protected data is found in a message, for any recipient (redaction's re-scan);
        a part that cannot be read counts as a place, since it cannot be shown clean."""
        register = self.register
        content = await self._pool.extract(data)
        places = [u.where for u in content.unscanned]
        if register is not None:
            places += [content.segments[m.segment_index].where for m in register.find_mentions(content.segments)]
        return places

    def reload(self) -> bool:
        """Re-read rules and register (SIGHUP, file change). On any problem keep the old ones,
        log it, and return False."""
        try:
            policy = load_policy(self.settings)
            register = open_register(self.settings)
        except PolicyError as exc:
            log.error("reload refused, keeping the current rules and register: %s", exc)
            return False
        except Exception:
            log.exception("reload failed, keeping the current rules and register")
            return False
        self.policy, self.register = policy, register
        metrics.precreate(metrics.RULE_HITS, (rule.name for rule in policy.rules))
        log.info(
            "reloaded: %d rules, register of %s rows",
            len(policy.rules),
            len(register) if register is not None else "no",
        )
        return True

    async def aclose(self) -> None:
        for lane in (self._small_lane, self._large_lane):
            lane.shutdown(wait=False, cancel_futures=True)
        await self._pool.aclose()
