"""Assembly: build the parts a running relay needs from the settings, run their background
work, and close them again.

`mailguard serve` and `mailguard demo` start here, and `mailguard check` uses the same
Scanner, so they all run the same pipeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailguard.actions.dkim import DkimKeyError, DkimSigner, signer_from_settings
from mailguard.pipeline import Decider, Disposer, Learner, pass_everything
from mailguard.settings import Settings
from mailguard.upstream.connections import UpstreamPool

if TYPE_CHECKING:
    from mailguard.organisation.organisation import Organisation
    from mailguard.policy.engine import Policy
    from mailguard.policy.scanner import Scanner
    from mailguard.quarantine.store import QuarantineStore

log = logging.getLogger(__name__)

STORE_RETRY_MAX = 60.0  # seconds between attempts to reach a store that was down at start


class PipelineError(Exception):
    """The pipeline cannot be built (bad rules or register, bad store URL): one line."""


@dataclass
class Runtime:
    settings: Settings
    decider: Decider = pass_everything
    disposer: Disposer | None = None  # None: hold and split verdicts answer 4xx (nothing to hold in)
    store: QuarantineStore | None = None  # the quarantine store, once opened
    scanner: Scanner | None = None  # the decider when scanning; owns the policy and its Organisation
    store_wanted: bool = False  # a store is configured, even while it is unreachable
    learner: Learner | None = None  # the misdirection guard learns what was delivered
    started_at: float = field(default_factory=time.time)
    closers: list[Any] = field(default_factory=list)  # objects with `async aclose()`, closed in reverse
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    dkim: DkimSigner | None = None  # signs copies mailguard changed (MAILGUARD_DKIM_*)
    draining: bool = False  # SIGTERM seen: /readyz answers 503 so balancers send no new sessions

    # --- parts ----------------------------------------------------------------------------

    async def open_store(self) -> None:
        """Open the quarantine store and make it the disposer; StoreError when that fails."""
        from mailguard.quarantine.store import QuarantineStore

        self.store = store = await QuarantineStore.open(self.settings)
        store.organisation_of = lambda: self.organisation
        store.policy_of = lambda: self.policy
        self.closers.append(store)
        self.disposer = store
        self.attach_affinity()

    @property
    def policy(self) -> Policy:
        """The current policy (the scanner's, reloaded with the rule files), else the rule files
        and environment read once (a runtime that does not scan)."""
        if self.scanner is not None:
            return self.scanner.policy
        from mailguard.policy.engine import load_policy

        if self._policy is None:
            self._policy = load_policy(self.settings)
        return self._policy

    _policy: Policy | None = field(default=None, repr=False)

    @property
    def organisation(self) -> Organisation:
        """The one Organisation (rule files + environment) of the current policy: the rewrite,
        the split and the release ask it who is internal, as the rules do."""
        return self.policy.organisation

    @property
    def upstream(self) -> UpstreamPool:
        """The one pool of upstream connections (relay transactions and the outbox share it)."""
        if self._upstream is None:
            self._upstream = UpstreamPool(self.settings)
        return self._upstream

    _upstream: UpstreamPool | None = field(default=None, repr=False)

    def attach_affinity(self) -> None:
        """Once both the store and the scanner exist: the misdirection guard's case history
        for the scanner, and its learner for the relay and the outbox."""
        scanner = self.scanner
        if self.store is None or scanner is None or self.learner is not None:
            return
        from mailguard.quarantine.affinity import KeyringError, open_affinity

        try:
            service = open_affinity(self.store, lambda: scanner.policy.organisation)
        except KeyringError as exc:
            log.error("misdirection guard off: %s", exc)
            return
        scanner.affinity = service
        self.learner = service
        self.closers.append(service)

    def reload(self) -> None:
        """Re-read rules and register (SIGHUP, file change); the scanner keeps the old ones on failure."""
        if self.scanner is not None:
            self.scanner.reload()

    # --- background work ------------------------------------------------------------------

    def start_background(self, *, outbox: bool = True, watch_interval: float = 5.0) -> None:
        """Reload rules and register when their files change; and, in the one process of several
        that has `outbox`, run the quarantine outbox and housekeeping. A store that was down at
        start is retried here, so holds work again without a restart."""
        self._spawn(self._watch_policy_files(watch_interval))
        self._start_learning(housekeeping=outbox)
        if self.store is not None:
            if outbox:
                self._start_store_work()
        elif self.store_wanted:
            self._spawn(self._open_store_later(outbox))

    async def stop_background(self) -> None:
        self.stopping.set()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
            self.tasks.clear()

    def _spawn(self, work: Any) -> None:
        self.tasks.append(asyncio.create_task(work))

    def _start_learning(self, housekeeping: bool) -> None:
        """Write what this process delivered to the affinity table (every process has its own
        queue); retention and the gauge run in the process that runs the outbox."""
        service = self.learner
        if service is not None:
            self._spawn(service.run(self.stopping, housekeeping=housekeeping))

    def _start_store_work(self) -> None:
        """The outbox (releases, split copies, notices) and housekeeping (expiry, purge)."""
        from mailguard.quarantine import lifecycle
        from mailguard.quarantine.outbox import Outbox, upstream_deliver

        settings = self.settings
        outbox = Outbox(
            self.store,
            poll_interval=settings.outbox_poll_interval,
            base_delay=settings.outbox_retry_delay,
            max_delay=settings.outbox_max_delay,
            max_age=settings.outbox_max_age_days * 86400,
        )
        outbox.learner = self.learner
        self._spawn(outbox.run(upstream_deliver(self.upstream), self.stopping))
        self._spawn(lifecycle.run(self.store, self.stopping))
        if settings.reviewer_notice_to:
            from mailguard.quarantine import digest

            self._spawn(digest.run(self.store, self.stopping))

    async def _pause(self, seconds: float) -> bool:
        """Sleep, or return early when stopping; True while still running."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)
        return not self.stopping.is_set()

    async def _open_store_later(self, outbox: bool) -> None:
        from mailguard.quarantine.errors import StoreError

        delay = 1.0
        while await self._pause(delay):
            try:
                await self.open_store()
            except StoreError as exc:
                log.warning("%s; retrying in %.0f s", exc, delay)
                delay = min(delay * 2, STORE_RETRY_MAX)
                continue
            log.info("quarantine store reachable: holds are accepted again")
            self._start_learning(housekeeping=outbox)
            if outbox:
                self._start_store_work()
            return

    def _policy_files_stamp(self) -> tuple[tuple[str, float, int], ...]:
        settings = self.settings
        paths = [*Path(settings.rules_dir).glob("*.y*ml")]
        if settings.register is not None:
            paths.append(Path(settings.register))
        stamp = []
        for path in sorted(paths):
            with contextlib.suppress(OSError):
                st = path.stat()
                stamp.append((str(path), st.st_mtime, st.st_size))
        return tuple(stamp)

    async def _watch_policy_files(self, interval: float) -> None:
        seen = await asyncio.to_thread(self._policy_files_stamp)
        while await self._pause(interval):
            now = await asyncio.to_thread(self._policy_files_stamp)
            if now != seen:
                seen = now
                log.info("rule or register files changed: reloading")
                await asyncio.to_thread(self.reload)

    # --- shutdown -------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self.stop_background()
        if self._upstream is not None:
            await self._upstream.aclose()
        while self.closers:
            part = self.closers.pop()
            try:
                await part.aclose()
            except Exception:  # closing the rest matters more than one failure
                log.exception("closing %s failed", type(part).__name__)


async def build_runtime(settings: Settings, *, scan: bool = True, store: bool = True) -> Runtime:
    """The Scanner as decider and the quarantine store as disposer (each can be left out).

    Raises `PipelineError` with a one-line reason when either cannot be set up. A store that is
    merely unreachable (database down) does not stop the start: clean mail flows, holds answer
    4xx, and `start_background` keeps trying — as when the store fails while running.
    """
    from mailguard.policy.loader import PolicyError
    from mailguard.quarantine.errors import StoreError, StoreUnreachable

    runtime = Runtime(settings, store_wanted=store)
    try:
        runtime.dkim = signer_from_settings(settings)
        if store:
            try:
                await runtime.open_store()
            except StoreUnreachable as exc:
                log.error("%s: holds answer 4xx, clean mail flows, retrying", exc)
        if scan:
            from mailguard.policy.scanner import Scanner

            scanner = await Scanner.from_settings(settings)
            runtime.decider = runtime.scanner = scanner
            runtime.closers.append(scanner)
            runtime.attach_affinity()
    except (PolicyError, StoreError, DkimKeyError) as exc:
        await runtime.aclose()
        raise PipelineError(str(exc)) from None
    except BaseException:
        await runtime.aclose()
        raise
    return runtime
