"""Odd real-world messages (tests/relay/data/realworld) pass through byte for byte."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest
from support.passthrough import send_compliant, strip_trace, wire_form
from support.relay import RelayHarness

DATA = Path(__file__).parent / "data" / "realworld"
SAMPLES = sorted(DATA.glob("*.eml"))


def test_there_are_enough_samples() -> None:
    assert len(SAMPLES) >= 30


@pytest.mark.parametrize("legacy", [False, True], ids=["crlf-client", "raw-bytes-client"])
def test_realworld_byte_identical(relay: RelayHarness, legacy: bool) -> None:
    with smtplib.SMTP(relay.host, relay.port) as client:
        for path in SAMPLES:
            data = path.read_bytes()
            if legacy:
                client.sendmail("sender@example.com", ["rcpt@example.org"], data)
            else:
                send_compliant(client, data)
    got = relay.upstream.messages
    assert len(got) == len(SAMPLES)
    mismatched = [
        p.name for p, m in zip(SAMPLES, got, strict=True) if strip_trace(m.data) != wire_form(p.read_bytes())
    ]
    assert mismatched == []
