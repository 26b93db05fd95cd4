"""The whole of `mailguard serve`, in-process, on free loopback ports, for end-to-end tests.

    with Stack(rules_dir=..., register=..., data_dir=...) as s:   # settings as keywords
        code, text = s.send(data, "sam@council.example", ["ex.partner@gmail.com"])
        s.api().get("/api/quarantine")                              # real HTTP, bearer token
        s.wait_for(lambda m: b"Subject: x" in m.data)               # what the upstream got

Wired as `mailguard.cli.serve.serve` wires it: `build_runtime` (the real Scanner and the real
QuarantineStore), `RelayServer`, the admin app under uvicorn via `AdminServer` in the same
loop, and the background work. One difference: the outbox retries after 0.2 s, doubling,
instead of after 30 s, so "the upstream came back" takes a moment, not minutes. The servers
run on a background event loop, so tests are plain sync code (smtplib, httpx.Client).
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from mailguard.admin.app import create_app
from mailguard.cli.serve import AdminServer
from mailguard.environment import load_settings
from mailguard.quarantine.outbox import Outbox
from mailguard.relay.recorder import RecordedMessage
from mailguard.relay.server import RelayServer, bind_socket
from mailguard.runtime import Runtime, build_runtime
from mailguard.settings import Settings

from .loop import ThreadLoop
from .upstream import RecordingUpstream

ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef"

Match = Callable[[RecordedMessage], bool]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def send(
    host: str, port: int, data: bytes, mail_from: str, rcpts: Sequence[str]
) -> tuple[int, bytes]:
    """One transaction with a real SMTP client; the reply to the end of data."""
    with smtplib.SMTP(host, port, timeout=60) as client:
        client.ehlo("client.council.example")
        code, text = client.mail(mail_from)
        assert code == 250, (code, text)
        for rcpt in rcpts:
            code, text = client.rcpt(rcpt)
            assert code == 250, (rcpt, code, text)
        return client.data(data)


def wait_until(predicate: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """Poll until `predicate()` is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Upstream(RecordingUpstream):
    """The recording upstream, which can also go down hard: stop listening and drop every
    open connection (the relay's pooled ones too), as a crashed or restarted MTA does."""

    async def go_down(self) -> None:
        server = self._server
        await self.stop()
        self.drop_connections()
        if server is not None:
            await server.wait_closed()


class Stack:
    def __init__(
        self,
        *,
        upstream: Upstream | None = None,
        retry_delay: float = 0.2,
        poll_interval: float = 0.05,
        public_admin_url: bool = False,
        **settings: Any,
    ) -> None:
        self.upstream = upstream if upstream is not None else Upstream()
        self._retry_delay = retry_delay
        self._poll = poll_interval
        self._public = public_admin_url  # MAILGUARD_ADMIN_PUBLIC_URL = the admin listener's own URL
        self._values = settings
        self.loop = ThreadLoop()
        self.runtime: Runtime | None = None
        self.relay: RelayServer | None = None
        self.admin: AdminServer | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        try:
            self.loop.run(self._start())
            wait_until(lambda: self.admin is not None and self.admin.server.started, 10, "the admin server")
        except BaseException:
            self.__exit__()
            raise
        return self

    async def _start(self) -> None:
        upstream_port = await self.upstream.start()
        admin_sock = bind_socket("127.0.0.1", 0)
        admin_host, admin_port = admin_sock.getsockname()[:2]
        values: dict[str, Any] = {
            "listen": "127.0.0.1:0",
            "admin_listen": f"{admin_host}:{admin_port}",
            "admin_token": ADMIN_TOKEN,
            "upstream_host": "127.0.0.1",
            "upstream_port": upstream_port,
            "upstream_tls": "none",
            "upstream_timeout": 5.0,
            "hostname": "mailguard.test",
            "extract_workers": 1,
            "outbox_poll_interval": self._poll,
            "outbox_retry_delay": self._retry_delay,
            **({"admin_public_url": f"http://{admin_host}:{admin_port}"} if self._public else {}),
            **self._values,
        }
        self.settings: Settings = load_settings(**values)
        self.runtime = runtime = await build_runtime(self.settings)
        self.relay = RelayServer(runtime)
        await self.relay.start()
        self.host, self.port = self.relay.address
        self.admin_url = f"http://{admin_host}:{admin_port}"
        self.admin = AdminServer(create_app(runtime), admin_sock, runtime.settings, "warning")
        self.admin.start()
        runtime.start_background(watch_interval=self._poll)  # as `mailguard serve` does

    def __exit__(self, *exc: object) -> None:
        try:
            self.loop.run(self._stop(), timeout=60)
        finally:
            self.loop.close()

    async def _stop(self) -> None:
        if self.relay is not None:
            await self.relay.stop(grace=5.0)
        if self.admin is not None:
            await self.admin.stop()
        if self.runtime is not None:
            await self.runtime.aclose()
        await self.upstream.stop()

    # --- talking to it --------------------------------------------------------------------

    def send(self, data: bytes, mail_from: str, rcpts: Sequence[str]) -> tuple[int, bytes]:
        return send(self.host, self.port, data, mail_from, rcpts)

    def api(self, token: str | None = ADMIN_TOKEN) -> httpx.Client:
        """An HTTP client for the admin listener (with the bearer token, unless None)."""
        headers = bearer(token) if token is not None else {}
        return httpx.Client(base_url=self.admin_url, headers=headers, timeout=30)

    def call(self, coro: Any, timeout: float = 30.0) -> Any:
        """Run a coroutine on the servers' loop (e.g. the store's own methods)."""
        return self.loop.run(coro, timeout)

    # --- what the upstream got --------------------------------------------------------------

    def delivered(self, match: Match) -> list[RecordedMessage]:
        return [m for m in list(self.upstream.messages) if match(m)]

    def wait_for(self, match: Match, count: int = 1, timeout: float = 15.0) -> list[RecordedMessage]:
        """Wait until at least `count` delivered messages match; return all that match."""

        def enough() -> list[RecordedMessage]:
            found = self.delivered(match)
            return found if len(found) >= count else []

        return wait_until(enough, timeout, f"{count} matching deliveries")  # type: ignore[no-any-return]

    def outbox_idle(self, timeout: float = 15.0) -> None:
        """Wait until the outbox has nothing pending or in flight."""
        assert self.runtime is not None
        outbox = Outbox(self.runtime.store)
        wait_until(lambda: self.call(outbox.pending()) == 0, timeout, "an empty outbox")
