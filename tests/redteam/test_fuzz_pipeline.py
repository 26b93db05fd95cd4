"""Pipeline fuzzing (issue 7), short CI run: hostile MIME trees from `mime_trees` must always
give a Content (extraction never raises) and a real verdict from the Scanner (never the
tempfail it answers when something inside raised). fuzz/fuzz_pipeline.py is the long run."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings

from mailguard.envelope import Envelope
from mailguard.message import extract_content
from mailguard.message.model import Content
from mailguard.policy.scanner import Scanner
from mailguard.policy.verdict import Action

from .mail import FLAGGED, SENDER
from .mime_trees import messages

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@FUZZ
@given(data=messages())
def test_extraction_never_raises(data: bytes) -> None:
    content = extract_content(data)
    assert isinstance(content, Content)
    assert all(u.reason for u in content.unscanned)


@FUZZ
@given(data=messages())
def test_scanner_always_decides(scanner: Scanner, data: bytes) -> None:
    envelope = Envelope(SENDER, (FLAGGED, "b@outlook.com"))
    verdict = asyncio.run(scanner(envelope, data))
    assert verdict.action in (Action.PASS, Action.REWRITE, Action.HOLD, Action.REJECT), verdict.as_json()
