"""Hostile command streams: STARTTLS command injection, over-long lines and commands,
pipelining floods, bogus-command floods. The relay answers each as SMTP says, keeps memory
bounded, never relays what was injected, and never answers from an exception."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from relay.helpers import RawClient
from support.relay import RelayHarness

from attack.conftest import client_tls


@pytest.fixture(scope="module")
def relay() -> RelayHarness:
    with RelayHarness() as harness:
        yield harness


def test_commands_pipelined_with_starttls_are_discarded(pki: dict[str, Path]) -> None:
    with RelayHarness(tls_cert_file=pki["cert"], tls_key_file=pki["key"]) as relay:
        raw = socket.create_connection((relay.host, relay.port), timeout=10)
        file = raw.makefile("rb")
        c = RawClient.__new__(RawClient)
        c.sock, c.file = raw, file
        c.greeting = c.reply()
        c.cmd("EHLO attacker.test")
        # The injection (CVE-2011-0411 style): plaintext commands after STARTTLS in one write.
        c.send(b"STARTTLS\r\nMAIL FROM:<evil@attacker.test>\r\nRCPT TO:<victim@example.org>\r\n")
        assert c.reply().startswith("220")
        file.close()
        c.sock = client_tls(pki).wrap_socket(raw, server_hostname="mailguard.test")
        c.file = c.sock.makefile("rb")
        # No reply to the injected commands may appear inside TLS, and they did not take effect.
        assert c.cmd("EHLO attacker.test").startswith("250")
        assert c.cmd("RCPT TO:<victim@example.org>").startswith("503")  # no MAIL is in force
        c.envelope(mail_from="real@example.com", rcpts=("b@example.org",))
        assert c.cmd("DATA").startswith("354")
        assert c.cmd(b"Subject: after tls\r\n\r\nok\r\n.").startswith("250")
        c.close()
    [message] = relay.upstream.messages
    assert message.mail_from == "real@example.com" and message.rcpt_tos == ("b@example.org",)


@pytest.mark.parametrize(
    "line",
    [
        b"NOOP " + b"A" * 5_000,
        b"MAIL FROM:<" + b"a" * 3_000 + b"@example.com>",
        b"RCPT TO:<b@" + b"x." * 2_000 + b"example.org>",
        b"EHLO " + b"h" * 100_000,
        b"X" * 3_000_000,  # 3 MB without a line end until the very last bytes
    ],
    ids=["noop-5k", "mail-3k", "rcpt-4k", "ehlo-100k", "junk-3MB"],
)
def test_over_long_commands_are_refused_and_the_session_goes_on(relay: RelayHarness, line: bytes) -> None:
    with RawClient(relay.host, relay.port, timeout=30) as c:
        c.cmd("EHLO x")
        if line.startswith(b"RCPT"):
            assert c.cmd("MAIL FROM:<a@example.com>").startswith("250")
        reply = c.cmd(line)
        assert reply.startswith("500") and "too long" in reply.lower(), reply
        assert c.cmd("NOOP").startswith("250")
        assert c.cmd("RSET").startswith("250")


def test_long_address_just_under_the_command_limit(relay: RelayHarness) -> None:
    """aiosmtpd's MAIL limit is 512 + 26 per SIZE/BODY parameter: a long but legal address."""
    local = "l" * 64
    domain = ".".join(["d" * 60] * 3) + ".example"
    with RawClient(relay.host, relay.port) as c:
        c.cmd("EHLO x")
        assert c.cmd(f"MAIL FROM:<{local}@{domain}>").startswith("250")
        assert c.cmd(f"RCPT TO:<{local}@{domain}>").startswith("250")
        assert c.cmd("DATA").startswith("354")
        assert c.cmd(b"Subject: long\r\n\r\nx\r\n.").startswith("250")


