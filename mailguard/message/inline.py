"""How much parsing and matching may run on the event loop itself: a token bucket of loop time.

Small plain-text mail is cheaper to read in-process than to hand to a worker (a round trip
costs more than the work), but work on the loop delays every other session. Each piece of
inline work is bounded by its input size (`message/pool.py`: plain text of at most
`FAST_PATH_MAX` bytes); this bucket bounds how much of it may run back to back, so many such
messages arriving together cannot add up to a stall: at most `burst` seconds at once and
`share` of the loop's time over longer spans. Past that, work goes to a worker or a thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable

BURST = 0.010  # seconds of inline work the loop may do back to back
SHARE = 0.5  # fraction of wall time inline work may take over longer spans


class InlineBudget:
    def __init__(
        self, burst: float = BURST, share: float = SHARE, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self.burst = burst
        self.share = share
        self._clock = clock
        self._tokens = burst
        self._at = clock()

    def available(self) -> bool:
        """True when inline work may start now (it is charged afterwards with `spend`)."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.share)
        self._at = now
        return self._tokens > 0

    def spend(self, seconds: float) -> None:
        self._tokens -= seconds

    def timed(self) -> _Charge:
        """`with budget.timed(): ...` charges the block's duration to the bucket."""
        return _Charge(self)


class _Charge:
    __slots__ = ("_budget", "_started")

    def __init__(self, budget: InlineBudget) -> None:
        self._budget = budget
        self._started = 0.0

    def __enter__(self) -> None:
        self._started = self._budget._clock()

    def __exit__(self, *exc: object) -> None:
        self._budget.spend(self._budget._clock() - self._started)
