"""`deliver`: the one-shot delivery the quarantine outbox uses for releases and notices."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.relay import free_port
from support.upstream import Behaviour, RecordingUpstream

from mailguard.environment import load_settings
from mailguard.settings import Settings
from mailguard.upstream import transaction
from mailguard.upstream.connections import UpstreamPool
from mailguard.upstream.failures import UpstreamPermanentError, UpstreamTemporaryError
from mailguard.upstream.transaction import DeliveryResult

MSG = b"Subject: released\r\n\r\nbody\r\n.dot\r\n"


@pytest.fixture
async def upstream() -> AsyncIterator[RecordingUpstream]:
    server = RecordingUpstream(
        Behaviour(
            refuse={"gone@example.org": "550 5.1.1 No such user", "later@example.org": "450 4.2.1 Later"}
        )
    )
    await server.start()
    yield server
    await server.stop()


async def deliver(settings: Settings, mail_from: str, rcpts: list[str], data: bytes) -> DeliveryResult:
    """One delivery over a pool of its own, closed after (the runtime owns one in production)."""
    pool = UpstreamPool(settings)
    try:
        return await transaction.deliver(pool, mail_from, rcpts, data)
    finally:
        await pool.aclose()


def settings_for(port: int) -> Settings:
    return load_settings(upstream_host="127.0.0.1", upstream_port=port, hostname="mailguard.test")


async def test_delivers_bytes_as_given(upstream: RecordingUpstream) -> None:
    result = await deliver(
        settings_for(upstream.port), "a@example.com", ["b@example.org", "gone@example.org"], MSG
    )
    assert list(result.accepted) == ["b@example.org"]
    assert result.refused["gone@example.org"].code == 550
    assert result.reply is not None and result.reply.ok
    [got] = upstream.messages
    assert got.data == MSG and got.rcpt_tos == ("b@example.org",)


async def test_reuses_the_pool(upstream: RecordingUpstream) -> None:
    pool = UpstreamPool(settings_for(upstream.port))
    for _ in range(3):
        await transaction.deliver(pool, "", ["b@example.org"], MSG)
    await pool.aclose()
    assert upstream.connections == 1 and len(upstream.messages) == 3
    assert upstream.messages[0].mail_from == "<>"


async def test_every_recipient_refused(upstream: RecordingUpstream) -> None:
    settings = settings_for(upstream.port)
    with pytest.raises(UpstreamPermanentError):
        await deliver(settings, "a@example.com", ["gone@example.org"], MSG)
    with pytest.raises(UpstreamTemporaryError):
        await deliver(settings, "a@example.com", ["gone@example.org", "later@example.org"], MSG)
    assert upstream.messages == []


async def test_upstream_down_is_temporary() -> None:
    with pytest.raises(UpstreamTemporaryError) as err:
        await deliver(settings_for(free_port()), "a@example.com", ["b@example.org"], MSG)
    assert err.value.kind == "connect" and err.value.temporary


async def test_refused_message(upstream: RecordingUpstream) -> None:
    upstream.behaviour.data_reply = "554 5.7.0 No thanks"
    with pytest.raises(UpstreamPermanentError) as err:
        await deliver(settings_for(upstream.port), "a@example.com", ["b@example.org"], MSG)
    assert err.value.code == 554
    upstream.behaviour.data_reply = "452 4.3.1 Full"
    with pytest.raises(UpstreamTemporaryError):
        await deliver(settings_for(upstream.port), "a@example.com", ["b@example.org"], MSG)


async def test_dropped_mid_data_is_temporary(upstream: RecordingUpstream) -> None:
    upstream.behaviour.drop_in_data = True
    with pytest.raises(UpstreamTemporaryError):
        await deliver(settings_for(upstream.port), "a@example.com", ["b@example.org"], MSG)
