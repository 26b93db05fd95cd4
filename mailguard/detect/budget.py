"""How much matching work a scan may do, counted and stopped cooperatively.

The policy runs the matcher inside `scan_budget(deadline)`; the matcher calls `tick(n)` for
every trigger and every candidate row it verifies. When the deadline passes, `tick` raises
`BudgetExceeded` and the matcher stops at once (no thread keeps burning CPU after the reply:
the caller turns it into `unscanned: timeout`). The same counter is the operation count the
regression tests bound (work per byte), which unlike time does not depend on the machine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_CHECK_EVERY = 256  # ticks between clock reads (a tick is microseconds of work)


class BudgetExceeded(Exception):
    """The scan's time budget ran out; what was found so far is kept."""


class Budget:
    __slots__ = ("_next_check", "deadline", "exhausted", "ops")

    def __init__(self, deadline: float | None = None) -> None:
        self.deadline = deadline  # time.monotonic() value; None: unlimited
        self.ops = 0
        self.exhausted = False
        self._next_check = _CHECK_EVERY

    def tick(self, n: int = 1) -> None:
        self.ops += n
        if self.ops >= self._next_check:
            self._next_check = self.ops + _CHECK_EVERY
            if self.deadline is not None and time.monotonic() > self.deadline:
                self.exhausted = True
                raise BudgetExceeded


_current: ContextVar[Budget | None] = ContextVar("mailguard_scan_budget", default=None)


def current() -> Budget:
    """The budget of the running scan (an unlimited one outside `scan_budget`)."""
    return _current.get() or Budget()


@contextmanager
def scan_budget(deadline: float | None) -> Iterator[Budget]:
    budget = Budget(deadline)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)
