"""End of DATA: what each verdict does, the seams (Decider, Disposer), and the metrics.

The deciders here are hand-made: they give each verdict (tempfail, reject, split on a plain
message, observe-only) deterministically, which is the relay's mechanics under test. The
Disposer is the real quarantine store on SQLite; the real Scanner with real rules is in
tests/e2e."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY
from support.relay import RelayHarness

from mailguard.actions.marks import scrub
from mailguard.actions.rewrite import rewrite_to_bcc
from mailguard.envelope import Envelope
from mailguard.pipeline import Decider
from mailguard.policy.verdict import Action, Reason, Verdict
from mailguard.quarantine import QuarantineStore
from mailguard.quarantine.schema import outbox
from mailguard.settings import Settings

MSG = b"From: a@example.com\r\nTo: b@example.org, c@example.net\r\nSubject: s\r\n\r\nbody\r\n"


@contextmanager
def relay_with_store(tmp_path: Path, decider: Decider) -> Iterator[tuple[RelayHarness, QuarantineStore]]:
    """The relay with the real quarantine store (SQLite in tmp_path) as its Disposer."""
    with RelayHarness(decider=decider) as relay:
        settings = Settings(data_dir=tmp_path, hostname="mailguard.test", notify_sender=False)
        store = relay.run(QuarantineStore.open(settings))
        relay.runtime.disposer = store
        try:
            yield relay, store
        finally:
            relay.run(store.aclose())


async def break_store(store: QuarantineStore) -> None:
    """The store's schema gone under it: every write fails (StoreError), as a broken disk would."""
    async with store.engine.begin() as conn:
        for table in ("quarantine_item_rules", "quarantine_items", "outbox"):
            await conn.execute(sa.text(f"DROP TABLE {table}"))


async def staged(store: QuarantineStore, ref: str) -> list[tuple[list[str], bytes]]:
    async with store.transaction(write=False) as conn:
        rows = await conn.execute(sa.select(outbox.c.rcpts, outbox.c.data).where(outbox.c.ref == ref))
        return [(list(r.rcpts), bytes(r.data)) for r in rows]


def decide(action: Action, *, split: bool = False, rules: tuple[str, ...] = ("test-rule",)):  # type: ignore[no-untyped-def]
    seen: list[tuple[Envelope, bytes]] = []

    async def decider(envelope: Envelope, data: bytes) -> Verdict:
        seen.append((envelope, data))
        reasons = [Reason(rule=r, detector="test", detail="because", action=action) for r in rules]
        return Verdict(action, reasons=reasons, split=split)

    decider.seen = seen  # type: ignore[attr-defined]
    return decider


def send(relay: RelayHarness, msg: bytes = MSG) -> tuple[int, bytes]:
    with smtplib.SMTP(relay.host, relay.port) as client:
        client.ehlo("exchange.test")
        client.mail("a@example.com")
        client.rcpt("b@example.org")
        client.rcpt("c@example.net")
        return client.data(msg)


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_decider_sees_envelope_and_normalised_data() -> None:
    decider = decide(Action.PASS, rules=())
    with RelayHarness(decider=decider) as relay:
        with smtplib.SMTP(relay.host, relay.port) as client:
            client.sendmail("a@example.com", ["b@example.org"], b"Subject: x\n\nbare lf\n")
        [(envelope, data)] = decider.seen
    assert envelope.mail_from == "a@example.com" and envelope.rcpt_tos == ("b@example.org",)
    assert envelope.client_ip == "127.0.0.1" and envelope.helo
    assert data == b"Subject: x\r\n\r\nbare lf\r\n"
    assert relay.upstream.messages[0].data.endswith(b"\r\n" + data)  # scanned is what is sent


def test_hold_answers_250_with_id_and_sends_nothing(tmp_path: Path) -> None:
    before = metric("mailguard_messages_total", verdict="hold")
    hits = metric("mailguard_rule_hits_total", rule="hold-rule")
    decider = decide(Action.HOLD, rules=("hold-rule", "hold-rule"))  # one rule, two reasons
    with relay_with_store(tmp_path, decider) as (relay, store):
        code, text = send(relay)
        held = re.fullmatch(rb"2\.0\.0 Ok: held for review as (Q[A-Z0-9]+)", text)
        assert code == 250 and held, text
        item_id = held.group(1).decode()
        assert relay.run(store.raw(item_id)) == MSG
        item = relay.run(store.get_item(item_id))
    assert item["rcpt"] == ["b@example.org", "c@example.net"] and item["status"] == "held"
    assert relay.upstream.messages == [] and relay.upstream.rsets == 1
    assert metric("mailguard_messages_total", verdict="hold") == before + 1
    assert metric("mailguard_rule_hits_total", rule="hold-rule") == hits + 1  # once per message


