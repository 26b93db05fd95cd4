"""The admin listener's uvicorn configuration: slow and greedy clients can't starve the relay.

uvicorn times out idle keep-alive connections but not a request still arriving: a client that
trickles one header byte every few seconds holds its socket for ever, and a thousand of them
exhaust the process's file descriptors (new SMTP clients then time out, a rule reload fails with
"Too many open files"). Here each connection gets `admin_header_timeout` seconds to deliver a
whole request (headers and body; bodies are small, see guard.py), and past
`admin_max_connections` a new connection is answered 503 and closed at once.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from mailguard.settings import Settings

log = logging.getLogger(__name__)

_last_warning = float("-inf")
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 5\r\n\r\n"


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request-read deadline and a connection cap."""

    header_timeout: float = 10.0
    max_connections: int = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            global _last_warning
            if self.loop.time() - _last_warning > 60:  # a flood must not flood the log as well
                _last_warning = self.loop.time()
                log.warning("admin listener: %d connections at once, refusing more", self.max_connections)
            transport.write(_BUSY)
            transport.close()
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            self._disarm()  # the whole request is in: the app's time is not the client's

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets the same deadline

    def _arm(self) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        self._read_deadline = None
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
            self.transport.close()  # the app, if it was waiting for the body, sees a disconnect


def protocol_class(settings: Settings) -> type[GuardedH11Protocol]:
    """The protocol with this configuration's limits (uvicorn makes one instance per connection)."""
    return type(
        "AdminH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout": settings.admin_header_timeout, "max_connections": settings.admin_max_connections},
    )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for uvicorn.Config: the guarded protocol, TLS, and which proxies'
    X-Forwarded-For is believed (none unless MAILGUARD_ADMIN_TRUSTED_PROXIES says so: the login
    and token throttles count by the client's real address)."""
    options: dict[str, Any] = {
        "http": protocol_class(settings),
        "proxy_headers": bool(settings.admin_trusted_proxies),
        "forwarded_allow_ips": list(settings.admin_trusted_proxies),
        "timeout_keep_alive": 5,
    }
    if settings.admin_tls_cert_file is not None:
        options["ssl_certfile"] = str(settings.admin_tls_cert_file)
        options["ssl_keyfile"] = str(settings.admin_tls_key_file)
    return options


def raise_open_files_limit() -> tuple[int, int]:
    """Lift RLIMIT_NOFILE's soft limit to the hard one (often 1024 of 524288): a burst of
    admin or SMTP connections must not starve the other listener or a reload. Returns (before, after)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            log.warning("could not raise the open files limit from %d", soft)
            return soft, soft
    return soft, max(soft, target)
