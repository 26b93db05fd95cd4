"""Envelope recipients that hide another destination are refused at RCPT with 550 5.1.3 (a
relay that honours `%`, `!`, a quoted `@` or a source route delivers elsewhere than the domain
says); with MAILGUARD_EMBEDDED_ROUTE=classify they are accepted and judged by where they go."""

from __future__ import annotations

import smtplib

import pytest
from support.relay import RelayHarness

from mailguard.organisation.mailbox import embedded_destination
from mailguard.organisation.organisation import Kind, Organisation

HIDDEN = [
    '"x@gmail.com"@dept.example.gov.uk',
    "x%gmail.com@dept.example.gov.uk",
    "gmail.com!x@dept.example.gov.uk",
    "@relay.example.net,@hop.example.org:x@dept.example.gov.uk",
]
ORG = Organisation.of(["dept.example.gov.uk"])


def _rcpt(relay: RelayHarness, address: str) -> tuple[int, bytes]:
    with smtplib.SMTP(relay.host, relay.port) as client:
        client.ehlo("exchange.test")
        assert client.mail("a@dept.example.gov.uk")[0] == 250
        client.putcmd("rcpt", f"TO:<{address}>")
        return client.getreply()


@pytest.mark.parametrize("address", HIDDEN)
def test_hidden_destinations_are_refused_at_rcpt(address: str) -> None:
    with RelayHarness(client_networks=["127.0.0.0/8"]) as relay:
        code, text = _rcpt(relay, address)
        assert (code, text[:5]) == (550, b"5.1.3"), text
        assert _rcpt(relay, "lee@dept.example.gov.uk")[0] == 250  # ordinary recipients still pass


def test_classify_accepts_them_as_where_they_go() -> None:
    with RelayHarness(client_networks=["127.0.0.0/8"], embedded_route="classify") as relay:
        assert _rcpt(relay, HIDDEN[1])[0] == 250


@pytest.mark.parametrize("address", HIDDEN)
def test_they_are_never_internal(address: str) -> None:
    destination = embedded_destination(address)
    assert destination is not None and "dept.example.gov.uk" not in destination
    assert not ORG.is_internal(address)
    assert ORG.kind(address) is not Kind.INTERNAL and ORG.party(address) is not None


def test_ordinary_addresses_hide_nothing() -> None:
    assert embedded_destination("lee@dept.example.gov.uk") is None
    assert embedded_destination('"Lee Smith"@dept.example.gov.uk') is None
    assert embedded_destination("x%gmail.com@dept.example.gov.uk") == "x@gmail.com"
    assert embedded_destination("gmail.com!x@dept.example.gov.uk") == "x@gmail.com"
