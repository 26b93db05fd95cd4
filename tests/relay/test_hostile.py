"""Hostile and odd input: smuggling, control characters, limits, bare line ends."""

from __future__ import annotations

import re
import smtplib

import pytest
from support.relay import RelayHarness

from relay.helpers import RawClient

HEAD = b"From: a@example.com\r\nTo: b@example.org\r\nSubject: smuggle\r\n\r\nfirst\r\n"
SMUGGLED = b"MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nforged\r\n"

# The public smtpsmug vectors: each "end of data" a lenient server might honour.
VECTORS = [
    b"\n.\n",
    b"\n.\r\n",
    b"\r.\r\n",
    b"\r\n.\r",
    b"\r.\r",
    b"\r\n\x00.\r\n",
    b"\r\n.\x00\r\n",
    b"\n\x00.\n",
]


@pytest.mark.parametrize("vector", VECTORS, ids=[repr(v) for v in VECTORS])
def test_smuggling_vectors_stay_content(relay: RelayHarness, vector: bytes) -> None:
    with RawClient(relay.host, relay.port) as c:
        c.envelope()
        assert c.cmd("DATA").startswith("354")
        c.send(HEAD + vector + SMUGGLED + b"\r\n.\r\n")
        assert c.reply().startswith("250 2.0.0")
        assert c.cmd("QUIT").startswith("221")
    [got] = relay.upstream.messages  # one message, not two
    assert got.rcpt_tos == ("b@example.org",)
    assert b"MAIL FROM:<evil@example.com>\r\n" in got.data and b"forged\r\n" in got.data
    # what went upstream has CRLF line ends only
    body = got.data
    assert body.count(b"\n") == body.count(b"\r\n") == body.count(b"\r")


@pytest.mark.parametrize(
    "address",
    [
        '<"x\rRCPT TO:<evil@x>"@example.org>',
        "<b\x00c@example.org>",
        "<b\x1b@example.org>",
        "<a\tb@example.org>",
    ],
)
def test_control_characters_in_envelope(relay: RelayHarness, address: str) -> None:
    with RawClient(relay.host, relay.port) as c:
        c.cmd("EHLO x")
        assert c.cmd(f"MAIL FROM:{address}".encode()).startswith("501 5.1.3")
        assert c.cmd("MAIL FROM:<a@example.com>").startswith("250")
        assert c.cmd(f"RCPT TO:{address}".encode()).startswith("501 5.1.3")
    assert relay.upstream.messages == []


def test_oversize_message_552() -> None:
    with RelayHarness(max_message_size=10_000) as relay, RawClient(relay.host, relay.port) as c:
        assert "250-SIZE 10000" in c.cmd("EHLO x")
        assert c.cmd("MAIL FROM:<a@example.com> SIZE=20000").startswith("552")
        c.envelope()
        assert c.cmd("DATA").startswith("354")
        c.send(b"Subject: big\r\n\r\n" + b"x" * 998 + b"\r\n" * 0 + (b"y" * 500 + b"\r\n") * 40 + b".\r\n")
        assert c.reply().startswith("552 5.3.4")
        c.envelope()  # the session goes on; the upstream transaction was aborted
        assert c.cmd("DATA").startswith("354")
        assert c.cmd(b"Subject: small\r\n\r\nok\r\n.").startswith("250")
    assert len(relay.upstream.messages) == 1


def test_recipient_limit_452() -> None:
    with RelayHarness(max_recipients=3) as relay, RawClient(relay.host, relay.port) as c:
        c.envelope(rcpts=("r1@example.org", "r2@example.org", "r3@example.org"))
        assert c.cmd("RCPT TO:<r4@example.org>").startswith("452 4.5.3")
        assert c.cmd("DATA").startswith("354")
        assert c.cmd(b"Subject: x\r\n\r\nok\r\n.").startswith("250")
    assert len(relay.upstream.messages[0].rcpt_tos) == 3


def test_bare_lf_legacy_sender_gets_through(relay: RelayHarness) -> None:
    # smtplib handed bytes sends them as they are: bare LF lines, dot-stuffed after each LF
    legacy = b"Subject: scan\n\n" + b"A" * 3000 + b"\n.hidden dot\n..two\nend\n"
    with smtplib.SMTP(relay.host, relay.port) as client:
        assert client.sendmail("scanner@example.com", ["b@example.org"], legacy) == {}
    data = relay.upstream.messages[0].data
    expected = legacy.replace(b"\n", b"\r\n")
    assert data.endswith(expected) and data.count(expected) == 1


def test_bare_lf_rejected_when_configured() -> None:
    with RelayHarness(bare_newline="reject") as relay, smtplib.SMTP(relay.host, relay.port) as client:
        with pytest.raises(smtplib.SMTPDataError) as err:
            client.sendmail("a@example.com", ["b@example.org"], b"Subject: x\n\nbare\n")
        assert err.value.smtp_code == 550 and err.value.smtp_error.startswith(b"5.5.2")
        assert client.sendmail("a@example.com", ["b@example.org"], b"Subject: x\r\n\r\nfine\r\n") == {}
    assert len(relay.upstream.messages) == 1


def test_empty_message_and_pipelined_commands(relay: RelayHarness) -> None:
    with RawClient(relay.host, relay.port) as c:
        assert "250-PIPELINING" in c.cmd("EHLO x")
        c.send(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        assert [c.reply()[:3] for _ in range(3)] == ["250", "250", "354"]
        c.send(b".\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n")
        assert [c.reply()[:3] for _ in range(4)] == ["250", "250", "250", "354"]
        c.send(b"second\r\n.\r\nQUIT\r\n")
        assert c.reply().startswith("250") and c.reply().startswith("221")
    first, second = relay.upstream.messages
    assert re.search(rb"X-Mailguard-Id: [0-9a-f]{16}\r\n$", first.data)
    assert re.search(rb"X-Mailguard-Id: [0-9a-f]{16}\r\nsecond\r\n$", second.data)


def test_no_exception_reaches_client_as_5xx() -> None:
    async def broken(envelope: object, data: bytes) -> object:
        raise RuntimeError("secret internal detail")

    with RelayHarness(decider=broken) as relay, RawClient(relay.host, relay.port) as c:
        c.envelope()
        c.cmd("DATA")
        reply = c.cmd(b"Subject: x\r\n\r\nhi\r\n.")
        assert reply == "451 4.3.0 Temporary local problem, try again later"
    assert relay.upstream.messages == [] and relay.upstream.rsets == 1
