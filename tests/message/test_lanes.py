"""The extraction pool's fast lane (message/lanes.py): who gets a free worker, checked by the
order of grants, never by timing."""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import strategies as st

from mailguard.message.extract.bounds import ExtractLimits
from mailguard.message.lanes import Lanes
from mailguard.message.pool import SMALL_MAX, ExtractionPool

from .builders import message


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_small_mail_is_served_before_waiting_large_mail() -> None:
    lanes: Lanes[str] = Lanes(2)
    for worker in ("w1", "w2"):
        lanes.add(worker)
    granted: list[str] = []

    async def job(name: str, small: bool) -> str:
        worker = await lanes.acquire(small)
        granted.append(name)
        return worker

    big = [asyncio.create_task(job(f"large{i}", False)) for i in range(3)]
    await _settle()
    assert granted == ["large0"]  # large mail never takes the last worker
    small = asyncio.create_task(job("small", True))
    await _settle()
    assert granted == ["large0", "small"]  # straight past the two large ones waiting
    lanes.release(await small, True)
    lanes.release(await big[0], False)
    await _settle()
    assert granted == ["large0", "small", "large1"]  # then first come, first served
    assert lanes.large_busy == 1 and lanes.waiting == 1


async def test_a_single_worker_is_shared_small_first() -> None:
    lanes: Lanes[str] = Lanes(1)
    lanes.add("w")
    first = await lanes.acquire(False)  # with one worker, large mail may take it
    order: list[str] = []
    waiting = [
        asyncio.create_task(_take(lanes, name, small, order)) for name, small in (("large", False), ("small", True))
    ]
    await _settle()
    lanes.release(first, False)
    await asyncio.gather(*waiting)
    assert order == ["small", "large"]


async def _take(lanes: Lanes[str], name: str, small: bool, order: list[str]) -> None:
    worker = await lanes.acquire(small)
    order.append(name)
    await asyncio.sleep(0)
    lanes.release(worker, small)


async def test_a_cancelled_waiter_loses_no_worker() -> None:
    lanes: Lanes[str] = Lanes(2)
    lanes.add("w1")
    held = await lanes.acquire(True)
    waiter = asyncio.create_task(lanes.acquire(True))
    await _settle()
    lanes.release(held, True)  # granted to the waiter ...
    waiter.cancel()  # ... which is cancelled before it runs
    await asyncio.gather(waiter, return_exceptions=True)
    assert await lanes.acquire(True) == "w1"


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 3)), min_size=1, max_size=40), st.integers(1, 4))
def test_large_mail_never_holds_every_worker(jobs: list[tuple[bool, int]], size: int) -> None:
    """Any arrival order and hold times: large mail never holds more than size - 1 workers (one
    with a single worker), every job is served, and no worker is lost."""

    async def run() -> None:
        lanes: Lanes[int] = Lanes(size)
        for worker in range(size):
            lanes.add(worker)
        peak = 0

        async def job(small: bool, hold: int) -> None:
            nonlocal peak
            worker = await lanes.acquire(small)
            peak = max(peak, lanes.large_busy)
            for _ in range(hold):
                await asyncio.sleep(0)
            lanes.release(worker, small)

        await asyncio.gather(*(job(small, hold) for small, hold in jobs))
        assert peak <= max(1, size - 1)
        assert sorted(await asyncio.gather(*(lanes.acquire(True) for _ in range(size)))) == list(range(size))

    asyncio.run(run())


async def test_pool_serves_small_mail_while_large_mail_waits() -> None:
    """Real workers: two large messages and then a short HTML letter on a pool of two. The
    second large message waits for the first; the letter does not wait for either."""
    large = message("x", attachments=[("a.csv", b"12 Acacia Avenue,x\n" * 150_000, "text/csv")])
    assert len(large) > SMALL_MAX
    letter = message("hello", html="<p>14 Acacia Avenue</p>")
    async with ExtractionPool(ExtractLimits(timeout=60), 2) as pool:
        big = [asyncio.create_task(pool.extract(large)) for _ in range(2)]
        await _settle()
        content = await pool.extract(letter)
        assert any("14 Acacia Avenue" in s.text for s in content.segments)
        assert not all(task.done() for task in big)  # the second large one was still waiting
        assert all(not c.unscanned for c in await asyncio.gather(*big))
