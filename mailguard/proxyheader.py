"""The PROXY protocol header (v1 text, v2 binary) at the front of a byte buffer.

The SMTP listener reads the header from its stream (relay/proxyproto.py); the admin listener
gets bytes from `data_received` and must decide, without waiting, whether a trusted proxy's
connection starts with a header, how long it is, and what it says. Parsing is aiosmtpd's own
(`get_proxy`), run over the complete header so it never waits for more.
"""

from __future__ import annotations

import asyncio
import struct

from aiosmtpd.proxy_protocol import V2_SIGNATURE, ProxyData, get_proxy

V1_PREFIX = b"PROXY "
V1_MAX = 107  # bytes, CRLF included (the protocol's limit)
V2_FIXED = 16  # signature, version/command, family, length


def header_length(buffer: bytes) -> int | None:
    """How many leading bytes of `buffer` are a PROXY header: 0 when it does not start with
    one (plain HTTP), None when more bytes are needed to tell."""
    if buffer.startswith(V2_SIGNATURE):
        if len(buffer) < V2_FIXED:
            return None
        total = V2_FIXED + struct.unpack("!H", buffer[14:16])[0]
        return total if len(buffer) >= total else None
    if buffer.startswith(V1_PREFIX):
        end = buffer.find(b"\r\n", 0, V1_MAX)
        if end >= 0:
            return end + 2
        return None if len(buffer) < V1_MAX else min(len(buffer), V1_MAX)  # too long: the parser says so
    if V2_SIGNATURE.startswith(buffer) or V1_PREFIX.startswith(buffer):
        return None  # a prefix of either signature: too early to tell
    return 0


class _Bytes:
    """aiosmtpd's AsyncReader over bytes already received: no read ever waits."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def read(self, n: int = -1) -> bytes:
        n = len(self.data) if n < 0 else n
        out, self.data = self.data[:n], self.data[n:]
        return out

    async def readexactly(self, n: int) -> bytes:
        if len(self.data) < n:
            raise asyncio.IncompleteReadError(self.data, n)
        return await self.read(n)

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        end = self.data.find(separator)
        if end < 0:
            raise asyncio.IncompleteReadError(self.data, None)
        return await self.read(end + len(separator))


def parse_header(header: bytes) -> ProxyData:
    """The complete header (as measured by `header_length`) parsed; `.valid` says if it is sound."""
    parsing = get_proxy(_Bytes(header))
    try:
        parsing.send(None)  # every read is served from memory: the coroutine never suspends
    except StopIteration as done:
        data: ProxyData = done.value
        return data
    parsing.close()
    return ProxyData(version=None).with_error("PROXY header incomplete")
