"""MAIL and RCPT go upstream in lockstep; every upstream failure is a 4xx, never a lost message."""

from __future__ import annotations

import smtplib

import pytest
from support.relay import RelayHarness, free_port
from support.upstream import Behaviour, RecordingUpstream

from relay.helpers import RawClient

MSG = b"Subject: t\r\n\r\nbody\r\n"


def test_recipient_refusal_reaches_client_at_rcpt() -> None:
    upstream = RecordingUpstream(
        Behaviour(
            refuse={"nobody@example.org": "550 5.1.1 No such user here", "full@example.org": "452 4.2.2 Full"}
        )
    )
    with RelayHarness(upstream=upstream) as relay, RawClient(relay.host, relay.port) as c:
        assert c.cmd("EHLO x").startswith("250")
        assert c.cmd("MAIL FROM:<a@example.com>").startswith("250")
        assert c.cmd("RCPT TO:<nobody@example.org>") == "550 5.1.1 No such user here"
        assert c.cmd("RCPT TO:<full@example.org>") == "452 4.2.2 Full"
        assert c.cmd("RCPT TO:<ok@example.org>").startswith("250")
        assert c.cmd("DATA").startswith("354")
        assert c.cmd(MSG + b".").startswith("250 2.0.0 Ok: queued as")
        assert c.cmd("QUIT").startswith("221")
    assert upstream.messages[0].rcpt_tos == ("ok@example.org",)


def test_smtplib_sees_partial_refusal() -> None:
    upstream = RecordingUpstream(Behaviour(refuse={"x@example.org": "550 5.1.1 Unknown"}))
    with RelayHarness(upstream=upstream) as relay, smtplib.SMTP(relay.host, relay.port) as client:
        refused = client.sendmail("a@example.com", ["x@example.org", "y@example.org"], MSG)
    assert refused == {"x@example.org": (550, b"5.1.1 Unknown")}


def test_all_recipients_refused_means_no_data() -> None:
    upstream = RecordingUpstream(Behaviour(refuse={"x@example.org": "550 5.1.1 Unknown"}))
    with RelayHarness(upstream=upstream) as relay, RawClient(relay.host, relay.port) as c:
        c.envelope(rcpts=())
        assert c.cmd("RCPT TO:<x@example.org>").startswith("550")
        assert c.cmd("DATA").startswith("503")
    assert upstream.messages == []


def test_upstream_refusing_mail_is_relayed() -> None:
    upstream = RecordingUpstream(Behaviour(mail_reply="421 4.3.2 Upstream busy"))
    with RelayHarness(upstream=upstream) as relay, RawClient(relay.host, relay.port) as c:
        c.cmd("EHLO x")
        assert c.cmd("MAIL FROM:<a@example.com>") == "421 4.3.2 Upstream busy"


def test_upstream_down_at_mail_is_4xx() -> None:
    with RelayHarness(upstream_port=free_port()) as relay, RawClient(relay.host, relay.port) as c:
        c.cmd("EHLO x")
        reply = c.cmd("MAIL FROM:<a@example.com>")
        assert reply.startswith("451 4.4.1"), reply
        assert "refused" not in reply.lower() and "errno" not in reply.lower()  # no internal detail


def test_upstream_dropping_mid_data_is_4xx_and_nothing_acknowledged() -> None:
    upstream = RecordingUpstream(Behaviour(drop_in_data=True))
    with RelayHarness(upstream=upstream) as relay, smtplib.SMTP(relay.host, relay.port) as client:
        with pytest.raises(smtplib.SMTPDataError) as err:
            client.sendmail("a@example.com", ["b@example.org"], MSG)
        assert err.value.smtp_code == 451 and err.value.smtp_error.startswith(b"4.4.2")
        upstream.behaviour.drop_in_data = False  # the client retries and the upstream is back
        assert client.sendmail("a@example.com", ["b@example.org"], MSG) == {}
    assert len(upstream.messages) == 1


def test_upstream_refusing_the_message_is_relayed() -> None:
    upstream = RecordingUpstream(Behaviour(data_reply="554 5.6.0 Message rejected upstream"))
    with RelayHarness(upstream=upstream) as relay, smtplib.SMTP(relay.host, relay.port) as client:
        with pytest.raises(smtplib.SMTPDataError) as err:
            client.sendmail("a@example.com", ["b@example.org"], MSG)
    assert (err.value.smtp_code, err.value.smtp_error) == (554, b"5.6.0 Message rejected upstream")


def test_client_rset_aborts_upstream_transaction(relay: RelayHarness) -> None:
    with RawClient(relay.host, relay.port) as c:
        c.envelope()
        assert c.cmd("RSET").startswith("250")
        c.envelope()
        assert c.cmd("DATA").startswith("354")
        assert c.cmd(MSG + b".").startswith("250")
    assert relay.upstream.rsets == 1
    assert len(relay.upstream.messages) == 1 and relay.upstream.connections == 1


def test_client_vanishing_mid_transaction_frees_upstream(relay: RelayHarness) -> None:
    with RawClient(relay.host, relay.port) as c:
        c.envelope()
    with smtplib.SMTP(relay.host, relay.port) as client:
        client.sendmail("a@example.com", ["b@example.org"], MSG)
    assert len(relay.upstream.messages) == 1
