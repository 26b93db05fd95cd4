"""A release is delivered at once, not at the outbox's next poll: in this process through the
store's event, and from another host through PostgreSQL's LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from support.pg import empty

from mailguard.quarantine import QuarantineStore
from mailguard.quarantine.outbox import Deliver, Outbox

from .conftest import Upstream, envelope, make_settings, message, verdict

SLOW_POLL = 30.0  # far longer than any wait below: only a wake-up can explain a quick delivery


async def released_within(store: QuarantineStore, outbox_store: QuarantineStore, upstream: Upstream) -> float:
    stop = asyncio.Event()
    runner = asyncio.create_task(Outbox(outbox_store, poll_interval=SLOW_POLL).run(upstream.deliver, stop))
    try:
        await asyncio.sleep(0.3)  # the outbox has looked once and is waiting
        item = await store.hold(envelope(), message(), verdict())
        started = time.monotonic()
        await store.release(item, "rita", "checked")
        while not any(b"Assessment" in d.data for d in upstream.delivered):
            await asyncio.sleep(0.02)
            assert time.monotonic() - started < 10, "the release waited for the outbox's poll"
        return time.monotonic() - started
    finally:
        stop.set()
        await asyncio.wait_for(runner, 10)


async def test_a_release_wakes_this_process_outbox(store: QuarantineStore, upstream: Upstream) -> None:
    assert await released_within(store, store, upstream) < 5


@pytest.mark.postgres
async def test_a_release_on_another_host_wakes_this_outbox(
    pg_database: str, tmp_path: Path, upstream: Upstream
) -> None:
    # Two stores on one database stand for two hosts: the release happens on one, the other
    # host's outbox (which never saw the write) must still deliver at once.
    host_a = await QuarantineStore.open(make_settings(pg_database, tmp_path / "a"))
    host_b = await QuarantineStore.open(make_settings(pg_database, tmp_path / "b"))
    await empty(host_a)  # the database is shared by the session's tests
    try:
        assert await released_within(host_a, host_b, upstream) < 5
    finally:
        await host_a.aclose()
        await host_b.aclose()


class CountingOutbox(Outbox):
    passes = 0

    async def run_once(self, deliver: Deliver) -> int:
        self.passes += 1
        return await super().run_once(deliver)


async def test_an_idle_outbox_waits_for_its_poll(store: QuarantineStore) -> None:
    # Its own claims and retries are store writes too: they must not wake it again (that was a
    # busy loop burning a core in every idle relay). A message waiting on a dead upstream is the
    # case that mattered: the failed attempt is a write, and so is the claim before it.
    async def upstream_down(mail_from: str, rcpts: list[str], data: bytes) -> object:
        raise ConnectionRefusedError("upstream down")

    item = await store.hold(envelope(), message(), verdict())
    await store.release(item, "rita", "checked")
    outbox, stop = CountingOutbox(store, poll_interval=SLOW_POLL), asyncio.Event()
    runner = asyncio.create_task(outbox.run(upstream_down, stop))
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.wait_for(runner, 10)
    assert outbox.passes <= 2, f"{outbox.passes} passes in a second with nothing due"
