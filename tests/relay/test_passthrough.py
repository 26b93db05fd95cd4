"""A passing message reaches the upstream byte-for-byte, only trace headers prepended."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

import aiosmtplib
import pytest
from support.passthrough import strip_trace
from support.relay import RelayHarness
from support.upstream import RecordingUpstream

MSG = (
    b"From: Alice <a@example.com>\r\nTo: b@example.org\r\nSubject: hi\r\n\r\n"
    b"hello\r\n.starts with a dot\r\n..two dots\r\n.\r\n \r\nlast line without much\r\n"
)


def test_smtplib_byte_identical(relay: RelayHarness) -> None:
    with smtplib.SMTP(relay.host, relay.port) as client:
        assert client.sendmail("a@example.com", ["b@example.org"], MSG) == {}
    [got] = relay.upstream.messages
    assert (got.mail_from, got.rcpt_tos) == ("a@example.com", ("b@example.org",))
    assert strip_trace(got.data) == MSG


def test_trace_headers(relay: RelayHarness) -> None:
    with smtplib.SMTP(relay.host, relay.port, local_hostname="exchange.test") as client:
        client.sendmail("a@example.com", ["b@example.org"], MSG)
    data = relay.upstream.messages[0].data
    head = data[: data.index(b"From: ")]
    assert re.fullmatch(
        rb"Received: from exchange\.test \(\[127\.0\.0\.1\]\)\r\n"
        rb"\tby mailguard\.test \(mailguard\) with ESMTP id [0-9A-Z]{12}\r\n"
        rb"\tfor <b@example\.org>; [^\r\n]+\r\n"
        rb"X-Mailguard-Id: [0-9a-f]{16}\r\n",  # the recipient is outside: no verdict
        head,
    ), head


def test_verdict_header_can_be_turned_off() -> None:
    with RelayHarness(verdict_header=False) as relay, smtplib.SMTP(relay.host, relay.port) as client:
        client.sendmail("a@example.com", ["b@example.org", "c@example.net"], MSG)
        data = relay.upstream.messages[0].data
    assert b"X-Mailguard-Verdict" not in data
    assert strip_trace(data) == MSG
    assert relay.upstream.messages[0].rcpt_tos == ("b@example.org", "c@example.net")


async def test_aiosmtplib_client_and_null_sender(relay: RelayHarness) -> None:
    message = EmailMessage()
    message["From"] = "MAILER-DAEMON@example.com"
    message["To"] = "b@example.org"
    message["Subject"] = "Undeliverable: ü"
    message.set_content("bounce body ünïcödé\n" * 50)
    data = message.as_bytes().replace(b"\n", b"\r\n")
    async with aiosmtplib.SMTP(hostname=relay.host, port=relay.port, start_tls=False) as client:
        await client.mail("")
        await client.rcpt("b@example.org")
        reply = await client.data(data)
    assert reply.code == 250 and reply.message.startswith("2.0.0 Ok: queued as")
    [got] = relay.upstream.messages
    assert got.mail_from == "<>"
    assert strip_trace(got.data) == data


async def test_smtputf8_and_8bitmime_passed_on(relay: RelayHarness) -> None:
    data = "From: jörg@exämple.com\r\nTo: zoë@example.org\r\nSubject: ok\r\n\r\nGrüße\r\n".encode()
    async with aiosmtplib.SMTP(hostname=relay.host, port=relay.port, start_tls=False) as client:
        await client.ehlo()
        assert client.supports_extension("smtputf8") and client.supports_extension("8bitmime")
        await client.mail("jörg@exämple.com", options=["SMTPUTF8", "BODY=8BITMIME"], encoding="utf-8")
        await client.rcpt("zoë@example.org", encoding="utf-8")
        await client.data(data)
    [got] = relay.upstream.messages
    assert got.mail_from == "jörg@exämple.com" and got.rcpt_tos == ("zoë@example.org",)
    assert "SMTPUTF8" in got.mail_options and "BODY=8BITMIME" in got.mail_options
    assert strip_trace(got.data) == data


def test_smtputf8_address_refused_when_upstream_lacks_it() -> None:
    with RelayHarness(upstream=RecordingUpstream(smtputf8=False)) as relay:
        with smtplib.SMTP(relay.host, relay.port) as client:
            client.ehlo()
            code, _ = client.mail("jörg@exämple.com", ["SMTPUTF8"])
            assert code == 553
            assert client.mail("a@example.com", ["SMTPUTF8"])[0] == 250  # ASCII: dropped, goes on
            assert client.rcpt("b@example.org")[0] == 250
            assert client.data(MSG)[0] == 250
        assert "SMTPUTF8" not in relay.upstream.messages[0].mail_options


@pytest.mark.parametrize("size", [0, 1, 5000, 300_000])
def test_long_lines_and_sizes(relay: RelayHarness, size: int) -> None:
    body = b"x" * size + b"\r\n" + b"y" * 5000 + b"\r\n"  # lines far beyond 998 bytes
    msg = b"Subject: long\r\n\r\n" + body
    with smtplib.SMTP(relay.host, relay.port) as client:
        client.sendmail("a@example.com", ["b@example.org"], msg)
    assert strip_trace(relay.upstream.messages[0].data) == msg


def test_several_messages_on_one_connection_reuse_upstream(relay: RelayHarness) -> None:
    with smtplib.SMTP(relay.host, relay.port) as client:
        for n in range(3):
            client.sendmail("a@example.com", ["b@example.org"], MSG + b"%d\r\n" % n)
    with smtplib.SMTP(relay.host, relay.port) as client:
        client.sendmail("a@example.com", ["b@example.org"], MSG)
    assert len(relay.upstream.messages) == 4
    assert relay.upstream.connections == 1  # one pooled upstream connection for all four
