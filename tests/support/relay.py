"""Run the real relay (and its recording upstream) in-process, on free loopback ports.

    with RelayHarness() as h:                      # pass-everything decider, recording upstream
        smtplib.SMTP(h.host, h.port).sendmail(...)
        assert h.upstream.messages[0].data.endswith(body)

The servers live on an event loop in a background thread, so a test may be sync (smtplib) or
async (aiosmtplib on its own loop). `settings` are passed explicitly (tests clear MAILGUARD_*).
"""

from __future__ import annotations

import socket
from typing import Any

from mailguard.environment import load_settings
from mailguard.pipeline import Decider, Disposer
from mailguard.relay.server import RelayServer
from mailguard.runtime import Runtime

from .loop import ThreadLoop
from .upstream import RecordingUpstream


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RelayHarness:
    def __init__(
        self,
        *,
        upstream: RecordingUpstream | None = None,
        decider: Decider | None = None,
        disposer: Disposer | None = None,
        upstream_port: int | None = None,
        **settings: Any,
    ) -> None:
        self.upstream = upstream if upstream is not None else RecordingUpstream()
        self._decider = decider
        self._disposer = disposer
        self._upstream_port = upstream_port  # a fixed port overrides the recording upstream's
        self._settings = settings
        self.loop = ThreadLoop()
        self.server: RelayServer | None = None
        self.host = "127.0.0.1"
        self.port = 0

    def __enter__(self) -> RelayHarness:
        try:
            self.loop.run(self._start())
        except BaseException:
            self.loop.close()
            raise
        return self

    async def _start(self) -> None:
        port = self._upstream_port or await self.upstream.start()
        values: dict[str, Any] = {
            "listen": "127.0.0.1:0",
            "upstream_host": "127.0.0.1",
            "upstream_port": port,
            "hostname": "mailguard.test",
            **self._settings,
        }
        self.settings = load_settings(**values)
        runtime = Runtime(self.settings)
        if self._decider is not None:
            runtime.decider = self._decider
        runtime.disposer = self._disposer
        self.runtime = runtime
        self.server = RelayServer(runtime)
        await self.server.start()
        self.host, self.port = self.server.address

    def run(self, coro: Any, timeout: float = 30.0) -> Any:
        """Run a coroutine on the servers' loop."""
        return self.loop.run(coro, timeout)

    def stop(self, grace: float = 5.0) -> None:
        if self.server is not None:
            self.loop.run(self.server.stop(grace), timeout=grace + 10)
            self.server = None

    def __exit__(self, *exc: object) -> None:
        try:
            self.stop()
            self.loop.run(self.upstream.stop())
        finally:
            self.loop.close()