def test_hold_without_a_store_is_4xx() -> None:
    with RelayHarness(decider=decide(Action.HOLD), disposer=None) as relay:
        assert send(relay) == (451, b"4.3.0 Temporary local problem, try again later")
    assert relay.upstream.messages == []


@pytest.mark.parametrize("split", [False, True], ids=["hold", "split"])
def test_a_failing_store_is_4xx(tmp_path: Path, split: bool) -> None:
    with relay_with_store(tmp_path, decide(Action.HOLD, split=split)) as (relay, store):
        relay.run(break_store(store))
        assert send(relay) == (451, b"4.3.0 Temporary local problem, try again later")
    assert relay.upstream.messages == []


def test_reject_is_550_and_upstream_reset() -> None:
    with RelayHarness(decider=decide(Action.REJECT)) as relay:
        assert send(relay) == (550, b"5.7.1 Message refused by policy")
    assert relay.upstream.messages == [] and relay.upstream.rsets == 1


def test_tempfail_is_451() -> None:
    before = metric("mailguard_messages_total", verdict="tempfail")
    with RelayHarness(decider=decide(Action.TEMPFAIL)) as relay:
        assert send(relay)[0] == 451
    assert relay.upstream.messages == []
    assert metric("mailguard_messages_total", verdict="tempfail") == before + 1


def test_observe_only_passes_everything_but_counts_and_marks() -> None:
    before = metric("mailguard_messages_total", verdict="reject")
    with RelayHarness(decider=decide(Action.REJECT, rules=("r1",)), observe_only=True) as relay:
        assert send(relay)[0] == 250
    [got] = relay.upstream.messages
    assert b"X-Mailguard-Verdict" not in got.data  # outsiders never learn what was found
    assert re.search(rb"^X-Mailguard-Id: [0-9a-f]{16}\r$", got.data, re.M)
    assert got.data.endswith(MSG)
    assert metric("mailguard_messages_total", verdict="reject") == before + 1


def test_verdict_header_only_on_copies_for_internal_recipients() -> None:
    decider = decide(Action.REJECT, rules=("r1",))
    with RelayHarness(decider=decider, observe_only=True, internal_domains=["example.org", "example.net"]) as relay:
        assert send(relay)[0] == 250
    [got] = relay.upstream.messages
    assert b"X-Mailguard-Verdict: pass; observed=reject; rules=r1\r\n" in got.data


def test_rewrite_goes_through_actions_rewrite() -> None:
    with RelayHarness(decider=decide(Action.REWRITE, rules=("exposure",))) as relay:
        assert send(relay)[0] == 250
    [got] = relay.upstream.messages
    assert b"X-Mailguard-" not in got.data.replace(b"X-Mailguard-Id:", b"")  # the recipients are outside
    assert got.data.endswith(scrub(rewrite_to_bcc(MSG, relay.runtime.organisation.is_internal)))
    assert got.rcpt_tos == ("b@example.org", "c@example.net")  # the envelope is unchanged


@pytest.mark.parametrize("action", [Action.REWRITE, Action.HOLD])
def test_split_stages_copies(tmp_path: Path, action: Action) -> None:
    with relay_with_store(tmp_path, decide(action, split=True)) as (relay, store):
        code, text = send(relay)
        ref = re.fullmatch(rb"2\.0\.0 Ok: queued as (S[A-Z0-9]+)", text)
        assert code == 250 and ref, text
        copies = relay.run(staged(store, ref.group(1).decode()))
    assert relay.upstream.messages == []  # the outbox delivers them, not the relay
    assert sorted(rcpts for rcpts, _ in copies) == [["b@example.org"], ["c@example.net"]]  # one per party
    assert all(data.startswith(b"Received: ") for _, data in copies)


def test_relay_seconds_observed() -> None:
    before = metric("mailguard_relay_seconds_count")
    with RelayHarness() as relay:
        send(relay)
    assert metric("mailguard_relay_seconds_count") == before + 1


def test_transaction_log_carries_ids_verdict_rules_and_timings(caplog: pytest.LogCaptureFixture) -> None:
    """One line per message for the log pipeline: facts as fields, never content."""
    with caplog.at_level("INFO", logger="mailguard.relay"), RelayHarness(
        decider=decide(Action.REJECT, rules=("r2", "r1"))
    ) as relay:
        send(relay)
    [record] = [r for r in caplog.records if getattr(r, "txn", None)]
    assert (record.verdict, record.rules, record.reply, record.rcpts) == ("reject", ["r1", "r2"], "550", 2)  # type: ignore[attr-defined]
    assert record.relay_ms >= 0 and record.size == len(MSG)  # type: ignore[attr-defined]
    assert b"body" not in record.getMessage().encode()
