"""Expiry (with a notice, never a silent deletion), purge after retention, audit retention."""

from __future__ import annotations

import sqlalchemy as sa

from mailguard.quarantine import QuarantineStore
from mailguard.quarantine.lifecycle import DAY, expire, housekeeping, purge
from mailguard.quarantine.schema import outbox
from mailguard.settings import Settings

from .conftest import SENDER, envelope, message, verdict


async def notices_to_sender(store: QuarantineStore) -> list[bytes]:
    async with store.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.data).where(outbox.c.kind == "notice").order_by(outbox.c.id)
        )
        return [bytes(r.data) for r in rows]


async def test_expiry_marks_expired_and_tells_the_sender(store: QuarantineStore, settings: Settings) -> None:
    old = await store.hold(envelope(), message(), verdict())
    start = store.clock()
    store.clock = lambda: start + 10 * DAY
    young = await store.hold(envelope(), message(), verdict())
    assert await expire(store, now=start + settings.quarantine_expiry_days * DAY - 1) == 0
    assert await expire(store, now=start + settings.quarantine_expiry_days * DAY + 1) == 1

    item = await store.get_item(old)
    assert item is not None and item["status"] == "expired" and item["decided_by"] == "system:expiry"
    assert [e["action"] for e in item["audit"]] == ["hold", "expire"]
    assert (await store.get_item(young) or {})["status"] == "held"
    expired_notice = (await notices_to_sender(store))[-1]
    assert b"nobody reviewed it" in expired_notice and b"To: " + SENDER.encode() in expired_notice
    assert b"14 Acacia" not in expired_notice


async def test_purge_after_retention_keeps_audit(store: QuarantineStore, settings: Settings) -> None:
    released = await store.hold(envelope(), message(), verdict())
    rejected = await store.hold(envelope(), message(), verdict())
    held = await store.hold(envelope(), message(), verdict())
    await store.release(released, "api:carol")
    await store.reject(rejected, "api:carol")
    now = store.clock()
    retention = settings.quarantine_retention_days * DAY

    # The released item's delivery is still pending: it is kept until the outbox is done.
    async with store.engine.begin() as conn:
        await conn.execute(
            outbox.update().where(outbox.c.kind == "notice").values(status="sent", done_at=now)
        )
    purged, _, outbox_purged = await purge(store, now=now + retention + 1)
    assert (purged, outbox_purged) == (1, 4)  # the rejected item; the four sent notices
    assert await store.get_item(rejected) is None and await store.raw(rejected) is None
    assert await store.get_item(released) is not None and await store.get_item(held) is not None

    async with store.engine.begin() as conn:
        await conn.execute(outbox.update().values(status="sent", done_at=now))
    purged, _, outbox_purged = await purge(store, now=now + retention + 1)
    assert (purged, outbox_purged) == (1, 1)  # the released item and its delivered row
    assert await store.get_item(released) is None and await store.get_item(held) is not None
    entries, _ = await store.audit(item_id=rejected)
    assert [e["action"] for e in entries] == ["reject", "hold"]  # the audit outlives the item


async def test_audit_retention(store: QuarantineStore, settings: Settings) -> None:
    await store.hold(envelope(), message(), verdict())
    now = store.clock()
    result = await housekeeping(store, now=now + settings.audit_retention_days * DAY + 1)
    assert result.audit_purged >= 1
    entries, _ = await store.audit()
    assert {e["action"] for e in entries} <= {"expire", "purge"}  # only what housekeeping just wrote
