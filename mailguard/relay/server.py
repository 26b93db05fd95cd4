"""The relay listener: builds the shared context, binds, and shuts down gracefully."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

from mailguard.host import default_hostname
from mailguard.relay import replies
from mailguard.relay.admission import ConnectionLimiter
from mailguard.relay.proxyproto import ProxySMTP
from mailguard.relay.session.handler import RelayHandler
from mailguard.relay.shared import RelayContext
from mailguard.relay.smtp import RelaySMTP
from mailguard.relay.smtp_auth import Authenticator, load_users
from mailguard.relay.startup import StartupError
from mailguard.relay.tls import server_context
from mailguard.runtime import Runtime
from mailguard.settings import Settings
from mailguard.upstream.client_tls import client_context

log = logging.getLogger(__name__)


def preflight(settings: Settings) -> None:
    """Check certificates, CA and users file before anything slower starts (`StartupError`)."""
    server_context(settings)
    client_context(settings)
    if settings.auth_users_file:
        load_users(settings.auth_users_file)


def build_context(runtime: Runtime) -> RelayContext:
    """Everything the sessions share; raises `StartupError` for unreadable certs or users files."""
    settings = runtime.settings
    client_context(settings)  # a bad private CA file is a start-up error, not a 4xx per message
    users = load_users(settings.auth_users_file) if settings.auth_users_file else None
    return RelayContext(
        runtime=runtime,
        hostname=settings.hostname or default_hostname(),
        limiter=ConnectionLimiter(
            settings.max_connections,
            settings.max_connections_per_client,
            settings.max_outsider_connections,
            settings.max_outsider_connections_per_client,
        ),
        tls_context=server_context(settings),
        authenticator=Authenticator(users) if users is not None else None,
    )


def bind_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A listening TCP socket; `StartupError` with one clear line when that fails."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


class RelayServer:
    """`await start()`, then `await stop()`; `address` is where it listens."""

    def __init__(
        self, runtime: Runtime, *, sock: socket.socket | None = None, reuse_port: bool = False
    ) -> None:
        self.runtime = runtime
        self.context = build_context(runtime)
        self._sock = sock
        self._reuse_port = reuse_port
        self._server: asyncio.Server | None = None

    @property
    def address(self) -> tuple[str, int]:
        assert self._server is not None and self._server.sockets
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    def _protocol(self) -> RelaySMTP:
        # Behind a balancer that sends the PROXY protocol, sessions learn the real client first.
        smtp = ProxySMTP if self.runtime.settings.proxy_protocol_from else RelaySMTP
        return smtp(RelayHandler(self.context), self.context, loop=asyncio.get_running_loop())

    async def start(self) -> None:
        sock = self._sock
        if sock is None:
            host, port = self.runtime.settings.listen_address
            sock = bind_socket(host, port, reuse_port=self._reuse_port)
        self._server = await asyncio.get_running_loop().create_server(self._protocol, sock=sock)
        log.info("relay listening on %s:%d", *self.address)

    async def stop(self, grace: float = 30.0) -> None:
        """Stop accepting, let transactions in flight finish (up to `grace` seconds), close."""
        relay = self.context
        relay.closing = True
        if self._server is not None:
            self._server.close()
        for session in list(relay.sessions):
            session.request_close()
        deadline = time.monotonic() + grace
        # polled: sessions and tasks come and go from many places; 50 ms is plenty fine-grained
        while (relay.sessions or relay.tasks) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        for session in list(relay.sessions):  # still mid-transaction: no 250 was given, nothing lost
            session.close_now(replies.SHUTTING_DOWN)
        if relay.tasks:
            await asyncio.wait(list(relay.tasks), timeout=max(1.0, deadline - time.monotonic()))
        await relay.runtime.upstream.aclose()
        log.info("relay stopped")
