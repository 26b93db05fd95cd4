"""The in-flight byte budget (MAILGUARD_MAX_INFLIGHT_BYTES): message data held in memory by all
sessions of a relay is bounded. Past it a transaction gets `452 4.3.1` (temporary: the client
keeps the message) — at DATA when the SIZE declared at MAIL does not fit, at the end of data when
an undeclared or under-declared message outgrows what is left (the rest is drained, not kept).
What a transaction holds is given back on every path: delivered, refused, client gone, and only
once the end-of-data work (which outlives a vanished client) is over."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

from relay.helpers import RawClient
from support.relay import RelayHarness

from mailguard.envelope import Envelope
from mailguard.policy.verdict import Action, Verdict
from mailguard.relay.admission import ByteBudget
from mailguard.relay.dataread import CHUNK

NO_ROOM = "452 4.3.1 Insufficient system storage, try again later"
BUDGET = 1_000_000


def body(size: int) -> bytes:
    line = b"x" * 98 + b"\r\n"
    return b"Subject: budget\r\n\r\n" + line * (size // len(line))


def used(relay: RelayHarness) -> int:
    assert relay.server is not None
    return relay.server.context.inflight.used


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def start_data(relay: RelayHarness, size: int | None) -> RawClient:
    client = RawClient(relay.host, relay.port)
    assert client.cmd("EHLO client.test").startswith("250")
    declared = f" SIZE={size}" if size is not None else ""
    assert client.cmd(f"MAIL FROM:<a@example.com>{declared}").startswith("250")
    assert client.cmd("RCPT TO:<b@example.org>").startswith("250")
    return client


def test_budget_and_reservations() -> None:
    budget = ByteBudget(100)
    a, b = budget.reservation(), budget.reservation()
    assert a.grow_to(60) and a.grow_to(40) and a.held == 60  # never shrinks by asking for less
    assert not b.grow_to(50) and b.held == 0 and budget.used == 60  # refused: nothing taken
    assert b.grow_to(40) and budget.used == 100
    a.release()
    a.release()  # idempotent
    assert budget.used == 40
    b.release()
    lone = budget.reservation()
    assert lone.grow_to(500) and lone.grow_to(800)  # alone, a transaction always gets what it needs
    assert not budget.reservation().grow_to(1)
    lone.release()
    assert budget.used == 0
    unlimited = ByteBudget(0).reservation()
    assert unlimited.grow_to(10**12)


def test_a_spent_budget_refuses_at_data_and_a_retry_goes_through() -> None:
    """A SIZE= promise reserves nothing (tests/attack: test_a_declared_size_reserves_nothing_until
    _bytes_arrive); bytes that arrived do. Once they fill the budget, the next DATA gets 452."""
    with RelayHarness(max_inflight_bytes=BUDGET) as relay:
        holder = start_data(relay, 800_000)
        assert holder.cmd("DATA").startswith("354")
        assert used(relay) == 0  # declared, not received: nothing held
        holder.send(body(BUDGET + 10_000))  # more than the budget, still mid-DATA
        wait_for(lambda: used(relay) >= BUDGET - CHUNK)
        held = used(relay)
        with start_data(relay, 300_000) as late:
            reply = late.cmd("DATA")
            if reply == NO_ROOM:  # spent: refused before a byte is read
                assert late.cmd("RCPT TO:<c@example.org>").startswith("503")  # the transaction is over
            assert used(relay) == held
            holder.send(b".\r\n")
            assert holder.reply().startswith("250")  # alone, a message may be as big as the budget allows
            wait_for(lambda: used(relay) == 0)
            # Once room is back, the client's retry goes through.
            if reply != NO_ROOM:
                late.send(b".\r\n")
                late.reply()
            assert late.cmd("MAIL FROM:<a@example.com> SIZE=300000").startswith("250")
            assert late.cmd("RCPT TO:<b@example.org>").startswith("250")
            assert late.cmd("DATA").startswith("354")
            assert late.cmd(body(250_000) + b".").startswith("250")
        holder.close()
        wait_for(lambda: used(relay) == 0)
    assert len(relay.upstream.messages) == 2


def test_undeclared_message_that_outgrows_the_budget_is_drained_then_refused() -> None:
    with RelayHarness(max_inflight_bytes=BUDGET) as relay:
        holder = start_data(relay, 600_000)
        assert holder.cmd("DATA").startswith("354")
        holder.send(body(600_000))
        wait_for(lambda: used(relay) >= 600_000 - CHUNK)
        held = used(relay)
        with start_data(relay, None) as grower:
            assert grower.cmd("DATA").startswith("354")  # room is left ...
            # ... for part of the message only: the rest is read and dropped, pipelined commands survive.
            grower.send(body(600_000) + b".\r\nNOOP\r\n")
            assert grower.reply() == NO_ROOM
            assert grower.reply().startswith("250")  # the NOOP
            assert used(relay) == held
        assert holder.cmd(b".").startswith("250")
        holder.close()
        wait_for(lambda: used(relay) == 0)
    assert [len(m.data) > 500_000 for m in relay.upstream.messages] == [True]


def test_client_gone_mid_data_gives_its_bytes_back() -> None:
    with RelayHarness(max_inflight_bytes=BUDGET) as relay:
        client = start_data(relay, 700_000)
        assert client.cmd("DATA").startswith("354")
        client.send(body(300_000))
        wait_for(lambda: used(relay) >= 300_000 - CHUNK)  # what arrived, not what was declared
        client.sock.shutdown(socket.SHUT_RDWR)
        client.close()
        wait_for(lambda: used(relay) == 0)
    assert relay.upstream.messages == []


def test_bytes_are_held_until_the_end_of_data_work_is_over() -> None:
    """A client that vanishes after "." does not free the message while it is still being
    scanned and sent: the end-of-data task owns it until it finishes."""
    release = asyncio.Event()

    async def slow_decider(envelope: Envelope, data: bytes) -> Verdict:
        await release.wait()
        return Verdict(Action.PASS)

    with RelayHarness(max_inflight_bytes=BUDGET, decider=slow_decider) as relay:
        client = start_data(relay, 400_000)
        assert client.cmd("DATA").startswith("354")
        client.send(body(300_000) + b".\r\n")
        time.sleep(0.3)  # the decider is waiting
        client.close()
        time.sleep(0.3)  # the session is gone ...
        assert used(relay) >= 300_000 - CHUNK  # ... its message is not
        relay.run(_set(release))
        wait_for(lambda: used(relay) == 0)
    assert len(relay.upstream.messages) == 1


def test_failing_decider_and_refusals_give_bytes_back() -> None:
    async def broken(envelope: Envelope, data: bytes) -> Verdict:
        raise RuntimeError("boom")

    with RelayHarness(max_inflight_bytes=BUDGET, decider=broken, max_message_size=200_000) as relay:
        with start_data(relay, 100_000) as client:
            assert client.cmd("DATA").startswith("354")
            assert client.cmd(body(50_000) + b".").startswith("451")
            assert used(relay) == 0
            assert client.cmd("MAIL FROM:<a@example.com>").startswith("250")
            assert client.cmd("RCPT TO:<b@example.org>").startswith("250")
            assert client.cmd("DATA").startswith("354")
            assert client.cmd(body(300_000) + b".").startswith("552")  # too big: drained, refused
            assert used(relay) == 0


async def _set(event: asyncio.Event) -> None:
    event.set()
