"""Assembly: build the parts a running relay needs from the settings, and close them again.

`mailguard serve`, `mailguard demo` and `mailguard check` all start here, so they run the
same pipeline.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
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

    async def aclose(self) -> None:
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
