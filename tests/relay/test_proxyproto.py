"""The PROXY protocol from a trusted balancer (issue 14, defect 6): client networks apply to
the real client haproxy names, never to the balancer; nobody else can claim an address."""

from __future__ import annotations

import ipaddress
import socket
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.relay import RelayHarness

MSG = b"Subject: proxied\r\n\r\nbody\r\n.\r\n"
V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def v1(client: str) -> bytes:
    family = "TCP6" if ":" in client else "TCP4"
    server = "::1" if family == "TCP6" else "127.0.0.1"
    return f"PROXY {family} {client} {server} 40000 25\r\n".encode()


def v2(client: str) -> bytes:
    """haproxy's `send-proxy-v2` header: PROXY command over TCP."""
    address = ipaddress.ip_address(client)
    if address.version == 4:
        body = address.packed + ipaddress.ip_address("127.0.0.1").packed + struct.pack("!HH", 40000, 25)
        family = 0x11
    else:
        body = address.packed + ipaddress.ip_address("::1").packed + struct.pack("!HH", 40000, 25)
        family = 0x21
    return V2_SIGNATURE + bytes([0x21, family]) + struct.pack("!H", len(body)) + body


def v2_local() -> bytes:
    return V2_SIGNATURE + bytes([0x20, 0x00]) + struct.pack("!H", 0)


def session(port: int, header: bytes, *, timeout: float = 10) -> list[bytes]:
    """Send the header, then one transaction; the server's reply lines, in order."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(header)
        reader = sock.makefile("rb")
        replies = []

        def reply() -> bytes:
            lines = []
            while line := reader.readline():
                lines.append(line)
                if line[3:4] != b"-":
                    break
            replies.append(b"".join(lines))
            return replies[-1]

        if not reply():
            return replies
        for command in (b"EHLO client.example\r\n", b"MAIL FROM:<a@example.org>\r\n", b"RCPT TO:<b@example.net>\r\n"):
            sock.sendall(command)
            if not reply().startswith(b"250"):
                return replies
        sock.sendall(b"DATA\r\n")
        if reply().startswith(b"354"):
            sock.sendall(MSG)
            reply()
        sock.sendall(b"QUIT\r\n")
        reply()
        return replies


@pytest.fixture(scope="module")
def behind_balancer() -> RelayHarness:
    # The balancer is loopback; only 192.0.2.0/24 and 2001:db8::/32 (the real clients) may relay.
    with RelayHarness(proxy_protocol_from=["127.0.0.0/8"], client_networks=["192.0.2.0/24", "2001:db8::/32"]) as h:
        yield h


@pytest.mark.parametrize("header", [v1, v2], ids=["v1", "v2"])
def test_the_real_client_decides_who_may_relay(behind_balancer: RelayHarness, header) -> None:
    allowed = session(behind_balancer.port, header("192.0.2.7"))
    assert allowed[-2].startswith(b"250"), allowed  # the reply to the final dot
    refused = session(behind_balancer.port, header("198.51.100.7"))
    assert refused[-1].startswith(b"5"), refused  # not a client network


@settings(derandomize=True, max_examples=25, deadline=None)
@given(
    client=st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str),
    version=st.sampled_from([v1, v2]),
)
def test_any_client_address_is_judged_by_the_client_networks(
    behind_balancer: RelayHarness, client: str, version
) -> None:
    """The class: whatever address the balancer names, relaying follows the client networks
    for that address, never the balancer's own (loopback here)."""
    may_relay = any(ipaddress.ip_address(client) in n for n in behind_balancer.settings.networks)
    replies = session(behind_balancer.port, version(client))
    assert any(r.startswith(b"354") for r in replies) == may_relay, (client, replies)


def test_a_balancer_without_a_header_gets_no_banner(behind_balancer: RelayHarness) -> None:
    replies = session(behind_balancer.port, b"EHLO no-header.example\r\n")
    assert replies == [b""]  # closed, no 220


def test_the_balancer_s_own_check_keeps_its_address(behind_balancer: RelayHarness) -> None:
    replies = session(behind_balancer.port, v2_local())
    assert replies[0].startswith(b"220")
    assert replies[-1].startswith(b"5")  # loopback is not a client network here


def test_nobody_else_can_claim_an_address() -> None:
    with RelayHarness(client_networks=["192.0.2.0/24"]) as h:  # no PROXY_PROTOCOL_FROM
        replies = session(h.port, v1("192.0.2.7"))
    assert replies[0].startswith(b"220")
    assert replies[1].startswith(b"500")  # "PROXY ..." is just an unknown command