def test_pipelining_flood_is_answered_in_order_with_backpressure(relay: RelayHarness) -> None:
    """20,000 commands in one stream, written without reading: every one is answered, in
    order (the relay stops reading while its replies are not taken: memory stays bounded)."""
    count = 20_000
    commands = b"".join(b"MAIL FROM:<a@example.com>\r\nRSET\r\n" if n % 2 else b"NOOP\r\n" for n in range(count))
    expected = sum(2 if n % 2 else 1 for n in range(count))
    with RawClient(relay.host, relay.port, timeout=60) as c:
        c.cmd("EHLO x")
        writer = threading.Thread(target=c.send, args=(commands,))
        writer.start()
        codes = [c.reply()[:3] for _ in range(expected)]
        writer.join(60)
        assert c.cmd("QUIT").startswith("221")
    assert set(codes) == {"250"}, {code for code in codes if code != "250"}
    assert relay.upstream.messages == [] or all(m.mail_from != "a@example.com" for m in relay.upstream.messages)


def test_pipelined_transaction_with_refused_recipient_injects_nothing() -> None:
    """A pipelined group whose RCPT is refused: DATA is refused and the "message" lines that
    follow are read as commands. None of them may become a relayed message."""
    with RelayHarness(client_networks="10.0.0.0/8") as relay, RawClient(relay.host, relay.port) as c:
        c.cmd("EHLO x")
        c.send(
            b"MAIL FROM:<a@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
            b"MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nforged\r\n.\r\nQUIT\r\n"
        )
        replies = []
        while True:
            try:
                replies.append(c.reply())
            except ConnectionError:
                break
        assert replies[-1].startswith("221")
        assert not any(r.startswith(("250 2.0.0", "354")) for r in replies), replies
    assert relay.upstream.messages == [] and relay.upstream.connections == 0


def test_bogus_command_flood_is_cut_off(relay: RelayHarness) -> None:
    with RawClient(relay.host, relay.port) as c:
        c.send(b"".join(b"XYZZY %d\r\n" % n for n in range(200)))
        replies = []
        while True:
            try:
                replies.append(c.reply())
            except (ConnectionError, OSError):
                break
    assert replies[-1].startswith("502 5.5.1"), replies[-1]  # aiosmtpd's bogus-command limit
    assert len(replies) < 200


def test_tls_handshake_garbage_does_not_hurt_the_listener(pki: dict[str, Path]) -> None:
    with RelayHarness(tls_cert_file=pki["cert"], tls_key_file=pki["key"]) as relay:
        with RawClient(relay.host, relay.port) as c:
            c.cmd("EHLO x")
            assert c.cmd("STARTTLS").startswith("220")
            c.send(b"\x16\x03\x01\x02\x00" + b"\xff" * 600)  # a broken ClientHello
        with RawClient(relay.host, relay.port) as c:
            c.cmd("EHLO x")
            assert c.cmd("STARTTLS").startswith("220")
            tls = client_tls(pki).wrap_socket(c.sock, server_hostname="mailguard.test")
            tls.sendall(b"EHLO x\r\n")
            assert tls.recv(4096).startswith(b"250")
            tls.close()
        with RawClient(relay.host, relay.port) as c:  # still serving
            assert c.cmd("NOOP").startswith("250")


def test_ehlo_reply_is_one_write(relay: RelayHarness) -> None:
    """Regression: aiosmtpd wrote each EHLO line separately, and nmap's smtp library (which reads
    a reply with one recv) fell out of step and reported an open relay that was not there."""
    with socket.create_connection((relay.host, relay.port), timeout=10) as s:
        s.recv(1024)
        s.sendall(b"EHLO x\r\n")
        first = s.recv(65536)
    assert first.endswith(b"250 HELP\r\n") and first.startswith(b"250-"), first


@pytest.mark.parametrize("greeting", ["HELO", "EHLO"])
def test_bad_helo_mid_transaction_keeps_both_sides_in_step(relay: RelayHarness, greeting: str) -> None:
    """Regression (found by fuzz_smtp): a HELO/EHLO without a hostname is refused 501 and
    leaves the client's transaction open; it aborted the upstream one all the same, so every
    RCPT after it got 451 (and a new MAIL 503) until the client sent RSET."""
    with RawClient(relay.host, relay.port) as c:
        assert c.cmd("EHLO x").startswith("250")
        assert c.cmd("MAIL FROM:<a@example.com>").startswith("250")
        assert c.cmd(greeting).startswith("501")
        assert c.cmd("RCPT TO:<b@example.org>").startswith("250")
        assert c.cmd("DATA").startswith("354")
        assert c.cmd(b"Subject: after a bad helo\r\n\r\nok\r\n.").startswith("250")
