"""Who may relay, TLS on both sides (a test CA), AUTH over TLS only, connection caps."""

from __future__ import annotations

import base64
import smtplib
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from prometheus_client import REGISTRY
from support.pki import write_pki
from support.relay import RelayHarness
from support.upstream import RecordingUpstream

from mailguard.relay.smtp_auth import hash_password
from relay.helpers import RawClient

MSG = b"Subject: tls\r\n\r\nbody\r\n"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def pki(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    folder = tmp_path_factory.mktemp("pki")
    yield write_pki(ca, folder)


def upstream_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


def client_tls(pki: dict[str, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pki["ca"]))


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users"
    path.write_text(f"# relay users\nscanner:{hash_password('s3cret', iterations=1000)}\n")
    return path


def test_client_outside_networks_cannot_relay() -> None:
    with RelayHarness(client_networks="10.0.0.0/8") as relay, RawClient(relay.host, relay.port) as c:
        c.cmd("EHLO x")
        assert c.cmd("MAIL FROM:<a@example.com>") == "554 5.7.1 Relay access denied"
        assert c.cmd("RCPT TO:<b@example.org>").startswith("503")  # no transaction, no relaying
    assert relay.upstream.messages == [] and relay.upstream.connections == 0


def test_tls_both_sides(pki: dict[str, Path], ca: trustme.CA) -> None:
    upstream = RecordingUpstream(tls_context=upstream_tls(ca), require_starttls=True)
    with RelayHarness(
        upstream=upstream,
        tls_cert_file=pki["cert"],
        tls_key_file=pki["key"],
        upstream_tls="require-starttls",
        upstream_ca_file=pki["ca"],
    ) as relay:
        with smtplib.SMTP(relay.host, relay.port) as client:
            client.ehlo()
            assert client.has_extn("starttls")
            client.starttls(context=client_tls(pki))
            assert client.sendmail("a@example.com", ["b@example.org"], MSG) == {}
    [got] = upstream.messages
    assert got.tls and got.data.endswith(MSG)
    assert b"with ESMTPS id" in got.data


def test_untrusted_upstream_certificate_is_4xx(ca: trustme.CA) -> None:
    before = REGISTRY.get_sample_value("mailguard_upstream_errors_total", {"kind": "tls"}) or 0
    upstream = RecordingUpstream(tls_context=upstream_tls(ca))
    with RelayHarness(upstream=upstream) as relay, RawClient(relay.host, relay.port) as c:  # system CAs only
        c.cmd("EHLO x")
        assert c.cmd("MAIL FROM:<a@example.com>").startswith("451 4.4.1")
    assert REGISTRY.get_sample_value("mailguard_upstream_errors_total", {"kind": "tls"}) == before + 1


def test_auth_only_over_tls_and_lets_outsiders_relay(pki: dict[str, Path], users_file: Path) -> None:
    with RelayHarness(
        client_networks="10.0.0.0/8",
        tls_cert_file=pki["cert"],
        tls_key_file=pki["key"],
        auth_users_file=users_file,
    ) as relay:
        with smtplib.SMTP(relay.host, relay.port) as client:
            client.ehlo()
            assert not client.has_extn("auth")
            assert client.docmd("AUTH", "PLAIN AHNjYW5uZXIAczNjcmV0")[0] == 538  # needs encryption
            client.starttls(context=client_tls(pki))
            client.ehlo()
            assert "PLAIN" in client.esmtp_features["auth"].split()
            with pytest.raises(smtplib.SMTPAuthenticationError):
                client.login("scanner", "wrong")
            client.login("scanner", "s3cret")
            assert client.sendmail("a@example.com", ["b@example.org"], MSG) == {}
        [got] = relay.upstream.messages
        assert b"with ESMTPSA id" in got.data


# 1.5 M iterations (~0.6 s here), made once: a check this slow must not stall other sessions.
SLOW_HASH = "pbkdf2_sha256$1500000$4J0Aezl54a+ffD796XyYYQ==$3tB6dkowojnl/avPY5uJqyjMOBFJjPLsLAc3lF0ZjUg="
SLOW_PASSWORD = "slow horse"


def test_password_check_does_not_block_other_sessions(pki: dict[str, Path], tmp_path: Path) -> None:
    users = tmp_path / "users"
    users.write_text(f"slow:{SLOW_HASH}\n")
    settings = {"tls_cert_file": pki["cert"], "tls_key_file": pki["key"], "auth_users_file": users}
    with RelayHarness(**settings) as relay, RawClient(relay.host, relay.port) as bystander:
        bystander.cmd("EHLO bystander.test")
        took: dict[str, float] = {}
        for user, password, code in (("slow", SLOW_PASSWORD, 235), ("nobody", "guess", 535)):
            sent, done = threading.Event(), {}
            worker = threading.Thread(target=timed_auth, args=(relay, pki, (user, password, code), sent, done))
            worker.start()
            assert sent.wait(10)
            time.sleep(0.05)  # the check is running
            started = time.monotonic()
            assert bystander.cmd("NOOP").startswith("250")
            noop_done = time.monotonic()
            worker.join(30)
            assert noop_done - started < 0.1, noop_done - started
            assert noop_done < done["auth"]  # answered while the check was still running
            took[user] = done["took"]
        # An unknown user costs a full check too, so the timing does not tell who exists.
        assert took["nobody"] > 0.5 * took["slow"] > 0.1, took


def timed_auth(
    relay: RelayHarness,
    pki: dict[str, Path],
    attempt: tuple[str, str, int],
    sent: threading.Event,
    done: dict[str, float],
) -> None:
    """AUTH PLAIN over STARTTLS; notes when the reply came and how long the check took."""
    user, password, code = attempt
    with smtplib.SMTP(relay.host, relay.port, timeout=30) as client:
        client.starttls(context=client_tls(pki))
        client.ehlo()
        started = time.monotonic()
        client.putcmd("AUTH", "PLAIN " + plain(user, password))
        sent.set()
        assert client.getreply()[0] == code
        done["auth"] = time.monotonic()
        done["took"] = done["auth"] - started


def plain(user: str, password: str) -> str:
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def test_auth_not_offered_without_users_file(pki: dict[str, Path]) -> None:
    with RelayHarness(tls_cert_file=pki["cert"], tls_key_file=pki["key"]) as relay:
        with smtplib.SMTP(relay.host, relay.port) as client:
            client.starttls(context=client_tls(pki))
            client.ehlo()
            assert not client.has_extn("auth")


def test_upstream_auth(pki: dict[str, Path], ca: trustme.CA) -> None:
    upstream = RecordingUpstream(tls_context=upstream_tls(ca), auth_users={"relay": "pw"})
    with RelayHarness(
        upstream=upstream, upstream_ca_file=pki["ca"], upstream_username="relay", upstream_password="pw"
    ) as relay:
        with smtplib.SMTP(relay.host, relay.port) as client:
            client.sendmail("a@example.com", ["b@example.org"], MSG)
    assert upstream.messages[0].auth_user == "relay"


def test_upstream_auth_failure_is_4xx(pki: dict[str, Path], ca: trustme.CA) -> None:
    upstream = RecordingUpstream(tls_context=upstream_tls(ca), auth_users={"relay": "pw"})
    with RelayHarness(
        upstream=upstream,
        upstream_ca_file=pki["ca"],
        upstream_username="relay",
        upstream_password="bad",
        upstream_timeout=3,  # aiosmtpd stalls on a second failed mechanism: a timeout, also 4xx
    ) as relay:
        with RawClient(relay.host, relay.port) as c:
            c.cmd("EHLO x")
            assert c.cmd("MAIL FROM:<a@example.com>").startswith("451 4.4.1")


def test_per_client_connection_cap() -> None:
    with RelayHarness(max_connections_per_client=2) as relay:
        first, second = RawClient(relay.host, relay.port), RawClient(relay.host, relay.port)
        try:
            assert first.greeting.startswith("220") and second.greeting.startswith("220")
            third = RawClient(relay.host, relay.port)
            assert third.greeting.startswith("421 4.7.0")
            third.close()
            first.cmd("QUIT")
            fourth = RawClient(relay.host, relay.port)
            assert fourth.greeting.startswith("220")
            fourth.close()
        finally:
            first.close()
            second.close()
