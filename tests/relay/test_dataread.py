"""The DATA reading rules as pure functions (the wire-level tests are in test_hostile)."""

from __future__ import annotations

import asyncio

import pytest

from mailguard.relay.dataread import DataTooLarge, has_bare_line_ends, normalise_line_ends, read_data, unstuff


@pytest.mark.parametrize(
    ("raw", "content"),
    [
        (b".\r\n", b""),
        (b"a\r\n.\r\n", b"a\r\n"),
        (b"a\n.\nb\r\n.\r\n", b"a\n.\nb\r\n"),  # bare LF never ends data
        (b"a\r.\r\nb\r\n.\r\n", b"a\r.\r\nb\r\n"),
        (b"..x\r\n.\r\n", b"..x\r\n"),  # still stuffed: unstuff() is separate
    ],
)
async def test_read_data(raw: bytes, content: bytes) -> None:
    reader = asyncio.StreamReader(limit=1001)
    reader.feed_data(raw + b"QUIT\r\n")
    assert await read_data(reader, 1000) == content
    assert await reader.readline() == b"QUIT\r\n"  # what follows stays for the command loop


async def test_read_data_too_large_drains() -> None:
    reader = asyncio.StreamReader(limit=1001)
    reader.feed_data(b"x" * 5000 + b"\r\n" + b"y\r\n" * 3000 + b".\r\nNOOP\r\n")
    with pytest.raises(DataTooLarge):
        await read_data(reader, 1000)
    assert await reader.readline() == b"NOOP\r\n"


def test_unstuff() -> None:
    assert unstuff(b".a\r\n..b\r\n.\n.c\n") == b"a\r\n.b\r\n\nc\n"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        (b"a\r\nb\r\n", b"a\r\nb\r\n"),
        (b"a\nb\n", b"a\r\nb\r\n"),
        (b"a\rb\r\n", b"a\r\nb\r\n"),
        (b"a\nb\n\r\n", b"a\r\nb\r\n"),  # smtplib's added CRLF after bare-LF data
        (b"a\r\n\r\n", b"a\r\n\r\n"),  # a real empty last line stays
        (b"a\r\r\n", b"a\r\n"),
    ],
)
def test_normalise(raw: bytes, normal: bytes) -> None:
    assert normalise_line_ends(raw) == normal
    assert not has_bare_line_ends(normal)
