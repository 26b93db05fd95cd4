"""The store API the relay and the admin API use, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from mailguard import metrics
from mailguard.quarantine import Conflict, NotFound, QuarantineStore, SameReviewer, StoreError
from mailguard.quarantine.schema import outbox
from mailguard.settings import Settings

from .conftest import RCPTS, SENDER, envelope, make_settings, message, verdict


async def outbox_rows(store: QuarantineStore) -> list[dict]:
    async with store.engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(sa.select(outbox).order_by(outbox.c.id))]


async def test_hold_survives_close_and_reopen(store: QuarantineStore, settings: Settings) -> None:
    data = message()
    item_id = await store.hold(envelope(), data, verdict())
    assert re.fullmatch(r"Q[A-Z2-7]{12}", item_id)
    await store.aclose()

    reopened = await QuarantineStore.open(settings)
    try:
        item = await reopened.get_item(item_id)
        assert item is not None and item["status"] == "held"
        assert await reopened.raw(item_id) == data  # byte for byte
        assert await reopened.raw(item_id.lower()) == data  # ids are case-insensitive
    finally:
        await reopened.aclose()


async def test_item_fields(store: QuarantineStore) -> None:
    data = message(subject="Family assessment")
    item_id = await store.hold(envelope(), data, verdict())
    items, total = await store.list_items()
    assert total == 1
    item = items[0]
    assert item["id"] == item_id
    assert item["mail_from"] == SENDER and item["rcpt"] == list(RCPTS)
    assert item["subject"] == "Family assessment"  # parsed from the header: the verdict had none
    assert item["message_id"].startswith("<m-")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["received_at"])
    assert item["status"] == "held" and item["size"] == len(data) and item["age_seconds"] >= 0
    assert item["reasons"] == [
        {
            "rule": "protected-address",
            "detector": "protected",
            "detail": "protected address 14 Acacia Avenue to a flagged recipient",
            "register_id": "P000123",
        }
    ]
    detail = await store.get_item(item_id)
    assert detail is not None
    assert detail["snippets"] == [
        {
            "rule": "protected-address",
            "where": "body",
            "before": "She now lives at ",
            "match": "14 Acacia Avenue",
            "after": ", BS1 4DJ.",
        }
    ]
    assert detail["attachments"] == [
        {"filename": "x.pdf", "content_type": "application/pdf", "size": 1234, "where": 'attachment "x.pdf"'}
    ]
    assert detail["unscanned"][0]["reason"] == "encrypted"
    assert detail["verdict"] == "hold" and detail["pending_confirmation"] is None
    assert [e["action"] for e in detail["audit"]] == ["hold"]
    assert await store.get_item("QNOSUCHITEM22") is None
    assert await store.raw("QNOSUCHITEM22") is None


async def test_verdict_subject_and_message_id_win(store: QuarantineStore) -> None:
    item_id = await store.hold(envelope(), message(), verdict(subject="From verdict", message_id="<v@x>"))
    item = await store.get_item(item_id)
    assert item is not None and (item["subject"], item["message_id"]) == ("From verdict", "<v@x>")


async def test_list_filter_and_paging(store: QuarantineStore) -> None:
    ids = []
    for n in range(7):
        rule = "exposure" if n % 2 else "protected-address"
        ids.append(await store.hold(envelope(), message(subject=f"Report {n}"), verdict(rule=rule)))
        store.clock = _later(store.clock, 1.0)  # distinct received_at: a stable order
    first, total = await store.list_items(limit=3)
    second, _ = await store.list_items(limit=3, offset=3)
    third, _ = await store.list_items(limit=3, offset=6)
    assert total == 7
    assert [i["id"] for i in first + second + third] == ids[::-1]  # newest first, no overlap
    oldest, _ = await store.list_items(limit=2, oldest_first=True)
    assert [i["id"] for i in oldest] == ids[:2]

    by_rule, n_rule = await store.list_items(rule="exposure")
    assert n_rule == 3 and {i["id"] for i in by_rule} == set(ids[1::2])
    found, n_found = await store.list_items(q="report 4")
    assert n_found == 1 and found[0]["subject"] == "Report 4"
    assert (await store.list_items(q="GMAIL.com"))[1] == 7  # recipients, any case
    assert (await store.list_items(q="100%_"))[1] == 0  # LIKE wildcards are literal

    await store.reject(ids[0], "cli:rev", notify_sender=False)
    assert (await store.list_items())[1] == 6
    assert (await store.list_items(status="rejected"))[1] == 1
    assert (await store.list_items(status=None))[1] == 7
    assert (await store.list_items(status="all"))[1] == 7
    with pytest.raises(ValueError):
        await store.list_items(status="bogus")
    assert await store.counts() == {"held": 6, "released": 0, "rejected": 1, "expired": 0}
    assert await store.oldest_held_seconds() >= 6.0


def _later(clock, seconds: float):
    return lambda: clock() + seconds


async def test_release_queues_once_and_second_release_conflicts(store: QuarantineStore) -> None:
    data = message()
    item_id = await store.hold(envelope(), data, verdict())
    before = metrics.REVIEW_DECISIONS.labels(decision="release")._value.get()
    item = await store.release(item_id, "api:carol", comment="checked with the team")
    assert item["status"] == "released" and item["decided_by"] == "api:carol" and item["mode"] == "as_is"
    assert item["delivery"]["status"] == "pending"
    assert metrics.REVIEW_DECISIONS.labels(decision="release")._value.get() == before + 1
    releases = [r for r in await outbox_rows(store) if r["kind"] == "release"]
    assert len(releases) == 1
    assert releases[0]["mail_from"] == SENDER and releases[0]["rcpts"] == list(RCPTS)
    assert bytes(releases[0]["data"]) == data

    with pytest.raises(Conflict):
        await store.release(item_id, "api:dave")
    with pytest.raises(Conflict):
        await store.reject(item_id, "api:dave")
    with pytest.raises(NotFound):
        await store.release("QAAAAAAAAAAAA", "api:dave")
    assert len([r for r in await outbox_rows(store) if r["kind"] == "release"]) == 1


async def test_release_bcc_hides_external_recipients(store: QuarantineStore) -> None:
    item_id = await store.hold(envelope(), message(), verdict())
    await store.release(item_id, "api:carol", mode="bcc")
    (row,) = [r for r in await outbox_rows(store) if r["kind"] == "release"]
    headers = bytes(row["data"]).split(b"\r\n\r\n", 1)[0]
    assert b"ex.partner@gmail.com" not in headers
    assert row["rcpts"] == list(RCPTS)  # the envelope still delivers to everyone
    with pytest.raises(ValueError):
        await store.release(item_id, "api:carol", mode="sideways")


async def test_reject_notifies_sender_without_register_data(store: QuarantineStore) -> None:
    item_id = await store.hold(envelope(), message(), verdict())
    await store.decisions_elsewhere()  # the server's first look: counting starts here
    before = metrics.REVIEW_DECISIONS.labels(decision="reject")._value.get()
    item = await store.reject(item_id, "cli:erin", comment="wrong family")
    assert item["status"] == "rejected" and item["comment"] == "wrong family"
    # the CLI's process ends before any scrape: the serving process counts it from the audit
    assert metrics.REVIEW_DECISIONS.labels(decision="reject")._value.get() == before
    assert await store.decisions_elsewhere() == {"reject": 1}
    notices = [r for r in await outbox_rows(store) if r["kind"] == "notice"]
    assert [n["rcpts"] for n in notices] == [[SENDER], [SENDER]]  # held, then rejected
    rejected = bytes(notices[1]["data"])
    assert notices[1]["mail_from"] == ""  # null sender: no loops
    assert b"Your message was not sent" in rejected and b"14 Acacia" not in rejected
    assert b"P000123" not in rejected and b"gmail" not in rejected
    # the reviewer's comment and where the problem was (a place, never the matched text)
    assert b"wrong family" in rejected and b"Where in the message:" in rejected


async def test_reject_without_notice(store: QuarantineStore) -> None:
    item_id = await store.hold(envelope(), message(), verdict())
    await store.reject(item_id, "cli:erin", notify_sender=False)
    assert len([r for r in await outbox_rows(store) if r["kind"] == "notice"]) == 1  # the held one only


async def test_two_person_release(store: QuarantineStore) -> None:
    item_id = await store.hold(envelope(), message(), verdict())
    first = await store.release(item_id, "api:carol", comment="fine", mode="bcc", two_person=True)
    assert first["status"] == "held"
    pending = first["pending_confirmation"]
    assert pending["actor"] == "api:carol" and pending["mode"] == "bcc" and pending["comment"] == "fine"
    with pytest.raises(SameReviewer):
        await store.release(item_id, "api:carol", two_person=True)
    assert not [r for r in await outbox_rows(store) if r["kind"] == "release"]

    done = await store.release(item_id, "api:dave", comment="agreed", two_person=True)
    assert done["status"] == "released" and done["decided_by"] == "api:dave" and done["mode"] == "bcc"
    assert done["pending_confirmation"] is None
    assert [e["action"] for e in done["decisions"]] == ["release_requested", "release"]
    assert len([r for r in await outbox_rows(store) if r["kind"] == "release"]) == 1


async def test_audit_records_who_when_why(store: QuarantineStore) -> None:
    a = await store.hold(envelope(), message(), verdict())
    b = await store.hold(envelope(), message(), verdict())
    await store.release(a, "api:carol", comment="ok to send")
    await store.reject(b, "cli:erin", comment="wrong recipient", notify_sender=False)
    entries, total = await store.audit()
    assert total == 4
    assert [(e["actor"], e["action"], e["item_id"], e["comment"]) for e in entries[:2]] == [
        ("cli:erin", "reject", b, "wrong recipient"),
        ("api:carol", "release", a, "mode as_is; ok to send"),
    ]
    assert all(re.fullmatch(r"\d{4}-.*Z", e["at"]) for e in entries)
    mine, n = await store.audit(item_id=a)
    assert n == 2 and {e["action"] for e in mine} == {"hold", "release"}
    page, _ = await store.audit(limit=1, offset=1)
    assert page == entries[1:2]


async def test_stage_queues_every_copy(store: QuarantineStore) -> None:
    ref = await store.stage(
        envelope(), [(["a@x.test"], b"one"), (["b@y.test", "c@y.test"], b"two")], verdict()
    )
    assert ref.startswith("S")
    rows = [r for r in await outbox_rows(store) if r["kind"] == "stage"]
    assert [(r["ref"], r["rcpts"], bytes(r["data"])) for r in rows] == [
        (ref, ["a@x.test"], b"one"),
        (ref, ["b@y.test", "c@y.test"], b"two"),
    ]


async def test_ping(store: QuarantineStore) -> None:
    assert await store.ping()


async def test_unreachable_postgres_is_a_store_error(tmp_path: Path) -> None:
    settings = make_settings("postgresql://postgres@127.0.0.1:1/none", tmp_path)
    with pytest.raises(StoreError, match="unreachable"):
        await QuarantineStore.open(settings)


async def test_unwritable_sqlite_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError):
        await QuarantineStore.open(make_settings(f"sqlite:///{blocker}/sub/q.db", tmp_path))
    with pytest.raises(StoreError, match="unsupported"):
        await QuarantineStore.open(make_settings("mysql://x/y", tmp_path))


async def test_hold_after_the_database_went_away_is_a_store_error(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    store = await QuarantineStore.open(make_settings(f"sqlite:///{db}", tmp_path))
    try:
        async with store.engine.begin() as conn:
            await conn.execute(sa.text("DROP TABLE quarantine_items"))
        with pytest.raises(StoreError):
            await store.hold(envelope(), message(), verdict())
        assert await store.ping()  # the connection is fine; the write failed cleanly
    finally:
        await store.aclose()


async def test_default_url_lives_in_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = await QuarantineStore.open(settings)
    try:
        assert (tmp_path / "data" / "mailguard.db").exists()
        async with store.engine.connect() as conn:
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
            sync = (await conn.exec_driver_sql("PRAGMA synchronous")).scalar()
        assert (mode, sync) == ("wal", 2)  # 2 = FULL
    finally:
        await store.aclose()


async def test_notify_queues_a_rewritten_notice(store: QuarantineStore, settings: Settings) -> None:
    from mailguard.actions.notice import NoticeKind

    assert await store.notify(NoticeKind.REWRITTEN, envelope(), message(subject="Party"), verdict())
    (row,) = await outbox_rows(store)
    assert row["kind"] == "notice" and row["mail_from"] == "" and row["rcpts"] == [SENDER]
    assert b"recipients' addresses hidden" in bytes(row["data"]) and b"Party" in bytes(row["data"])
    assert not await store.notify(NoticeKind.REWRITTEN, envelope(mail_from=""), message(), verdict())
    quiet = QuarantineStore(settings.model_copy(update={"notify_sender": False}), store.engine)
    assert not await quiet.notify(NoticeKind.REWRITTEN, envelope(), message(), verdict())


async def test_processes_starting_together_migrate_once(pg_database: str, tmp_path: Path) -> None:
    """Several relays opening one fresh PostgreSQL database at once: one migrates, all work."""
    from sqlalchemy.engine import make_url

    from .conftest import _admin

    name = f"{make_url(pg_database).database}_fresh"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(pg_database).set(database=name).render_as_string(hide_password=False)
        settings = make_settings(url, tmp_path)
        stores = await asyncio.gather(*(QuarantineStore.open(settings) for _ in range(4)))
        try:
            ids = await asyncio.gather(*(s.hold(envelope(), message(), verdict()) for s in stores))
            assert (await stores[0].list_items())[1] == len(set(ids)) == 4
        finally:
            for s in stores:
                await s.aclose()
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_hostile_text_is_stored(store: QuarantineStore) -> None:
    """NUL, raw 8-bit header bytes and lone surrogates from extraction must not fail a hold
    (PostgreSQL refuses NUL and lone surrogates; a failed hold would 4xx the mail forever)."""
    data = b"Subject: caf\xe9 \x00bad\x1b[2J\r\nMessage-ID: <a\x00b@x>\r\n\r\nbody\r\n"
    bad = verdict()
    bad.reasons[0] = dataclasses.replace(
        bad.reasons[0], detail="nul \x00 and surrogate \udc80", snippet=None
    )
    item_id = await store.hold(envelope(), data, bad)
    item = await store.get_item(item_id)
    assert item is not None and await store.raw(item_id) == data
    assert "\x00" not in item["subject"] and "\x1b" not in item["subject"] and "bad" in item["subject"]
    assert item["reasons"][0]["detail"] == "nul \ufffd and surrogate \ufffd"
