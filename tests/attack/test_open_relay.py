"""Open-relay attempts from outside MAILGUARD_CLIENT_NETWORKS (loopback excluded, so this
test's client is an outsider): every address trick is refused and nothing reaches the
upstream; nmap's smtp-open-relay script agrees (and, as a control, does flag a relay for
which loopback is a client network)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from relay.helpers import RawClient
from support.relay import RelayHarness

OUTSIDE = "10.0.0.0/8"  # the client networks; 127.0.0.1 is not in them

TRICKS = [
    "victim@example.org",
    "victim%example.org@mailguard.test",  # percent hack
    "example.org!victim",  # bang path
    "example.org!victim@mailguard.test",
    "victim@[192.0.2.10]",  # address literal
    "victim%example.org@[127.0.0.1]",
    '"victim@example.org"',  # quoted local part, no domain
    '"victim@example.org"@mailguard.test',
    '"victim%example.org"@mailguard.test',
    "@mailguard.test:victim@example.org",  # source route
    "@a.example,@b.example:victim@example.org",
    "victim@example.org@mailguard.test",
    "victim@example.org.",
    "<victim@example.org>",  # nested brackets
    "postmaster",  # bare local parts the relay might deem local
    "victim",
]


@pytest.fixture(scope="module")
def outside_relay() -> RelayHarness:
    with RelayHarness(client_networks=OUTSIDE) as relay:
        yield relay


@pytest.mark.parametrize("rcpt", TRICKS)
def test_address_tricks_from_outside_are_refused(outside_relay: RelayHarness, rcpt: str) -> None:
    with RawClient(outside_relay.host, outside_relay.port) as c:
        assert c.cmd("EHLO outsider.test").startswith("250")
        for sender in ("a@example.com", "", "postmaster@mailguard.test", rcpt):
            reply = c.cmd(f"MAIL FROM:<{sender}>")
            assert reply.startswith(("554 5.7.1", "553", "501", "550 5.1.3")), reply
            rcpt_reply = c.cmd(f"RCPT TO:<{rcpt}>")
            # 550 5.1.3: a recipient that hides another destination is refused outright
            assert rcpt_reply.startswith(("503", "553", "501", "554", "550 5.1.3")), rcpt_reply
            assert c.cmd("DATA").startswith(("503", "554"))
            c.cmd("RSET")
    assert outside_relay.upstream.messages == [] and outside_relay.upstream.connections == 0


def test_helo_claiming_to_be_local_changes_nothing(outside_relay: RelayHarness) -> None:
    with RawClient(outside_relay.host, outside_relay.port) as c:
        for greeting in ("EHLO localhost", "EHLO [127.0.0.1]", "HELO mailguard.test", "EHLO 10.0.0.1"):
            assert c.cmd(greeting).startswith("250")
            assert c.cmd("MAIL FROM:<a@example.com>").startswith("554 5.7.1")
    assert outside_relay.upstream.connections == 0


def nmap_open_relay(port: int) -> str:
    result = subprocess.run(
        [
            "nmap",
            "-n",
            "-Pn",
            "-p",
            str(port),
            # "+": run the script although the port is not 25 (its port rule would skip it)
            "--script",
            "+smtp-open-relay",
            "--script-args",
            "smtp-open-relay.domain=example.org,smtp-open-relay.ip=192.0.2.10",
            "127.0.0.1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "smtp-open-relay" in line]
    assert lines, result.stdout  # the script ran
    return lines[0]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("nmap") is None, reason="nmap is not installed")
def test_nmap_smtp_open_relay_finds_no_open_relay(outside_relay: RelayHarness) -> None:
    verdict = nmap_open_relay(outside_relay.port)
    assert "doesn't seem to be an open relay" in verdict and "all tests failed" in verdict, verdict
    assert outside_relay.upstream.messages == [] and outside_relay.upstream.connections == 0


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("nmap") is None, reason="nmap is not installed")
def test_nmap_control_flags_a_relay_open_to_its_client() -> None:
    """The same script against a relay that trusts loopback must say "open relay": proof that
    the test above would notice one."""
    with RelayHarness() as relay:
        assert "is an open relay" in nmap_open_relay(relay.port)
