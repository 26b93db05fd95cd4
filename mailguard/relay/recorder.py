"""A recording SMTP server: the demo's embedded upstream and the base of the tests' upstream.

It accepts everything and keeps what arrived (envelope and exact bytes), like smtp-sink with a
memory. Lines longer than 998 bytes are accepted: it stands in for a real MTA, not a pedant.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class RecordedMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    mail_options: tuple[str, ...] = ()
    tls: bool = False
    auth_user: str | None = None


class RecordingSMTP(SMTP):
    line_length_limit = 64 * 1024 * 1024


@dataclass
class RecordingHandler:
    messages: list[RecordedMessage] = field(default_factory=list)
    received: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.original_content, bytes)
        self.messages.append(
            RecordedMessage(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                data=envelope.original_content,
                mail_options=tuple(envelope.mail_options),
                tls=session.ssl is not None,
                auth_user=str(session.auth_data) if session.authenticated else None,
            )
        )
        self.received.set()
        return f"250 2.0.0 Ok: queued as R{len(self.messages):05d}"


async def start_recorder(
    handler: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    tls_context: ssl.SSLContext | None = None,
    smtp_class: type[SMTP] = RecordingSMTP,
    **smtp_kwargs: Any,
) -> asyncio.Server:
    """Serve `handler` on host:port (0: a free port; read it from `server.sockets`)."""
    loop = asyncio.get_running_loop()
    smtp_kwargs.setdefault("enable_SMTPUTF8", True)
    smtp_kwargs.setdefault("hostname", "recorder.invalid")
    return await loop.create_server(
        lambda: smtp_class(handler, tls_context=tls_context, loop=loop, **smtp_kwargs), host, port
    )
