"""Every release mode driven from the review page in headless Debian Chromium, from the first
click to the bytes the recording upstream receives: choose, preview who receives what, release."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import docx as python_docx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from support.stack import Stack

from .conftest import REVIEWER
from .mail import COLLEAGUE, EX_PARTNER, marker
from .test_release import assert_outsiders_learn_nothing, attachment, copies_of, hold, protected_mail

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 1400})
        yield context.new_page()
        browser.close()


def release_on_the_page(page: Page, stack: Stack, item_id: str, mode: str, tick: list[str]) -> str:
    page.goto(f"{stack.admin_url}/review/item/{item_id}")
    page.check(f"input[name=mode][value={mode}]")
    for value in tick:
        page.check(f"input[value='{value}']")
    page.fill("#release-justification", "Checked with the family's social worker")
    page.click("button:has-text('Preview the release')")
    who = page.locator("table.copies").inner_text()
    page.click("button:has-text('Release now')")
    expect(page.locator(".notice.ok")).to_have_text(re.compile("^Released"))
    return who


def test_every_mode_from_the_page_to_the_upstream(stack: Stack, page: Page) -> None:
    page.goto(stack.admin_url + "/review")
    page.fill("#token", REVIEWER)
    page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/review$"))

    plans = {
        "as_is": [],
        "bcc": [],
        "split": [],
        "subset": [COLLEAGUE],
        "strip": ["assessment.docx"],
        "redact": [],
    }
    for mode, tick in plans.items():
        word = marker()
        item_id = hold(stack, protected_mail(word))
        who = release_on_the_page(page, stack, item_id, mode, tick)
        copies = copies_of(stack, word)
        assert_outsiders_learn_nothing(copies)
        rcpts = sorted(c.rcpt_tos for c in copies)
        if mode == "split":
            assert rcpts == [(EX_PARTNER,), (COLLEAGUE,)] and EX_PARTNER in who and COLLEAGUE in who
        elif mode == "subset":
            assert rcpts == [(COLLEAGUE,)] and EX_PARTNER not in who
        else:
            assert rcpts == [(EX_PARTNER, COLLEAGUE)]
        [data, *_] = [c.data for c in copies]
        head = data.partition(b"\r\n\r\n")[0]
        if mode == "bcc":
            assert EX_PARTNER.encode() not in head
        if mode == "strip":
            assert not [p for p in message_from_bytes(data, policy=policy.default).walk() if p.get_filename()]
        if mode == "redact":
            document = python_docx.Document(io.BytesIO(attachment(data, "assessment.docx")))
            assert "Orchard" not in "\n".join(p.text for p in document.paragraphs)
            assert b"Orchard" not in data
        if mode == "as_is":
            assert b"Orchard" in data
        item = stack.api().get(f"/api/quarantine/{item_id}").json()
        assert item["mode"] == mode and item["decided_by"] == "api:rita"
