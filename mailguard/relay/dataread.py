"""Reading the DATA section the way Postfix does, and nothing else.

- DATA ends only on CRLF "." CRLF (RFC 5321 §4.1.1.4). A bare CR or LF never ends it, so the
  smtpsmug vectors (`\\n.\\n`, `\\n.\\r\\n`, `\\r.\\r\\n`, `\\r\\n.\\r`, NUL variants) stay content.
- A bare LF does end a *line* for dot-unstuffing (legacy senders such as smtplib handed bytes
  dot-stuff after every LF) and no line length is enforced: >998-byte lines get through.
- Bare line ends are normalised to CRLF afterwards, so what is scanned is what is sent
  (aiosmtplib would normalise them on the way out anyway).

The section is read in chunks into one buffer of our own and copied out once at the end, so
a message costs about its own size while it arrives (a `reserve` callback is asked before the
buffer grows: the relay's in-flight byte budget), and a refused one is drained, not kept.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from mailguard.upstream.data_command import has_bare_line_ends  # the wire form's own test

TERMINATOR = b"\r\n.\r\n"
CHUNK = 256 * 1024  # one read; the reader pauses the socket beyond twice this
_BARE_LINE_END = re.compile(rb"\r\n|\r|\n")


class DataTooLarge(Exception):
    """The client sent more than the limit; the section was read to its end and dropped."""


class NoRoom(Exception):
    """The in-flight byte budget refused the section; it was read to its end and dropped."""


async def read_data(
    reader: asyncio.StreamReader,
    limit: int,
    reserve: Callable[[int], bool] | None = None,
    progress: Callable[[], None] | None = None,
) -> bytes:
    """Read up to and including the end-of-data line; return the still dot-stuffed content.

    `reserve(n)` is asked before the content held grows to `n` bytes; `progress()` is called
    after every read (the session's idle limit runs between reads, not over the whole section). Raises `DataTooLarge`
    (more than `limit` bytes) or `NoRoom` (`reserve` said no) once the section has been drained;
    `asyncio.IncompleteReadError` when the client goes away.
    """
    # The content may be empty (".\r\n" straight away): start with the DATA command's own CRLF
    # so one separator search covers that case too.
    buf = bytearray(b"\r\n")
    searched = 0
    refusal: type[Exception] | None = None
    # `_limit` is a StreamReader internal (stable since Python 3.4; aiosmtpd touches it too):
    # aiosmtpd's line limit would pause the socket after every 2 KB.
    saved_limit = reader._limit  # type: ignore[attr-defined]
    reader._limit = CHUNK  # type: ignore[attr-defined]
    try:
        while (end := buf.find(TERMINATOR, searched)) < 0:
            searched = max(0, len(buf) - len(TERMINATOR) + 1)
            chunk = await reader.read(CHUNK)
            if not chunk:
                raise asyncio.IncompleteReadError(b"", None)
            if progress is not None:
                progress()
            if refusal is None:
                size = len(buf) - 2 + len(chunk)
                if size > limit:
                    refusal = DataTooLarge
                elif reserve is not None and not reserve(size):
                    refusal = NoRoom
            if refusal is not None:  # draining: keep only what a terminator could start in
                del buf[: max(0, len(buf) - len(TERMINATOR))]
                searched = 0
            buf += chunk
    finally:
        reader._limit = saved_limit  # type: ignore[attr-defined]
    if len(buf) > end + len(TERMINATOR):  # commands pipelined after the dot: back to the reader
        reader._buffer[:0] = buf[end + len(TERMINATOR) :]  # type: ignore[attr-defined]
    if refusal is not None:
        raise refusal
    del buf[end + 2 :]  # the last line keeps its CRLF
    with memoryview(buf) as view:
        return bytes(view[2:])


def unstuff(content: bytes) -> bytes:
    """Remove the transparency dot at the start of every line (after CRLF or a bare LF)."""
    if content.startswith(b"."):
        content = content[1:]
    return content.replace(b"\n.", b"\n")


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
