"""AUTH brute force: each failure is counted in mailguard_auth_failures_total and slows the
next guess; past the limit the address gets 421 4.7.0 before any password is checked."""

from __future__ import annotations

import base64
import socket
import ssl
import time
from pathlib import Path

from prometheus_client import REGISTRY
from relay.helpers import RawClient
from support.relay import RelayHarness

from attack.conftest import PASSWORD, client_tls
from mailguard.relay.smtp_auth import AuthThrottle


def failures_metric() -> float:
    return REGISTRY.get_sample_value("mailguard_auth_failures_total") or 0.0


def plain(user: str, password: str) -> str:
    return "AUTH PLAIN " + base64.b64encode(f"\0{user}\0{password}".encode()).decode()


class TLSClient(RawClient):
    """RawClient after EHLO + STARTTLS, from a chosen loopback source address."""

    def __init__(self, relay: RelayHarness, context: ssl.SSLContext, source: str = "127.0.0.1") -> None:
        raw = socket.create_connection((relay.host, relay.port), timeout=10, source_address=(source, 0))
        file = raw.makefile("rb")
        self.sock, self.file = raw, file
        self.greeting = self.reply()
        if not self.greeting.startswith("220"):
            return
        self.cmd("EHLO attacker.test")
        assert self.cmd("STARTTLS").startswith("220")
        file.close()
        self.sock = context.wrap_socket(raw, server_hostname="mailguard.test")
        self.file = self.sock.makefile("rb")
        assert "AUTH" in self.cmd("EHLO attacker.test")


def test_failures_are_slowed_counted_and_then_refused(pki: dict[str, Path], users_file: Path) -> None:
    settings = {"tls_cert_file": pki["cert"], "tls_key_file": pki["key"], "auth_users_file": users_file}
    with RelayHarness(client_networks="10.0.0.0/8", **settings) as relay:
        relay.server.context.auth_throttle = AuthThrottle(max_failures=4, delay_step=0.3, max_delay=0.6)
        context = client_tls(pki)
        before = failures_metric()
        c = TLSClient(relay, context)
        replies, pauses = [], []
        for guess in ("a", "b", "c"):
            started = time.monotonic()
            replies.append(c.cmd(plain("scanner", guess)))
            c.cmd("NOOP")  # answered only once the tarpit pause is over
            pauses.append(time.monotonic() - started)
        assert all(r.startswith("535 5.7.8") for r in replies), replies
        assert pauses[0] < 0.25 and pauses[1] >= 0.28 and pauses[2] >= 0.55, pauses
        assert c.cmd(plain("nobody", "x")).startswith("535")  # unknown users count the same
        assert c.reply().startswith("421 4.7.0")  # the 4th failure: limit reached, disconnected
        c.close()
        assert failures_metric() - before == 4

        # The address is now refused before any password is looked at, even the right one.
        blocked = TLSClient(relay, context)
        assert blocked.cmd(plain("scanner", PASSWORD)).startswith("421 4.7.0")
        blocked.close()

        # Another client address is not affected, and a success clears its own count.
        other = TLSClient(relay, context, source="127.0.0.2")
        assert other.cmd(plain("scanner", "wrong")).startswith("535")
        assert other.cmd(plain("scanner", PASSWORD)).startswith("235")
        assert other.cmd("MAIL FROM:<a@example.com>").startswith("250")  # authenticated: may relay
        other.close()
        assert relay.server.context.auth_throttle.failures("127.0.0.2") == 0


def test_throttle_window_and_memory_bound() -> None:
    now = [0.0]
    throttle = AuthThrottle(max_failures=2, window=60, clock=lambda: now[0])
    throttle.failed("192.0.2.1")
    throttle.failed("192.0.2.1")
    assert throttle.blocked("192.0.2.1")
    now[0] = 61
    assert not throttle.blocked("192.0.2.1") and throttle.failures("192.0.2.1") == 0
    throttle.MAX_TRACKED = 100
    for n in range(1000):
        throttle.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(throttle._failures) <= 100
