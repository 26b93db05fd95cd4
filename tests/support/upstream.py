"""A real recording upstream (aiosmtpd) that can also misbehave on request.

Misbehaviours: refuse chosen recipients at RCPT, refuse MAIL, drop the connection at the end
of DATA without replying, reply slowly, offer STARTTLS, require AUTH, hide SMTPUTF8.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from mailguard.relay.recorder import RecordingHandler, RecordingSMTP, start_recorder

from .loop import ThreadLoop


@dataclass
class Behaviour:
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> reply, e.g. "550 5.1.1 No such user"
    mail_reply: str | None = None  # refuse MAIL FROM with this
    data_reply: str | None = None  # answer the end of data with this instead of 250
    drop_in_data: bool = False  # close the connection when the data is in, without a reply
    data_delay: float = 0.0  # seconds before answering the end of data


class MisbehavingHandler(RecordingHandler):
    def __init__(self, behaviour: Behaviour) -> None:
        super().__init__()
        self.behaviour = behaviour
        self.rsets = 0
        self.connections = 0
        self.data_started = 0
        self.open_transports: set[asyncio.BaseTransport] = set()

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.behaviour.mail_reply:
            return self.behaviour.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = self.behaviour.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_RSET(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.rsets += 1
        return "250 2.0.0 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        b = self.behaviour
        self.data_started += 1  # a test can wait for "the message is with the upstream now"
        if b.data_delay:
            await asyncio.sleep(b.data_delay)
        if b.drop_in_data:
            assert server.transport is not None
            server.transport.abort()
            await asyncio.sleep(3600)  # cancelled by the lost connection; nothing is recorded
        if b.data_reply:
            return b.data_reply
        return await super().handle_DATA(server, session, envelope)


class _CountingSMTP(RecordingSMTP):
    """Counts connections and keeps the open ones, so a test can drop them all at once."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.transport is None:  # not the STARTTLS re-entry
            self.event_handler.connections += 1
            self.event_handler.open_transports.add(transport)
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.event_handler.open_transports.discard(self.transport)
        super().connection_lost(exc)


def password_authenticator(users: dict[str, str]) -> Any:
    def check(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and users.get(data.login.decode()) == data.password.decode()
        return AuthResult(success=ok, auth_data=data.login.decode() if ok else None)

    return check


class RecordingUpstream:
    """`await start()` in the loop that will serve it; read `port`, `messages`, `connections`."""

    def __init__(
        self,
        behaviour: Behaviour | None = None,
        *,
        tls_context: ssl.SSLContext | None = None,
        require_starttls: bool = False,
        auth_users: dict[str, str] | None = None,
        smtputf8: bool = True,
    ) -> None:
        self.behaviour = behaviour or Behaviour()
        self.handler = MisbehavingHandler(self.behaviour)
        self._kwargs: dict[str, Any] = {
            "tls_context": tls_context,
            "require_starttls": require_starttls,
            "enable_SMTPUTF8": smtputf8,
        }
        if auth_users is not None:
            self._kwargs.update(auth_required=True, authenticator=password_authenticator(auth_users))
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def messages(self) -> list[Any]:
        return self.handler.messages

    @property
    def connections(self) -> int:
        return self.handler.connections

    @property
    def rsets(self) -> int:
        return self.handler.rsets

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        self._server = await start_recorder(
            self.handler, host, port, smtp_class=_CountingSMTP, **self._kwargs
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def drop_connections(self, *, abort: bool = True) -> None:
        """Abort (or close) every open connection: asyncio.Server's abort_clients and
        close_clients, which Python 3.11 lacks."""
        for transport in list(self.handler.open_transports):
            transport.abort() if abort else transport.close()


U = TypeVar("U", bound=RecordingUpstream)


@contextmanager
def serving(upstream: U) -> Iterator[U]:
    """Run `upstream` on a loop of its own in a background thread: for sync tests and for
    `mailguard serve` subprocesses, which need an upstream that lives outside any test loop."""
    loop = ThreadLoop()
    loop.run(upstream.start())
    try:
        yield upstream
    finally:
        loop.run(upstream.stop())
        loop.close()
