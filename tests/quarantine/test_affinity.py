"""The affinity store on real SQLite and PostgreSQL: learning, lookups, retention, the
learner's queue, learning from a released item, and that nothing is stored in clear."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mailguard.organisation.organisation import Organisation
from mailguard.policy.verdict import Action, Verdict
from mailguard.quarantine import QuarantineStore
from mailguard.quarantine.affinity import AffinityService, Delivery, open_affinity
from mailguard.quarantine.affinity.keyring import AffinityKeyring
from mailguard.quarantine.outbox import Outbox
from mailguard.quarantine.schema import affinity_cases, affinity_recipients

from .conftest import Upstream, envelope, make_settings, message

DAY = 86400.0
T0 = 1_790_000_000.0
CLASSIFIER = Organisation.of(["example.org"])


def _service(store: QuarantineStore) -> AffinityService:
    return open_affinity(store, lambda: CLASSIFIER)


async def _learn(service: AffinityService, key: str, rcpts: dict[str, str | None], *days: float) -> None:
    await service.store.record([Delivery((key,), rcpts, T0 + d * DAY) for d in days])


async def test_a_case_learns_its_recipients_and_organisations(store: QuarantineStore) -> None:
    service = _service(store)
    key = service.keyring.case("reference:CM-2555-QC")
    await _learn(service, key, {"mum@gmail.com": None}, 0, 1)
    await _learn(service, key, {"pc.smith@police.uk": "police.uk", "mum@gmail.com": None}, 3)

    found = await service.store.examine(
        [key, "0" * 32],
        {"mum@gmail.com": None, "dc.jones@police.uk": "police.uk", "stranger@gmail.com": None},
    )
    assert set(found) == {key}  # an unknown case has no history
    history = found[key]
    assert (history.messages, history.days()) == (3, 3.0)
    assert history.known == {"mum@gmail.com"}
    assert history.known_organisations == {"police.uk"}  # a colleague at a known organisation
    assert history.others == ["mum@gmail.com", "pc.smith@police.uk"] and history.other_count == 2  # for reviewers


async def test_one_message_counts_once_per_case_whatever_its_recipients(store: QuarantineStore) -> None:
    service = _service(store)
    key = service.keyring.case("register:P1")
    rcpts = {f"p{i}@gmail.com": None for i in range(5)}
    await service.store.record([Delivery((key, key), rcpts, T0)])
    history = (await service.store.examine([key], {"p0@gmail.com": None, "new@gmail.com": None}))[key]
    assert history.messages == 1 and history.other_count == 5  # sampled: one recipient is new


async def test_retention_forgets_what_was_not_seen_for_long(store: QuarantineStore) -> None:
    service = _service(store)
    old, fresh = service.keyring.case("reference:OLD"), service.keyring.case("reference:NEW")
    await _learn(service, old, {"a@gmail.com": None}, 0)
    await _learn(service, fresh, {"a@gmail.com": None}, 100)
    assert await service.store.purge(T0 + 50 * DAY) == 2
    assert await service.store.count_cases() == 1
    assert set(await service.store.examine([old, fresh], {})) == {fresh}


async def test_the_queue_is_written_by_the_background_task(store: QuarantineStore) -> None:
    service = _service(store)
    key = service.keyring.case("reference:CM-1")
    service.delivered([key], ["Mum@Gmail.com", "colleague@example.org"])  # internal: not learnt
    service.delivered([], ["someone@gmail.com"])  # about no case: nothing to learn
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(stop))
    for _ in range(100):
        if await service.store.count_cases():
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task
    history = (await service.store.examine([key], {"mum@gmail.com": None, "colleague@example.org": None}))[key]
    assert history.known == {"mum@gmail.com"} and history.other_count == 1


async def test_a_lookup_from_the_scan_thread_runs_on_the_stores_loop(store: QuarantineStore) -> None:
    service = _service(store)
    key = service.keyring.case("reference:CM-2")
    await _learn(service, key, {"a@gmail.com": None}, 0)
    found = await asyncio.to_thread(service.examine, [key], {"a@gmail.com": None})
    assert found is not None and found[key].known == {"a@gmail.com"}
    if store.engine.dialect.name == "postgresql":  # on the loop itself the bridge would deadlock
        assert service.examine([key], {}) is None


async def test_a_released_item_teaches_its_recipients(store: QuarantineStore, upstream: Upstream) -> None:
    service = _service(store)
    key = service.keyring.case("reference:CM-3")
    held = Verdict(Action.HOLD, case_keys=(key,))
    item = await store.hold(envelope(rcpts=["newperson@gmail.com", "tempfail@gmail.com"]), message(), held)
    await store.release(item, "reviewer", "known to the family")
    outbox = Outbox(store, base_delay=60)
    outbox.learner = service
    await outbox.run_once(upstream.deliver)
    await service.flush()
    history = (await service.store.examine([key], {"newperson@gmail.com": None, "tempfail@gmail.com": None}))[key]
    assert history.known == {"newperson@gmail.com"}  # the one still being retried is not learnt yet


async def test_a_flush_returns_once_what_was_queued_before_it_is_written(
    store: QuarantineStore, upstream: Upstream
) -> None:
    """The background flush may hold the queue (reading a released item's case keys) when a
    caller flushes: the caller's flush waits for it instead of finding the queue empty."""
    service = _service(store)
    key = service.keyring.case("reference:CM-4")
    item = await store.hold(envelope(rcpts=["foster@gmail.com"]), message(), Verdict(Action.HOLD, case_keys=(key,)))
    await store.release(item, "reviewer", "new foster carer")
    outbox = Outbox(store, base_delay=60)
    outbox.learner = service
    await outbox.run_once(upstream.deliver)  # queues the release for learning
    background = asyncio.create_task(service.flush())
    await asyncio.sleep(0)  # it has taken the queue and awaits the store
    await service.flush()
    history = (await service.store.examine([key], {"foster@gmail.com": None})).get(key)
    assert history is not None and history.known == {"foster@gmail.com"}
    await background


async def test_nothing_is_stored_in_clear(store: QuarantineStore, tmp_path: Path) -> None:
    service = _service(store)
    secrets_in_clear = ["CM-2555-QC", "P000123", "mum.smith@gmail.com", "police.uk"]
    await service.store.record(
        [
            Delivery(
                (service.keyring.case("reference:CM-2555-QC"), service.keyring.case("register:P000123")),
                {"mum.smith@gmail.com": None, "pc@police.uk": "police.uk"},
                T0,
            )
        ]
    )
    async with store.engine.connect() as conn:
        rows = [
            str(tuple(r))
            for table in (affinity_cases, affinity_recipients)
            for r in await conn.execute(sa.select(table))
        ]
    dump = "\n".join(rows).lower()
    assert len(rows) == 6
    for text in secrets_in_clear:
        assert text.lower() not in dump
    if store.engine.dialect.name == "sqlite":
        raw = b"".join(p.read_bytes() for p in Path(store.engine.url.database).parent.glob("*.db*"))
        for text in secrets_in_clear:
            assert text.encode() not in raw


def test_sealed_recipients_open_only_with_their_secret() -> None:
    one, other = AffinityKeyring(b"a" * 32), AffinityKeyring(b"b" * 32)
    token = one.seal("x@gmail.com")
    assert one.unseal(token) == "x@gmail.com" and other.unseal(token) is None
    assert one.case("reference:A") != other.case("reference:A")


@hsettings(
    max_examples=25, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(deliveries=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), st.floats(0, 30)), min_size=1, max_size=30))
