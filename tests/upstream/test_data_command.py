"""DATA writes a message already in its wire form as it is, and any other through aiosmtplib's
own encoding: either way the upstream receives exactly what aiosmtplib alone would deliver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiosmtplib.protocol import normalize_message_line_endings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.upstream import Behaviour, RecordingUpstream

from mailguard.environment import load_settings
from mailguard.upstream import transaction
from mailguard.upstream.connections import UpstreamPool
from mailguard.upstream.data_command import WireReadyProtocol, on_the_wire


@pytest.fixture
async def pool() -> AsyncIterator[tuple[UpstreamPool, RecordingUpstream]]:
    server = RecordingUpstream(Behaviour())
    await server.start()
    upstream_pool = UpstreamPool(load_settings(upstream_host="127.0.0.1", upstream_port=server.port, hostname="t.test"))
    yield upstream_pool, server
    await upstream_pool.aclose()
    await server.stop()


async def test_the_installed_aiosmtplib_takes_the_wire_ready_path(pool: tuple[UpstreamPool, RecordingUpstream]) -> None:
    upstream_pool, _ = pool
    smtp = await upstream_pool.connect()
    try:
        assert type(smtp.protocol) is WireReadyProtocol
        assert hasattr(smtp.protocol, "_command_lock") and hasattr(smtp.protocol, "_response_pending")
    finally:
        smtp.close()


def test_what_counts_as_on_the_wire() -> None:
    assert on_the_wire(b"Subject: x\r\n\r\nbody\r\n")
    for not_yet in (b"a\nb\r\n", b"a\rb\r\n", b"a\r\n.b\r\n", b".a\r\n", b"a\r\nb", b"a\r\r\n", b"a\n\r\n"):
        assert not on_the_wire(not_yet), not_yet


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([b"a", b".", b"\r", b"\n", b"\r\n", b"..", b"\r\n.", b" "]), max_size=40).map(b"".join))
async def test_the_upstream_gets_what_aiosmtplib_would_send(
    pool: tuple[UpstreamPool, RecordingUpstream], body: bytes
) -> None:
    upstream_pool, server = pool
    server.messages.clear()
    message = b"Subject: x\r\n\r\n" + body
    result = await transaction.deliver(upstream_pool, "a@example.com", ["b@example.org"], message)
    assert result.reply is not None and result.reply.ok
    [got] = server.messages
    assert got.data == normalize_message_line_endings(message)
