"""The review page explains a misdirection hold in headless Debian Chromium: the reason, the
case's earlier recipients (reviewers only) and what releasing does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from mailguard.envelope import Envelope
from mailguard.policy.verdict import Action, Reason, Verdict

from .conftest import CHROMIUM, REVIEWER, LiveServer, message
from .test_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]

DETAIL = "case CM-2555-QC: first mail to x@gmail.com; earlier mail about this case went to 2 other external addresses"
NOTE = "earlier recipients: mum.family@gmail.com, pc.smith@avonandsomerset.police.uk"


def test_a_misdirection_hold_explains_itself(browser: Browser, live: LiveServer) -> None:
    reason = Reason("misdirected-recipient", "misdirection", DETAIL, action=Action.HOLD, reviewer_note=NOTE)
    verdict = Verdict(Action.HOLD, reasons=[reason], subject="CM-2555-QC visit", case_keys=("0" * 32,))
    envelope = Envelope("sam@council.example", ("x@gmail.com",), client_ip="127.0.0.1")
    item = live.call(live.store.hold(envelope, message(subject="CM-2555-QC visit"), verdict))
    page = browser.new_context().new_page()
    try:
        log_in(page, live, REVIEWER)
        page.goto(f"{live.url}/review/item/{item}")
        expect(page.locator(".reasons .rule")).to_have_text("misdirected-recipient")
        expect(page.locator(".reasons li")).to_contain_text(DETAIL)
        expect(page.locator(".reasons .reviewer-note")).to_have_text(NOTE)
        expect(page.locator(".reasons .explain")).to_contain_text(re.compile("Releasing adds the new recipient"))
    finally:
        page.context.close()
