"""The admin listener behind a TCP balancer (issue 12, item 8): a trusted proxy's PROXY protocol
header names the client, so the token throttle counts each reviewer and each attacker apart.

Before: every connection through the balancer came from its address, so one attacker's ten
wrong tokens throttled every reviewer's address (and a wrong-token throttle per address could
not tell them apart). A PROXY header from anyone but a trusted proxy is never believed."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.proxy_protocol import V2_SIGNATURE
from hypothesis import given, settings
from hypothesis import strategies as st
from support.crash import admin_relay
from support.relay import free_port
from support.serveproc import wait_port
from support.upstream import RecordingUpstream, serving

from mailguard.admin.tokens import API_FAILURE_LIMIT
from mailguard.proxyheader import header_length, parse_header

TOKEN = "admin-0123456789abcdef0123456789abcdef"
PROXY = "127.0.0.5"  # the trusted balancer


def v1(client: str, port: int = 40000) -> bytes:
    return f"PROXY TCP4 {client} 127.0.0.1 {port} 8025\r\n".encode()


def v2(client: str, port: int = 40000, local: bool = False) -> bytes:
    body = ipaddress.IPv4Address(client).packed + bytes([127, 0, 0, 1]) + struct.pack("!HH", port, 8025)
    command = 0x20 if local else 0x21  # version 2, LOCAL or PROXY
    return V2_SIGNATURE + bytes([command, 0x11]) + struct.pack("!H", len(body)) + body


def request(token: str | None, path: str = "/api/quarantine") -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n".encode()


# --- the header's framing, without a server --------------------------------------------------------


@settings(derandomize=True, max_examples=200)
@given(
    st.sampled_from([v1, v2]),
    st.ip_addresses(v=4).map(str),
    st.integers(1, 65535),
    st.binary(max_size=40),
)
def test_every_prefix_waits_and_the_whole_header_is_measured(make, client: str, port: int, tail: bytes) -> None:
    header = make(client, port)
    for cut in range(len(header)):
        assert header_length(header[:cut]) is None, cut
    assert header_length(header + tail) == len(header)
    parsed = parse_header(header)
    assert parsed.valid and str(parsed.src_addr) == client and parsed.src_port == port


@pytest.mark.parametrize("start", [b"GET / HTTP/1.1\r\n", b"POST", b"\r\nGET", b"PROXX", b"P\r\n"])
def test_plain_http_is_no_header(start: bytes) -> None:
    assert header_length(start) == 0


def test_a_malformed_header_is_measured_and_refused() -> None:
    for bad in (b"PROXY TCP4 nonsense\r\n", b"PROXY " + b"9" * 120):
        length = header_length(bad)
        assert length and not parse_header(bad[:length]).valid


# --- a real `mailguard serve` ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def admin_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    folder = tmp_path_factory.mktemp("admin-proxy")
    with (
        serving(RecordingUpstream()) as upstream,
        admin_relay(
            folder, upstream.port, admin_token=TOKEN, admin_trusted_proxies=f"{PROXY}/32", admin_header_timeout=3.0
        ) as (relay, port),
    ):
        yield port
    assert "Traceback" not in relay.log_text()


def ask(port: int, source: str, *pieces: bytes) -> int:
    """Send `pieces` (a short pause between them: a header may arrive in parts); the status, 0 for none."""
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as s:
        for n, piece in enumerate(pieces):
            if n:
                time.sleep(0.05)
            s.sendall(piece)
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


@pytest.mark.parametrize("make", [v1, v2], ids=["v1", "v2"])
def test_behind_the_balancer_each_client_is_throttled_alone(admin_port: int, make) -> None:
    attacker, reviewer = ("203.0.113.7", "203.0.113.8") if make is v1 else ("198.51.100.7", "198.51.100.8")
    statuses = [ask(admin_port, PROXY, make(attacker), request(f"wrong-{n}")) for n in range(API_FAILURE_LIMIT + 1)]
    assert statuses == [401] * API_FAILURE_LIMIT + [429]
    # Another client through the same balancer is not throttled for the attacker's guesses ...
    assert ask(admin_port, PROXY, make(reviewer), request("a-typo")) == 401
    # ... the balancer's own address was never the one counted ...
    assert ask(admin_port, PROXY, request("a-typo-direct")) == 401
    # ... and a valid token works for everyone, the attacker's address included.
    assert ask(admin_port, PROXY, make(attacker), request(TOKEN)) == 200


def test_a_header_in_pieces_is_still_read(admin_port: int) -> None:
    header = v2("192.0.2.44")
    pieces = [header[:3], header[3:14], header[14:20], header[20:] + request("wrong")[:10], request("wrong")[10:]]
    assert ask(admin_port, PROXY, *pieces) == 401


def test_the_balancer_may_connect_without_a_header(admin_port: int) -> None:
    """Its health checks (plain, or a v2 LOCAL header) and an HTTP proxy's X-Forwarded-For."""
    assert ask(admin_port, PROXY, request(None, "/healthz")) == 200
    assert ask(admin_port, PROXY, v2("0.0.0.0", 0, local=True), request(None, "/healthz")) == 200


def test_a_header_from_anyone_else_is_not_believed(admin_port: int) -> None:
    stranger = "127.0.0.30"
    for n in range(API_FAILURE_LIMIT):
        assert ask(admin_port, stranger, request(f"guess-{n}")) == 401
    # Claiming another address does not escape the throttle: the header is not read as one.
    assert ask(admin_port, stranger, v1("203.0.113.99"), request("guess-x")) in (0, 400)
    assert ask(admin_port, stranger, request("guess-y")) == 429


def test_a_malformed_header_from_the_balancer_closes_the_connection(admin_port: int) -> None:
    assert ask(admin_port, PROXY, b"PROXY TCP4 not-an-address\r\n", request(TOKEN)) == 0


HAPROXY_CONFIG = """
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend admin
    bind 127.0.0.1:{front}
    default_backend relay_admin
backend relay_admin
    server relay 127.0.0.1:{admin} source {proxy} send-proxy-v2
"""


@pytest.mark.skipif(not shutil.which("haproxy"), reason="haproxy (Debian package) not installed")
def test_through_the_shipped_balancer(admin_port: int, tmp_path: Path) -> None:
    """haproxy in TCP mode with send-proxy-v2, as deploy/haproxy/haproxy.cfg has it."""
    front = free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(HAPROXY_CONFIG.format(front=front, admin=admin_port, proxy=PROXY))
    balancer = subprocess.Popen(
        ["haproxy", "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_port("127.0.0.1", front, 10)
        attacker, reviewer = "127.0.0.41", "127.0.0.42"
        statuses = [ask(front, attacker, request(f"stolen-{n}")) for n in range(API_FAILURE_LIMIT + 1)]
        assert statuses == [401] * API_FAILURE_LIMIT + [429]
        assert ask(front, reviewer, request("a-typo")) == 401  # before: 429, the balancer's address was throttled
        assert ask(front, reviewer, request(TOKEN)) == 200
    finally:
        balancer.terminate()
        balancer.wait(10)
