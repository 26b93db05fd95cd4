"""Waking the outbox when there is mail to send, instead of waiting for its next poll.

In this process the store sets an event after each committed write. Across hosts sharing one
PostgreSQL store, `ops.queue` sends `NOTIFY mailguard_outbox` inside the transaction that queued
the mail (PostgreSQL delivers it at commit) and every host's outbox LISTENs on one connection of
its own. SQLite has no such channel; it is one host's store, so the event is enough.

A lost notification costs only latency: the outbox still polls every
MAILGUARD_OUTBOX_POLL_INTERVAL seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from mailguard.quarantine.ops import DB_ERRORS, OUTBOX_CHANNEL

log = logging.getLogger(__name__)


async def first_of(*events: asyncio.Event, seconds: float) -> None:
    """Return when any of `events` is set, or after `seconds`."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


@contextlib.asynccontextmanager
async def listen_for_wakeups(engine: AsyncEngine, wake: asyncio.Event) -> AsyncIterator[None]:
    """On PostgreSQL, set `wake` whenever any host queues outbox mail; elsewhere do nothing."""
    if engine.dialect.name != "postgresql":
        yield
        return
    connection: Any = None
    try:
        connection = await engine.connect()
        raw = await connection.get_raw_connection()
        await raw.driver_connection.add_listener(OUTBOX_CHANNEL, lambda *_: wake.set())
    except DB_ERRORS as exc:  # no LISTEN: the poll still delivers, a little later
        log.warning("outbox: cannot LISTEN for releases on other hosts (%s); polling only", type(exc).__name__)
        if connection is not None:
            with contextlib.suppress(*DB_ERRORS):
                await connection.close()
            connection = None
    try:
        yield
    finally:
        if connection is not None:
            with contextlib.suppress(*DB_ERRORS):
                await connection.close()
