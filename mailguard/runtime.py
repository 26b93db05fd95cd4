"""Assembly: build the parts a running relay needs from the settings, and close them again.

`mailguard serve`, `mailguard demo` and `mailguard check` all start here, so they run the
same pipeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailguard.pipeline import Decider, Disposer, pass_everything
from mailguard.settings import Settings

log = logging.getLogger(__name__)


class PipelineError(Exception):
    """The pipeline cannot be built (bad rules or register, store unreachable): one line."""


@dataclass
class Runtime:
    settings: Settings
    decider: Decider = pass_everything
    disposer: Disposer | None = None  # None: hold and split verdicts answer 4xx (nothing to hold in)
    store: Any = None  # the quarantine store, once opened
    started_at: float = field(default_factory=time.time)
    closers: list[Any] = field(default_factory=list)  # objects with `async aclose()`, closed in reverse

    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def reload(self) -> None:
        """Re-read rules and register (SIGHUP, file change); the decider keeps the old ones on failure."""
        reload = getattr(self.decider, "reload", None)
        if reload is not None:
            reload()

    def start_background(self, *, outbox: bool = True, watch_interval: float = 5.0) -> None:
        """Background work of a running relay: reloading rules and register when their files
        change, and (in one process of several) the quarantine outbox and housekeeping."""
        self.tasks.append(asyncio.create_task(self._watch_policy_files(watch_interval)))
        if outbox and self.store is not None:
            from mailguard.quarantine import lifecycle
            from mailguard.quarantine.outbox import Outbox, relay_deliver

            settings = self.settings
            worker = Outbox(
                self.store,
                poll_interval=settings.outbox_poll_interval,
                base_delay=settings.outbox_retry_delay,
                max_delay=settings.outbox_max_delay,
                max_age=settings.outbox_max_age_days * 86400,
            )
            run = worker.run(relay_deliver(settings), self.stopping)
            self.tasks.append(asyncio.create_task(run))
            self.tasks.append(asyncio.create_task(lifecycle.run(self.store, self.stopping)))

    async def stop_background(self) -> None:
        self.stopping.set()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
            self.tasks.clear()

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
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), interval)
            now = await asyncio.to_thread(self._policy_files_stamp)
            if now != seen and not self.stopping.is_set():
                seen = now
                log.info("rule or register files changed: reloading")
                await asyncio.to_thread(self.reload)

    async def aclose(self) -> None:
        await self.stop_background()
        while self.closers:
            part = self.closers.pop()
            try:
                await part.aclose()
            except Exception:  # closing the rest matters more than one failure
                log.exception("closing %s failed", type(part).__name__)


async def build_runtime(settings: Settings, *, scan: bool = True, store: bool = True) -> Runtime:
    """The Scanner as decider and the quarantine store as disposer (each can be left out).

    Raises `PipelineError` with a one-line reason when either cannot be set up.
    """
    from mailguard.policy.loader import PolicyError
    from mailguard.quarantine.errors import StoreError

    runtime = Runtime(settings)
    try:
        if store:
            from mailguard.quarantine.store import QuarantineStore

            runtime.store = await QuarantineStore.open(settings)
            runtime.disposer = runtime.store
            runtime.closers.append(runtime.store)
        if scan:
            from mailguard.policy.scanner import Scanner

            scanner = await Scanner.from_settings(settings)
            runtime.decider = scanner
            runtime.closers.append(scanner)
    except (PolicyError, StoreError) as exc:
        await runtime.aclose()
        raise PipelineError(str(exc)) from None
    except BaseException:
        await runtime.aclose()
        raise
    return runtime
