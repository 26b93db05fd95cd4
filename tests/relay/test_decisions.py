"""End of DATA: what each verdict does, the seams (Decider, Disposer), and the metrics."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence

import pytest
from prometheus_client import REGISTRY
from support.relay import RelayHarness

from mailguard.actions.rewrite import rewrite_to_bcc
from mailguard.envelope import Envelope
from mailguard.policy.verdict import Action, Reason, Verdict

MSG = b"From: a@example.com\r\nTo: b@example.org, c@example.net\r\nSubject: s\r\n\r\nbody\r\n"


class MemoryDisposer:
    """A Disposer that keeps things in memory (the real one is the quarantine store)."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.held: list[tuple[Envelope, bytes, Verdict]] = []
        self.staged: list[tuple[Envelope, list[tuple[Sequence[str], bytes]], Verdict]] = []

    async def hold(self, envelope: Envelope, data: bytes, verdict: Verdict) -> str:
        if self.fail:
            raise OSError("disk full")
        self.held.append((envelope, data, verdict))
        return f"Q{len(self.held)}"

    async def stage(
        self, envelope: Envelope, copies: Sequence[tuple[Sequence[str], bytes]], verdict: Verdict
    ) -> str:
        if self.fail:
            raise OSError("disk full")
        self.staged.append((envelope, list(copies), verdict))
        return f"S{len(self.staged)}"


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


def test_hold_answers_250_with_id_and_sends_nothing() -> None:
    disposer = MemoryDisposer()
    before = metric("mailguard_messages_total", verdict="hold")
    hits = metric("mailguard_rule_hits_total", rule="hold-rule")
    with RelayHarness(decider=decide(Action.HOLD, rules=("hold-rule",)), disposer=disposer) as relay:
        code, text = send(relay)
    assert (code, text) == (250, b"2.0.0 Ok: held for review as Q1")
    assert relay.upstream.messages == [] and relay.upstream.rsets == 1
    envelope, data, _ = disposer.held[0]
    assert data == MSG and envelope.rcpt_tos == ("b@example.org", "c@example.net")
    assert metric("mailguard_messages_total", verdict="hold") == before + 1
    assert metric("mailguard_rule_hits_total", rule="hold-rule") == hits + 1


@pytest.mark.parametrize("disposer", [None, MemoryDisposer(fail=True)], ids=["no-store", "store-fails"])
def test_hold_without_a_working_store_is_4xx(disposer: MemoryDisposer | None) -> None:
    with RelayHarness(decider=decide(Action.HOLD), disposer=disposer) as relay:
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
    assert b"X-Mailguard-Verdict: pass; observed=reject; rules=r1\r\n" in got.data
    assert got.data.endswith(MSG)
    assert metric("mailguard_messages_total", verdict="reject") == before + 1


def test_rewrite_goes_through_actions_rewrite() -> None:
    with RelayHarness(decider=decide(Action.REWRITE, rules=("exposure",))) as relay:
        assert send(relay)[0] == 250
    [got] = relay.upstream.messages
    assert b"X-Mailguard-Verdict: rewrite; rules=exposure\r\n" in got.data
    assert got.data.endswith(rewrite_to_bcc(MSG, relay.settings.is_internal))
    assert got.rcpt_tos == ("b@example.org", "c@example.net")  # the envelope is unchanged


@pytest.mark.parametrize("action", [Action.REWRITE, Action.HOLD])
def test_split_stages_copies(action: Action) -> None:
    disposer = MemoryDisposer()
    with RelayHarness(decider=decide(action, split=True), disposer=disposer) as relay:
        code, text = send(relay)
    assert code == 250 and text.startswith(b"2.0.0 Ok: queued as S1")
    assert relay.upstream.messages == []
    _, copies, _ = disposer.staged[0]
    assert copies and all(data.startswith(b"Received: ") for _, data in copies)


def test_relay_seconds_observed() -> None:
    before = metric("mailguard_relay_seconds_count")
    with RelayHarness() as relay:
        send(relay)
    assert metric("mailguard_relay_seconds_count") == before + 1
