"""The reviewers' digest of new holds, on SQLite and PostgreSQL: one notice per batch of holds
with counts, rule names and links, never what was held; nothing repeated, nothing skipped."""

from __future__ import annotations

import asyncio
from email import message_from_bytes
from pathlib import Path

import sqlalchemy as sa
from support.pg import empty

from mailguard.quarantine import QuarantineStore
from mailguard.quarantine.digest import SETTLE, send_digest
from mailguard.quarantine.schema import outbox

from .conftest import RCPTS, SECRET, SENDER, envelope, make_settings, message, verdict

REVIEWERS = "reviewers@example.org"


async def notices(store: QuarantineStore) -> list[bytes]:
    async with store.transaction(write=False) as conn:
        rows = await conn.execute(sa.select(outbox.c.data).where(outbox.c.rcpts.isnot(None)))
        return [bytes(r.data) for r in rows if b"held for review" in bytes(r.data)]


async def test_one_digest_per_batch_names_no_content(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        db_url,
        tmp_path,
        reviewer_notice_to=REVIEWERS,
        admin_public_url="https://review.example.org",
        notify_sender=False,
    )
    store = await QuarantineStore.open(settings)
    await empty(store)  # the PostgreSQL database is shared by the session's tests
    clock = [1_800_000_000.0]
    store.clock = lambda: clock[0]
    try:
        first = await store.hold(envelope(), message("Family assessment"), verdict("protected-to-flagged"))
        second = await store.hold(envelope(), message("Invite"), verdict("exposure-invite"))
        clock[0] += SETTLE + 1
        assert await send_digest(store) == 2
        assert await send_digest(store) == 0  # nothing new: nothing sent
        clock[0] += 60
        third = await store.hold(envelope(), message("Later"), verdict("protected-to-flagged"))
        clock[0] += SETTLE + 1
        assert await send_digest(store) == 1

        sent = await notices(store)
        assert len(sent) == 2
        digest = message_from_bytes(sent[0])
        assert digest["To"] == REVIEWERS
        assert digest["Subject"] == "mailguard: 2 message(s) held for review"
        text = digest.get_payload(decode=True).decode()
        assert f"https://review.example.org/review/item/{first}" in text
        assert f"https://review.example.org/review/item/{second}" in text
        assert "protected-to-flagged: 1" in text and "exposure-invite: 1" in text
        for secret in (SECRET, "BS1 4DJ", "Family assessment", SENDER, *RCPTS, "P000123"):
            assert secret not in sent[0].decode(), secret
        later = message_from_bytes(sent[1]).get_payload(decode=True).decode()
        assert third in later and first not in later
    finally:
        await store.aclose()


async def test_no_address_no_notice(store: QuarantineStore) -> None:
    await store.hold(envelope(), message(), verdict())
    assert await send_digest(store, now=store.clock() + 3600) == 0


async def test_relays_sharing_a_store_send_one_digest(db_url: str, tmp_path: Path) -> None:
    """Every relay on one database runs the digest; the holds are named once, by one of them."""
    settings = make_settings(db_url, tmp_path, reviewer_notice_to=REVIEWERS, notify_sender=False)
    first, second = await QuarantineStore.open(settings), await QuarantineStore.open(settings)
    await empty(first)
    try:
        for _ in range(3):
            await first.hold(envelope(), message("Held"), verdict("protected-to-flagged"))
        now = first.clock() + SETTLE + 1
        named = await asyncio.gather(*(send_digest(s, now + i) for i, s in enumerate((first, second) * 3)))
        assert sorted(named) == [0, 0, 0, 0, 0, 3]
        assert len(await notices(first)) == 1
    finally:
        await first.aclose()
        await second.aclose()
