"""The admin listener's uvicorn configuration: slow and greedy clients can't starve the relay.

uvicorn times out idle keep-alive connections but not a request still arriving: a client that
trickles one header byte every few seconds holds its socket for ever, and a thousand of them
exhaust the process's file descriptors (new SMTP clients then time out, a rule reload fails with
"Too many open files"). Here each connection gets `admin_header_timeout` seconds to deliver a
whole request (headers and body; bodies are small, see guard.py). Past `admin_max_connections`
a new connection takes the place of the one that has waited longest for its client's request
(a trickler, or an idle keep-alive), so tricklers can't hold the cap and keep /healthz and
/readyz from answering (the balancer's health check would take the relay out of the SMTP pool);
only when every connection is at work is the new one answered 503 and closed at once.

Behind a TCP balancer every reviewer seems to come from the balancer, so the login and token
throttles would count one address for all of them. A connection from
MAILGUARD_ADMIN_TRUSTED_PROXIES may start with a PROXY protocol header (haproxy's
`send-proxy-v2`), which then names the client; without one it is taken as it is (an HTTP proxy
sending X-Forwarded-For, or the balancer's own health check). A header from anyone else is
not read as one, and a trusted proxy's malformed header closes the connection. (On a TLS
listener the handshake comes first, so a balancer in front of one must not send the header.)
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import resource
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from mailguard.proxyheader import header_length, parse_header
from mailguard.relay.admission import Network, in_networks
from mailguard.settings import Settings

log = logging.getLogger(__name__)

_last_warning = float("-inf")
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 5\r\n\r\n"


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request-read deadline, a connection cap and the PROXY
    protocol from trusted proxies."""

    header_timeout: float = 10.0
    max_connections: int = 256
    trusted_proxies: tuple[Network, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None
        self._waiting_since = 0.0  # when the current wait for the client's request began
        self._proxy_buffer: bytes | None = None  # bytes of a trusted proxy's connection, before we know

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            evicted = self._evict_longest_waiting()
            global _last_warning
            if self.loop.time() - _last_warning > 60:  # a flood must not flood the log as well
                _last_warning = self.loop.time()
                action = "dropping the slowest" if evicted else "refusing more"
                log.warning("admin listener: %d connections at once, %s", self.max_connections, action)
            if not evicted:
                transport.write(_BUSY)
                transport.close()
                return
        if self.client is not None and in_networks(self.client[0], self.trusted_proxies):
            self._proxy_buffer = b""
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._proxy_buffer is None:
            super().data_received(data)
            return
        buffer = self._proxy_buffer + data
        length = header_length(buffer)
        if length is None:  # more to come (the read deadline still runs)
            self._proxy_buffer = buffer
            return
        self._proxy_buffer = None
        if length:
            header = parse_header(buffer[:length])
            if not header.valid:
                log.warning("admin listener: malformed PROXY header from a trusted proxy, closed")
                self.transport.close()
                return
            if header.src_addr is not None:  # v2 LOCAL (the balancer's own check) keeps its address
                self.client = (str(header.src_addr), header.src_port or 0)
        if rest := buffer[length:]:
            super().data_received(rest)

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
        self._waiting_since = self.loop.time()
        self._read_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _evict_longest_waiting(self) -> bool:
        """Close the connection that has waited longest for its client's request; False if every
        other connection is being served."""
        waiting = [
            c
            for c in self.connections
            if c is not self and isinstance(c, GuardedH11Protocol) and c._read_deadline is not None
        ]
        if not waiting:
            return False
        victim = min(waiting, key=lambda c: c._waiting_since)
        victim._disarm()
        victim.transport.close()
        return True

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
        {
            "header_timeout": settings.admin_header_timeout,
            "max_connections": settings.admin_max_connections,
            "trusted_proxies": tuple(ipaddress.ip_network(n, strict=False) for n in settings.admin_trusted_proxies),
        },
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