def test_counts_equal_the_deliveries_however_they_are_batched(
    deliveries: list[tuple[int, int, float]], tmp_path: Path
) -> None:
    """Batching and the upsert agree with counting by hand (SQLite; the upsert is per dialect)."""

    async def run() -> None:
        path = tmp_path / f"h{secrets.token_hex(4)}.db"
        store = await QuarantineStore.open(make_settings(f"sqlite:///{path}", tmp_path))
        try:
            service = _service(store)
            items = [Delivery((f"{c:032x}",), {f"r{r}@gmail.com": None}, T0 + d * DAY) for c, r, d in deliveries]
            half = len(items) // 2
            await service.store.record(items[:half])
            await service.store.record(items[half:])
            for case in {c for c, _, _ in deliveries}:
                mine = [(r, d) for c, r, d in deliveries if c == case]
                history = (await service.store.examine([f"{case:032x}"], {}))[f"{case:032x}"]
                assert history.messages == len(mine)
                assert history.first_seen == T0 + min(d for _, d in mine) * DAY
                assert history.last_seen == T0 + max(d for _, d in mine) * DAY
        finally:
            await store.aclose()
            path.unlink(missing_ok=True)

    asyncio.run(run())


async def test_the_scan_threads_reader_opens_any_sqlite_path(tmp_path: Path) -> None:
    odd = tmp_path / "we?ird #folder %20"
    store = await QuarantineStore.open(make_settings(f"sqlite:///{odd / 'q.db'}", tmp_path))
    try:
        service = _service(store)
        key = service.keyring.case("reference:CM-9")
        await _learn(service, key, {"a@gmail.com": None}, 0)
        found = await asyncio.to_thread(service.store.examine_here, [key], {"a@gmail.com": None})
        assert found is not None and found[key].known == {"a@gmail.com"}
        await service.aclose()
    finally:
        await store.aclose()


async def test_cases_named_together_share_what_they_have_had(store: QuarantineStore) -> None:
    """A reference and a register row named in one delivered message are one case: a recipient
    the row has had is known to mail naming only the reference."""
    service = _service(store)
    ref, row, other = (service.keyring.case(v) for v in ("reference:CM1", "register:P1", "reference:CM2"))
    await _learn(service, row, {"police@force.example": "force.example"}, 0)
    await service.store.record([Delivery((ref, row), {"mum@gmail.com": None}, T0 + DAY)])
    await _learn(service, other, {"stranger@gmail.com": None}, 2)

    found = await service.store.examine([ref], {"police@force.example": "force.example"})
    assert set(found) == {ref, row} and found[row].known == {"police@force.example"}
    assert found[ref].known == set()  # the reference's own set: the rule takes the union
    alone = await service.store.examine([other], {"police@force.example": "force.example"})
    assert set(alone) == {other}  # an unrelated case links nothing
