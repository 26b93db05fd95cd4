"""A short hypothesis run of random SMTP command streams against the real relay (the long run
is fuzz/fuzz_smtp.py): it always answers, never with an exception reply, never logs an
internal error, and keeps serving."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from relay.helpers import RawClient
from support.relay import RelayHarness
from support.smtpfuzz import ErrorLog, play, streams


@pytest.fixture(scope="module")
def relay() -> Iterator[RelayHarness]:
    with RelayHarness(max_message_size=64 * 1024, idle_timeout=5) as harness:
        yield harness


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(chunks=streams())
def test_random_command_streams(relay: RelayHarness, chunks: list[bytes]) -> None:
    with ErrorLog() as errors:
        outcome = play(relay.host, relay.port, chunks)
    assert outcome.problem() is None, (outcome.problem(), outcome.replies[-5:])
    assert errors.lines() == []


def test_still_serving_after_the_fuzz(relay: RelayHarness) -> None:
    with RawClient(relay.host, relay.port) as c:
        c.envelope()
        assert c.cmd("DATA").startswith("354")
        assert c.cmd(b"Subject: after fuzz\r\n\r\nok\r\n.").startswith("250")
