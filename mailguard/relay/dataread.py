"""Reading the DATA section the way Postfix does, and nothing else.

- DATA ends only on CRLF "." CRLF (RFC 5321 §4.1.1.4). A bare CR or LF never ends it, so the
  smtpsmug vectors (`\\n.\\n`, `\\n.\\r\\n`, `\\r.\\r\\n`, `\\r\\n.\\r`, NUL variants) stay content.
- A bare LF does end a *line* for dot-unstuffing (legacy senders such as smtplib handed bytes
  dot-stuff after every LF) and no line length is enforced: >998-byte lines get through.
- Bare line ends are normalised to CRLF afterwards, so what is scanned is what is sent
  (aiosmtplib would normalise them on the way out anyway).

The whole section is read with one `readuntil` rather than line by line: an order of magnitude
less Python per message.
"""

from __future__ import annotations

import asyncio
import re

TERMINATOR = b"\r\n.\r\n"
_BARE_LINE_END = re.compile(rb"\r\n|\r|\n")


class DataTooLarge(Exception):
    """The client sent more than the limit; the section was read to its end and dropped."""


async def read_data(reader: asyncio.StreamReader, limit: int) -> bytes:
    """Read up to and including the end-of-data line; return the still dot-stuffed content.

    Raises `DataTooLarge` after draining when more than `limit` bytes arrive.
    """
    # The content may be empty (".\r\n" straight away): pretend the DATA command's own CRLF is
    # in the buffer so one separator search covers that case too. `_buffer` and `_limit` are
    # StreamReader internals, stable since Python 3.4; aiosmtpd touches them as well.
    reader._buffer[:0] = b"\r\n"  # type: ignore[attr-defined]
    saved_limit = reader._limit  # type: ignore[attr-defined]
    reader._limit = limit + len(TERMINATOR) + 2  # type: ignore[attr-defined]
    try:
        try:
            section = await reader.readuntil(TERMINATOR)
        except asyncio.LimitOverrunError as exc:
            await _drain(reader, exc.consumed)
            raise DataTooLarge from None
    finally:
        reader._limit = saved_limit  # type: ignore[attr-defined]
    return section[2:-3]  # drop the pretend CRLF and ".\r\n"; the last line keeps its CRLF


async def _drain(reader: asyncio.StreamReader, consumed: int) -> None:
    """Discard data until the terminator (bytes not yet searched stay in the buffer)."""
    while True:
        await reader.readexactly(consumed)
        try:
            await reader.readuntil(TERMINATOR)
            return
        except asyncio.LimitOverrunError as exc:
            consumed = exc.consumed


def unstuff(content: bytes) -> bytes:
    """Remove the transparency dot at the start of every line (after CRLF or a bare LF)."""
    if content.startswith(b"."):
        content = content[1:]
    return content.replace(b"\n.", b"\n")


def has_bare_line_ends(content: bytes) -> bool:
    crlf = content.count(b"\r\n")
    return content.count(b"\n") != crlf or content.count(b"\r") != crlf


def normalise_line_ends(content: bytes) -> bytes:
    """Every bare CR and bare LF becomes CRLF (the same rule aiosmtplib applies when sending).

    Data ending in a bare line end + CRLF is how smtplib and friends end bare-LF (or bare-CR)
    data (they add the CRLF the terminator needs): that CRLF belongs to the terminator.
    """
    if not has_bare_line_ends(content):
        return content
    if content.endswith((b"\n\r\n", b"\r\r\n")) and not content.endswith(b"\r\n\r\n"):
        content = content[:-2]
    return _BARE_LINE_END.sub(b"\r\n", content)
