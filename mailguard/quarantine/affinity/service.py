"""The misdirection guard's link to the store, for a running relay (and `mailguard check`).

- The Scanner's rule asks `examine` from its worker thread. On SQLite the query runs right
  there on a read-only connection; on PostgreSQL it runs on the event loop that owns the
  store's pool, and the thread waits for it (bounded: no answer in time, no history).
- The delivery hooks (`delivered` from the relay, `released` from the outbox) only queue: the
  queue is written in batches by `run`, off the path of the SMTP reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from mailguard import metrics
from mailguard.detect.cases import external_recipients, written_forms
from mailguard.organisation.organisation import Organisation
from mailguard.quarantine.affinity.keyring import AffinityKeyring
from mailguard.quarantine.affinity.table import AffinityStore, CaseHistory, Delivery
from mailguard.quarantine.schema import items

log = logging.getLogger(__name__)

LOOKUP_TIMEOUT = 5.0  # seconds a scan waits for the store before deciding without history
FLUSH_INTERVAL = 1.0
FLUSH_BATCH = 2000
MAX_QUEUE = 100_000  # beyond this, deliveries are dropped (counted), never memory without bound
HOUSEKEEPING_INTERVAL = 3600.0  # retention purge
GAUGE_INTERVAL = 60.0  # mailguard_affinity_keys


class AffinityService:
    def __init__(
        self,
        store: AffinityStore,
        classifier: Callable[[], Organisation],
        *,
        retention_days: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._classifier = classifier
        self.retention_days = retention_days
        self.clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[Delivery] = []
        self._released: list[tuple[str, tuple[str, ...], float]] = []
        self._wake = asyncio.Event()
        self._flushing = asyncio.Lock()  # one flush at a time (see `flush`)

    @property
    def keyring(self) -> AffinityKeyring:
        return self.store.keyring

    async def aclose(self) -> None:
        self.store.close()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop that owns the store's connections (where lookups are run)."""
        self._loop = loop

    # --- the Scanner's lookup (any thread but the loop's own) -----------------------------

    @property
    def answers_in_thread(self) -> bool:
        return self.store.answers_in_thread

    def examine(self, case_keys: Sequence[str], recipients: Mapping[str, str | None]) -> dict[str, CaseHistory] | None:
        """The cases' histories, or None when the store cannot answer in time."""
        try:
            here = self.store.examine_here(case_keys, recipients)  # SQLite: in this thread
        except Exception as exc:
            metrics.AFFINITY_LOOKUP_ERRORS.inc()
            log.warning("affinity lookup failed (%s); deciding without history", type(exc).__name__)
            return None
        if here is not None:
            return here
        loop = self._loop
        if loop is None or loop.is_closed():
            return None
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:  # called on the loop itself: waiting would deadlock it
            log.error("affinity lookup called on the event loop thread; deciding without history")
            return None
        future = asyncio.run_coroutine_threadsafe(self.store.examine(case_keys, recipients), loop)
        try:
            return future.result(LOOKUP_TIMEOUT)
        except Exception as exc:  # store down or slow: the guard is a second opinion, never a 4xx
            future.cancel()
            metrics.AFFINITY_LOOKUP_ERRORS.inc()
            log.warning("affinity lookup failed (%s); deciding without history", type(exc).__name__)
            return None

    # --- delivery hooks (the Learner protocol; the loop's thread) --------------------------

    def delivered(self, case_keys: Sequence[str], recipients: Sequence[str], at: float | None = None) -> None:
        if not case_keys:
            return
        external = external_recipients(self._classifier(), recipients)
        if external:
            when = self.clock() if at is None else at
            self._queue(Delivery(tuple(case_keys), external, when, written_forms(recipients)))

    def released(self, item_id: str, recipients: Sequence[str]) -> None:
        if len(self._released) < MAX_QUEUE:
            self._released.append((item_id, tuple(recipients), self.clock()))
            self._wake.set()

    def _queue(self, delivery: Delivery) -> None:
        if len(self._pending) >= MAX_QUEUE:
            metrics.AFFINITY_DROPPED.inc()
            return
        self._pending.append(delivery)
        if len(self._pending) >= FLUSH_BATCH:
            self._wake.set()

    # --- background work --------------------------------------------------------------------

    async def flush(self) -> None:
        """Write what was queued; on a store failure keep it for the next round. Flushes run one
        at a time, so what was queued before a call is written when it returns, even while the
        background flush holds it (a caller found the queue empty mid-write, and went on to
        send mail the write was to allow: a release's recipient held again)."""
        async with self._flushing:
            await self._flush()

    async def _flush(self) -> None:
        if self._released:
            released, self._released = self._released, []
            try:
                for delivery in await self._released_deliveries(released):
                    self._queue(delivery)
            except Exception:
                self._released = released + self._released
                raise
        while self._pending:
            batch = self._pending[:FLUSH_BATCH]
            await self.store.record(batch)
            del self._pending[: len(batch)]

    async def _released_deliveries(self, released: list[tuple[str, tuple[str, ...], float]]) -> list[Delivery]:
        """A released item's case keys, as its verdict recorded them when it was held."""
        ids = list({item_id for item_id, _, _ in released})
        async with self.store.store.transaction(write=False) as conn:
            rows = await conn.execute(sa.select(items.c.id, items.c.verdict).where(items.c.id.in_(ids)))
            keys = {row.id: tuple((row.verdict or {}).get("case_keys", [])) for row in rows}
        classifier = self._classifier()
        out = []
        for item_id, rcpts, at in released:
            if keys.get(item_id) and (external := external_recipients(classifier, rcpts)):
                out.append(Delivery(keys[item_id], external, at, written_forms(rcpts)))
        return out

    async def housekeeping(self) -> None:
        """Retention: forget cases and pairs not seen for MAILGUARD_AFFINITY_RETENTION_DAYS."""
        removed = await self.store.purge(self.clock() - self.retention_days * 86400)
        if removed:
            log.info("affinity retention: %d old rows removed", removed)

    async def refresh_gauge(self) -> None:
        metrics.AFFINITY_KEYS.set(await self.store.count_cases())

    async def run(self, stop: asyncio.Event, *, housekeeping: bool = True) -> None:
        """Flush every second (or when a batch is full), the gauge every minute, retention every
        hour, until `stop`."""
        last_housekeeping = last_gauge = -1e9
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(stop, self._wake), FLUSH_INTERVAL)
            self._wake.clear()
            try:
                await self.flush()
                if housekeeping and time.monotonic() - last_housekeeping >= HOUSEKEEPING_INTERVAL:
                    await self.housekeeping()
                    last_housekeeping = time.monotonic()
                if housekeeping and time.monotonic() - last_gauge >= GAUGE_INTERVAL:
                    await self.refresh_gauge()
                    last_gauge = time.monotonic()
            except Exception as exc:
                log.warning(
                    "affinity store: %s; keeping %d deliveries for later", type(exc).__name__, len(self._pending)
                )
        with contextlib.suppress(Exception):
            await self.flush()  # what was delivered before the stop is still learnt


async def _first(*events: asyncio.Event) -> None:
    waits: list[asyncio.Task[Any]] = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()
