"""Which event loop the relay processes run on (MAILGUARD_EVENT_LOOP).

`auto` (the default) takes uvloop when it is installed, else asyncio's own loop; `uvloop`
requires it; `asyncio` never uses it. Measured on the 2-core machine, clean 10 KB mail through
`mailguard serve` (smtp-source, 20 sessions, 4 interleaved rounds): the relay's processes used
3.55 ms of CPU a message on uvloop against 5.42 ms on asyncio's loop (medians), and passed more
messages a second in the same rounds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The loop factory for `choice`; None for asyncio's default. Raises ImportError when
    `uvloop` is asked for and not installed."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T], choice: str) -> T:
    """`asyncio.run(main)` on the chosen loop."""
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        return runner.run(main)
