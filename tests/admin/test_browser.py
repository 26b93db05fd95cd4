"""The review page in headless Debian Chromium (Playwright, never a downloaded browser) against a
real uvicorn server and a real store: log in, open a held item, see the highlighted reason,
release it; hostile subject, filename and body stay inert; a POST without the CSRF token fails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from .conftest import CHROMIUM, MATCH, REVIEWER, LiveServer, release_as_is

XSS_SUBJECT = '<script>alert("s")</script><img src=x onerror=alert("i")>'
XSS_FILE = '<img src=x onerror=alert("f")>.pdf'
XSS_BODY = f'Dear <b>all</b> <script>alert("b")</script><img src=x onerror=alert("o")> see {MATCH}.'
SCREENSHOT = Path("/tmp/review.png")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    opened = context.new_page()
    yield opened
    context.close()


def log_in(page: Page, live: LiveServer, token: str) -> None:
    page.goto(live.url + "/review")
    expect(page).to_have_url(re.compile(r"/review/login$"))
    page.fill("#token", token)
    page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/review$"))


def test_reviewer_logs_in_sees_the_reason_and_releases(page: Page, live: LiveServer) -> None:
    item = live.hold(subject="Family assessment for the review")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, live, REVIEWER)
    page.click("text=Family assessment for the review")
    expect(page).to_have_url(re.compile(rf"/review/item/{item}$"))
    expect(page.locator(".reasons .rule")).to_have_text("protected-address")
    expect(page.locator(".snippet mark")).to_have_text(MATCH)
    expect(page.locator(".snippet figcaption")).to_have_text("Found in body (protected-address)")
    expect(page.locator("pre.body mark")).to_have_text(MATCH)
    expect(page.locator("td.filename")).to_have_text("assessment.pdf")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    release_as_is(page)
    expect(page.locator(".facts .status")).to_have_text("released")
    expect(page.locator(".audit")).to_contain_text("Checked with the family worker")
    assert live.call(live.store.get_item(item))["status"] == "released"  # type: ignore[index]
    assert dialogs == []


def test_hostile_values_stay_inert(page: Page, live: LiveServer) -> None:
    item = live.hold(subject=XSS_SUBJECT, filename=XSS_FILE, body=XSS_BODY)
    dialogs: list[Dialog] = []
    page.on("dialog", lambda d: (dialogs.append(d), d.dismiss()))
    log_in(page, live, REVIEWER)
    expect(page.locator("td.subject a")).to_have_text(XSS_SUBJECT)
    page.goto(f"{live.url}/review/item/{item}")
    expect(page.locator("h1.subject")).to_have_text(XSS_SUBJECT)
    expect(page.locator("td.filename")).to_have_text(XSS_FILE)
    expect(page.locator("pre.body")).to_contain_text('<script>alert("b")</script>')
    expect(page.locator("pre.body")).to_contain_text('<img src=x onerror=alert("o")>')
    assert page.locator("script").count() == 0
    assert page.locator("main img, main b").count() == 0
    page.wait_for_timeout(300)  # give any stray handler its chance to fire
    assert dialogs == []


def test_a_post_without_the_csrf_token_is_refused(page: Page, live: LiveServer) -> None:
    item = live.hold()
    log_in(page, live, REVIEWER)
    url = f"{live.url}/review/item/{item}/release"
    # The browser's own cookies, but no CSRF field: what a forged cross-site form would send.
    response = page.request.post(url, form={"mode": "as_is", "comment": "forged"}, max_redirects=0)
    assert response.status == 403
    forged_origin = page.request.post(
        url, form={"mode": "as_is"}, headers={"Origin": "https://evil.example"}, max_redirects=0
    )
    assert forged_origin.status == 403
    assert live.call(live.store.get_item(item))["status"] == "held"  # type: ignore[index]
