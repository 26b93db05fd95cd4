"""Connection caps and fair service (the short version of bench/load.py): past
MAILGUARD_MAX_CONNECTIONS a new client gets `421 4.7.0` and nothing else; slow clients
trickling a byte at a time hold only their own slots and do not slow anyone else down."""

from __future__ import annotations

import socket
import threading
import time

from relay.helpers import RawClient
from support.relay import RelayHarness

MSG = b"Subject: fair\r\n\r\nbody\r\n."


def test_total_cap_answers_421_and_frees_slots() -> None:
    with RelayHarness(max_connections=5, max_connections_per_client=50) as relay:
        held = [RawClient(relay.host, relay.port, timeout=10) for _ in range(5)]
        try:
            assert all(c.greeting.startswith("220") for c in held)
            for source in ("127.0.0.1", "127.0.0.9"):  # the total cap, whoever asks
                with socket.create_connection((relay.host, relay.port), timeout=10, source_address=(source, 0)) as s:
                    data = s.makefile("rb").read()  # the reply, then the server closes
                assert data == b"421 4.7.0 Too many connections, try again later\r\n"
            held.pop().cmd("QUIT")
            with RawClient(relay.host, relay.port) as c:  # a slot came free
                c.envelope()
                assert c.cmd("DATA").startswith("354")
                assert c.cmd(MSG).startswith("250")
        finally:
            for c in held:
                c.close()
        assert relay.server is not None
        limiter = relay.server.context.limiter
        deadline = time.monotonic() + 5
        while limiter.total and time.monotonic() < deadline:  # the closes reach the server
            time.sleep(0.02)
        assert limiter.total == 0  # every slot given back, refused connections took none


def trickle(host: str, port: int, source: str, stop: threading.Event) -> None:
    """One byte every 0.2 s into a transaction's data, until told to stop."""
    with socket.create_connection((host, port), timeout=30, source_address=(source, 0)) as s:
        s.recv(1024)
        script = b"EHLO slow\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: slow\r\n\r\n"
        for byte in script + b"y" * 1000:
            if stop.wait(0.2 if byte > 32 else 0.01):
                return
            s.sendall(bytes([byte]))


def test_slow_clients_do_not_slow_the_others() -> None:
    with RelayHarness(max_connections=40, max_connections_per_client=5) as relay:
        stop = threading.Event()
        slow = [
            threading.Thread(target=trickle, args=(relay.host, relay.port, f"127.0.1.{1 + i // 5}", stop))
            for i in range(20)
        ]
        for thread in slow:
            thread.start()
        try:
            time.sleep(1.0)  # the slow clients are mid-transaction
            # One address is at its cap of 5: the sixth gets 421 4.7.0 ...
            with socket.create_connection((relay.host, relay.port), timeout=10, source_address=("127.0.1.1", 0)) as s:
                assert s.makefile("rb").readline().startswith(b"421 4.7.0")
            # ... while everyone else is served at once.
            timings = []
            for _ in range(10):
                started = time.monotonic()
                with RawClient(relay.host, relay.port) as c:
                    c.envelope()
                    assert c.cmd("DATA").startswith("354")
                    assert c.cmd(MSG).startswith("250")
                timings.append(time.monotonic() - started)
            assert max(timings) < 1.0, timings
        finally:
            stop.set()
            for thread in slow:
                thread.join(10)
    assert len(relay.upstream.messages) == 10  # the trickled transactions were never completed
