"""System mail (bounces, journal reports, automatic replies) is recognised cheaply and exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.envelope import Envelope
from mailguard.policy.system import system_mail

ORDINARY = Envelope("caseworker@council.example", ("x@gmail.com",))


def message(*headers: bytes, body: bytes = b"Hello\r\n") -> bytes:
    return b"".join(h + b"\r\n" for h in (b"From: a@council.example", *headers)) + b"\r\n" + body


@pytest.mark.parametrize(
    "envelope, data, expected",
    [
        (Envelope("", ("x@gmail.com",)), message(), "null sender"),
        (ORDINARY, message(b"X-MS-Journal-Report: "), "journal report"),
        (ORDINARY, message(b"x-ms-journal-report:"), "journal report"),
        (ORDINARY, message(b"Auto-Submitted: auto-replied"), "auto-submitted"),
        (ORDINARY, message(b"Auto-Submitted: auto-generated (out of office)"), "auto-submitted"),
        (ORDINARY, message(b"Auto-Submitted: no"), None),
        (ORDINARY, message(b"Subject: Auto-Submitted: auto-replied"), None),
        (ORDINARY, message(body=b"Auto-Submitted: auto-replied\r\nX-MS-Journal-Report: x\r\n"), None),
        (ORDINARY, message(), None),
    ],
)
def test_classification(envelope: Envelope, data: bytes, expected: str | None) -> None:
    assert system_mail(envelope, data) == expected


@settings(derandomize=True, max_examples=200)
@given(st.binary(max_size=2000))
def test_text_in_the_body_never_makes_system_mail(body: bytes) -> None:
    assert system_mail(ORDINARY, message(body=b"\r\n" + body)) is None
