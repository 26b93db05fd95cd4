"""The outbox delivers released mail, staged copies and notices to a real upstream, once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
import sqlalchemy as sa

from mailguard.quarantine import QuarantineStore
from mailguard.quarantine.outbox import Outbox, PermanentDeliveryError, upstream_deliver
from mailguard.quarantine.schema import outbox
from mailguard.settings import Settings
from mailguard.upstream.connections import UpstreamPool

from .conftest import RCPTS, SENDER, Upstream, envelope, message, verdict


def releases(up: Upstream) -> list:
    return [d for d in up.delivered if d.mail_from == SENDER]


def notices(up: Upstream) -> list:
    return [d for d in up.delivered if d.mail_from == ""]


async def statuses(store: QuarantineStore) -> dict[str, str]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(sa.select(outbox.c.kind, outbox.c.status, outbox.c.ref))
        return {f"{r.kind}:{r.ref}:{i}": r.status for i, r in enumerate(rows)}


async def test_release_is_delivered_exactly_once(store: QuarantineStore, upstream: Upstream) -> None:
    data = message()
    item_id = await store.hold(envelope(), data, verdict())
    await store.release(item_id, "api:carol")
    box = Outbox(store)
    assert await box.run_once(upstream.deliver) == 2  # the held notice and the release
    assert await box.run_once(upstream.deliver) == 0
    (delivered,) = releases(upstream)
    assert delivered.rcpts == list(RCPTS) and delivered.data.replace(b"\r\n", b"\n") == data.replace(
        b"\r\n", b"\n"
    )
    (held_notice,) = notices(upstream)
    assert held_notice.rcpts == [SENDER] and b"held for review" in held_notice.data
    item = await store.get_item(item_id)
    assert item is not None and item["delivery"]["status"] == "sent"
    assert [e["action"] for e in item["audit"]] == ["hold", "release", "delivered"]
    assert await box.pending() == 0


async def test_release_while_upstream_down_is_delivered_when_it_returns(
    store: QuarantineStore, upstream: Upstream
) -> None:
    item_id = await store.hold(envelope(), message(), verdict())
    await upstream.stop()
    await store.release(item_id, "api:carol")
    box = Outbox(store, base_delay=2.0)  # long enough that a busy machine still sees the back-off
    assert await box.run_once(upstream.deliver) == 2  # both attempts failed: try again later
    assert await box.run_once(upstream.deliver) == 0  # backing off
    item = await store.get_item(item_id)
    assert item is not None and item["delivery"]["status"] == "pending"
    assert item["delivery"]["attempts"] == 1 and item["delivery"]["last_error"]

    await upstream.start()  # same port
    await asyncio.sleep(2.1)
    assert await box.run_once(upstream.deliver) == 2
    await asyncio.sleep(0.5)
    assert await box.run_once(upstream.deliver) == 0
    assert len(releases(upstream)) == 1 and len(notices(upstream)) == 1


async def test_run_loop_delivers_and_stops(store: QuarantineStore, upstream: Upstream) -> None:
    stop = asyncio.Event()
    box = Outbox(store, poll_interval=0.05)
    worker = asyncio.create_task(box.run(upstream.deliver, stop))
    item_id = await store.hold(envelope(), message(), verdict())
    await store.release(item_id, "api:carol")
    for _ in range(100):
        if releases(upstream):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(worker, 5)
    assert len(releases(upstream)) == 1


async def test_permanent_refusal_bounces_to_sender(store: QuarantineStore, upstream: Upstream) -> None:
    item_id = await store.hold(
        envelope(rcpts=["perm.gone@example.net", "ok@example.net", "temp.busy@example.net"]),
        message(),
        verdict(),
    )
    await store.release(item_id, "api:carol")
    box = Outbox(store, base_delay=0.1)
    await box.run_once(upstream.deliver)
    (delivered,) = releases(upstream)
    assert delivered.rcpts == ["ok@example.net"]
    item = await store.get_item(item_id)
    assert item is not None
    failed = [e for e in item["audit"] if e["action"] == "delivery_failed"]
    assert len(failed) == 1 and "1 recipients refused (550)" in failed[0]["comment"]
    assert item["delivery"]["status"] == "pending"  # the 451 recipient is retried alone
    await box.run_once(upstream.deliver)  # the bounce notice goes out
    bounce = [n for n in notices(upstream) if b"could not be delivered" in n.data]
    assert len(bounce) == 1 and bounce[0].rcpts == [SENDER]
    assert b"perm.gone" not in bounce[0].data and b"14 Acacia" not in bounce[0].data


async def test_permanent_error_from_deliver(store: QuarantineStore) -> None:
    calls: list[list[str]] = []

    async def refuse(mail_from: str, rcpts, data: bytes) -> object:
        calls.append(list(rcpts))
        if mail_from:
            raise PermanentDeliveryError("550 no", code=550)
        return None

    item_id = await store.hold(envelope(), message(), verdict())
    await store.release(item_id, "api:carol")
    box = Outbox(store)
    await box.run_once(refuse)
    await box.run_once(refuse)
    item = await store.get_item(item_id)
    assert item is not None and item["delivery"]["status"] == "failed"
    assert [e["action"] for e in item["audit"]][-1] == "delivery_failed"
    assert len([c for c in calls if c == list(RCPTS)]) == 1  # never retried
    assert [c for c in calls if c == [SENDER]] == [[SENDER], [SENDER]]  # held notice + bounce


async def test_gives_up_after_max_age(store: QuarantineStore) -> None:
    async def down(mail_from: str, rcpts, data: bytes) -> object:
        raise ConnectionRefusedError("down")

    item_id = await store.hold(envelope(), message(), verdict())
    await store.release(item_id, "api:carol")
    box = Outbox(store, base_delay=0.0, max_age=0.0)
    await box.run_once(down)
    item = await store.get_item(item_id)
    assert item is not None and item["delivery"]["status"] == "failed"


async def test_stale_claim_is_taken_over(store: QuarantineStore, upstream: Upstream) -> None:
    """A worker that died mid-delivery: its lease runs out and another worker delivers."""
    await store.stage(envelope(), [(["x@example.net"], message())], verdict())
    dead = Outbox(store, lease=0.1)
    claimed = await dead._claim(10)
    assert len(claimed) == 1
    alive = Outbox(store)
    assert await alive.run_once(upstream.deliver) == 0  # still leased
    await asyncio.sleep(0.15)
    assert await alive.run_once(upstream.deliver) == 1
    assert len(releases(upstream)) == 1
    await dead._finish(claimed[0], dead_outcome())  # the dead worker's late write is ignored
    assert set((await statuses(store)).values()) == {"sent"}


def dead_outcome():
    from mailguard.quarantine.outbox import Outcome

    return Outcome(retry=("x@example.net",), error="late")


async def test_staged_copies_are_delivered(store: QuarantineStore, upstream: Upstream) -> None:
    copies = [([f"guest{n}@example.net"], message(subject=f"copy {n}")) for n in range(5)]
    await store.stage(envelope(), copies, verdict())
    await Outbox(store).run_once(upstream.deliver)
    assert sorted(d.rcpts[0] for d in upstream.delivered) == [f"guest{n}@example.net" for n in range(5)]


async def test_relay_deliver_reaches_upstream(
    store: QuarantineStore, upstream: Upstream, settings: Settings
) -> None:
    """The production Deliver (mailguard.upstream) against the recording upstream."""
    relay_settings = settings.model_copy(update={"upstream_port": upstream.port, "upstream_pool_size": 0})
    item_id = await store.hold(envelope(rcpts=["ok@example.net", "perm.x@example.net"]), message(), verdict())
    await store.release(item_id, "api:carol")
    await Outbox(store).run_once(upstream_deliver(UpstreamPool(relay_settings)))
    assert [d.rcpts for d in releases(upstream)] == [["ok@example.net"]]
    item = await store.get_item(item_id)
    assert item is not None and item["delivery"]["status"] == "failed"  # the 550 recipient
    assert any(e["action"] == "delivery_failed" for e in item["audit"])


@pytest.mark.parametrize("workers", [3])
async def test_concurrent_workers_deliver_each_exactly_once(
    store: QuarantineStore, upstream: Upstream, settings: Settings, workers: int
) -> None:
    """Several outbox workers (separate engines, as separate relay processes) on one store."""
    n = 40
    await store.stage(
        envelope(), [([f"r{i}@example.net"], message(subject=str(i))) for i in range(n)], verdict()
    )
    others = [await QuarantineStore.open(settings) for _ in range(workers)]

    async def slow(mail_from: str, rcpts, data: bytes) -> object:
        await asyncio.sleep(0.005)  # let the workers interleave
        return await upstream.deliver(mail_from, rcpts, data)

    try:
        boxes = [Outbox(s, concurrency=2) for s in others]
        counts = await asyncio.gather(*(b.run_once(slow) for b in boxes))
    finally:
        for s in others:
            await s.aclose()
    assert sum(counts) == n
    per_rcpt = Counter(d.rcpts[0] for d in upstream.delivered)
    assert len(per_rcpt) == n and set(per_rcpt.values()) == {1}
    if store.engine.dialect.name == "postgresql":
        assert all(c > 0 for c in counts)  # SKIP LOCKED: the work was really shared
