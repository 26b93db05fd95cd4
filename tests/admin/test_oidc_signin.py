"""Reviewer sign-in through a real OpenID Connect provider (panva's certified oidc-provider on
Node, started by the test), driven in headless Chromium: sign in, release a held item as that
person, and the audit log names them. Refusals: no mailguard group, a forged callback."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from support.relay import free_port
from support.stack import wait_until

from .conftest import CHROMIUM, LiveServer, make_settings, release_as_is

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
SECRET = "oidc-test-client-secret-0123456789"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium at /usr/bin/chromium"),
    pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js for the OpenID provider"),
]


def _install_provider() -> None:
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=PROVIDER_DIR, check=True, timeout=300
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    _install_provider()
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    live = LiveServer(
        make_settings(
            tmp_path,
            oidc_issuer=issuer,
            oidc_client_id="mailguard",
            oidc_client_secret=SECRET,
            oidc_roles=["reviewer=mg-reviewers", "viewer=mg-viewers"],
        )
    )
    provider = subprocess.Popen(
        ["node", "provider.mjs", str(port), f"{live.url}/review/login/oidc/callback", SECRET],
        cwd=PROVIDER_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: _up(issuer), 20, "the OpenID provider")
        yield live, issuer
    finally:
        provider.terminate()
        provider.wait(10)
        live.stop()


def _up(issuer: str) -> bool:
    try:
        return httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def sign_in(page: Page, live: LiveServer, login: str) -> None:
    page.goto(live.url + "/review/login")
    page.click("#oidc-login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")


def test_a_reviewer_signs_in_and_releases_as_themselves(world: tuple[LiveServer, str], page: Page) -> None:
    live, _ = world
    item = live.hold(subject="Family assessment")
    sign_in(page, live, "alice")
    expect(page).to_have_url(re.compile(r"/review$"))
    page.click("text=Family assessment")
    release_as_is(page)
    expect(page.locator(".audit")).to_contain_text("alice@council.example")
    assert live.call(live.store.get_item(item))["status"] == "released"  # type: ignore[index]


def test_a_viewer_may_look_but_not_release(world: tuple[LiveServer, str], page: Page) -> None:
    live, _ = world
    item = live.hold(subject="Viewer case")
    sign_in(page, live, "carol")
    expect(page).to_have_url(re.compile(r"/review$"))
    page.goto(f"{live.url}/review/item/{item}")
    expect(page.locator("h1.subject")).to_have_text("Viewer case")
    assert page.locator("button:has-text('Release')").count() == 0


def test_a_person_without_a_mailguard_group_is_refused(world: tuple[LiveServer, str], page: Page) -> None:
    live, _ = world
    sign_in(page, live, "mallory")
    expect(page).to_have_url(re.compile(r"/review/login/oidc/callback"))
    expect(page.locator(".notice")).to_contain_text("no mailguard role")
    page.goto(live.url + "/review")
    expect(page).to_have_url(re.compile(r"/review/login$"))


def test_a_callback_this_browser_did_not_start_is_refused(world: tuple[LiveServer, str], page: Page) -> None:
    live, _ = world
    page.goto(f"{live.url}/review/login/oidc/callback?state=forged&code=stolen")
    expect(page.locator(".notice")).to_contain_text("did not come from this browser")
    page.goto(live.url + "/review")
    expect(page).to_have_url(re.compile(r"/review/login$"))
