"""Byte-identity of mail through the relay: what the upstream must get for a given file.

A compliant client puts a file on the wire with CRLF line ends (and a final CRLF); the relay
must hand the upstream exactly that, after its own prepended trace headers.
"""

from __future__ import annotations

import re
import smtplib

from mailguard.relay.dataread import normalise_line_ends

_TRACE = re.compile(
    rb"Received: [^\r\n]*\r\n(?:\t[^\r\n]*\r\n)+(?:X-Mailguard-Id: [^\r\n]*\r\n)?(?:X-Mailguard-Verdict: [^\r\n]*\r\n)?"
)


def wire_form(data: bytes) -> bytes:
    data = normalise_line_ends(data)
    return data if data.endswith(b"\r\n") or not data else data + b"\r\n"


def strip_trace(data: bytes) -> bytes:
    """The message without our prepended Received:, X-Mailguard-Id: and X-Mailguard-Verdict: lines."""
    match = _TRACE.match(data)
    if match is None:
        raise AssertionError(f"no trace headers at the top: {data[:200]!r}")
    return data[match.end() :]


def send_raw(host: str, port: int, data: bytes, *, client: smtplib.SMTP | None = None) -> None:
    """Send `data` as smtplib does when handed bytes (line ends as they are: legacy style)."""
    own = client is None
    smtp = client or smtplib.SMTP(host, port, timeout=30)
    try:
        smtp.sendmail("sender@example.com", ["rcpt@example.org"], data)
    finally:
        if own:
            smtp.quit()


def send_compliant(smtp: smtplib.SMTP, data: bytes) -> None:
    """Send `data` as a compliant client does: CRLF line ends, dot-stuffed."""
    smtp.sendmail("sender@example.com", ["rcpt@example.org"], wire_form(data))
