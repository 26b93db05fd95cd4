"""The review page over HTTP (httpx, real store): login, sessions, CSRF, rate limit, escaping,
security headers and the decisions. The browser tests in test_browser.py repeat the main path
in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from mailguard.admin.app import create_app
from mailguard.admin.security import CSP, LOGIN_COOKIE, SESSION_COOKIE
from mailguard.quarantine import QuarantineStore
from mailguard.runtime import Runtime
from mailguard.settings import Settings

from .conftest import ADMIN, MATCH, REVIEWER, REVIEWER2, VIEWER, asgi_client, hold, make_settings

XSS_SUBJECT = '<script>alert("subject")</script><img src=x onerror=alert(1)>'
XSS_FILE = '"><img src=x onerror=alert(2)>.pdf'
XSS_BODY = (
    "Hi <script>alert(3)</script> and <img src=x onerror=alert(4)> at 14 Orchard Close, Bristol BS1 4DJ"
)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


async def login(client: httpx.AsyncClient, token: str) -> str:
    """Log in through the form; return the session's CSRF token."""
    form = await client.get("/review/login")
    response = await client.post("/review/login", data={"csrf": csrf_of(form.text), "token": token})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/review"
    return csrf_of((await client.get("/review")).text)


async def test_pages_need_a_session(client: httpx.AsyncClient, store: QuarantineStore) -> None:
    item = await hold(store)
    for path in ("/review", f"/review/item/{item}", f"/review/item/{item}/raw"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/review/login"
    response = await client.post(f"/review/item/{item}/release", data={"csrf": "x"})
    assert response.status_code == 403
    assert (await client.get("/")).headers["location"] == "/review"


async def test_login_sets_a_fresh_strict_httponly_session(client: httpx.AsyncClient) -> None:
    form = await client.get("/review/login")
    assert "HttpOnly" in form.headers["set-cookie"] and "SameSite=strict" in form.headers["set-cookie"]
    client.cookies.set(SESSION_COOKIE, "fixated-by-attacker")
    response = await client.post("/review/login", data={"csrf": csrf_of(form.text), "token": REVIEWER})
    assert response.status_code == 303
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    sid = session_cookie.split(";")[0].split("=", 1)[1]
    assert sid != "fixated-by-attacker" and len(sid) >= 40
    assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie
    assert "Secure" not in session_cookie  # served over plain http here
    assert any(c.startswith(f'{LOGIN_COOKIE}=""') for c in cookies)  # the pre-login cookie is gone
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, "fixated-by-attacker")
    assert (await client.get("/review")).status_code == 303  # the planted id never became a session
    client.cookies.set(SESSION_COOKIE, sid)
    page = await client.get("/review")
    assert page.status_code == 200 and "rita" in page.text


async def test_session_cookie_is_secure_over_https(settings: Settings, store: QuarantineStore) -> None:
    transport = httpx.ASGITransport(app=create_app(Runtime(settings, store=store)))
    async with httpx.AsyncClient(transport=transport, base_url="https://review.example") as c:
        form = await c.get("/review/login")
        assert "Secure" in form.headers["set-cookie"]
        response = await c.post("/review/login", data={"csrf": csrf_of(form.text), "token": REVIEWER})
        cookie = next(x for x in response.headers.get_list("set-cookie") if x.startswith(SESSION_COOKIE))
        assert "Secure" in cookie


async def test_login_needs_the_csrf_token_and_same_origin(client: httpx.AsyncClient) -> None:
    form = await client.get("/review/login")
    csrf = csrf_of(form.text)
    assert (await client.post("/review/login", data={"token": REVIEWER})).status_code == 403
    assert (await client.post("/review/login", data={"csrf": "forged", "token": REVIEWER})).status_code == 403
    cross = await client.post(
        "/review/login", data={"csrf": csrf, "token": REVIEWER}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    assert SESSION_COOKIE not in client.cookies


async def test_a_wrong_token_is_refused_and_rate_limited(client: httpx.AsyncClient) -> None:
    csrf = csrf_of((await client.get("/review/login")).text)
    for _ in range(5):
        response = await client.post("/review/login", data={"csrf": csrf, "token": "guess"})
        assert response.status_code == 401
        assert "That token was not accepted." in response.text and "guess" not in response.text
    limited = await client.post("/review/login", data={"csrf": csrf, "token": "another guess"})
    assert limited.status_code == 429  # a sixth wrong token from this address waits
    assert int(limited.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in client.cookies
    # the right token is never locked out: behind a balancer everyone shares one address
    signed_in = await client.post("/review/login", data={"csrf": csrf, "token": REVIEWER})
    assert signed_in.status_code == 303 and SESSION_COOKIE in client.cookies


async def test_a_form_post_without_the_csrf_token_is_refused(
    client: httpx.AsyncClient, store: QuarantineStore
) -> None:
    item = await hold(store)
    csrf = await login(client, REVIEWER)
    url = f"/review/item/{item}/release"
    assert (await client.post(url, data={"mode": "as_is"})).status_code == 403
    assert (await client.post(url, data={"mode": "as_is", "csrf": csrf + "x"})).status_code == 403
    cross = await client.post(url, data={"csrf": csrf}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert (await client.post("/review/logout", data={})).status_code == 403
    assert (await store.get_item(item))["status"] == "held"  # type: ignore[index]
    done = await client.post(url, data={"mode": "as_is", "csrf": csrf, "comment": "fine"})
    assert done.status_code == 303 and done.headers["location"] == f"/review/item/{item}?done=released"
    assert (await store.get_item(item))["status"] == "released"  # type: ignore[index]


async def test_message_values_are_escaped(client: httpx.AsyncClient, store: QuarantineStore) -> None:
    item = await hold(store, subject=XSS_SUBJECT, filename=XSS_FILE, body=XSS_BODY)
    await login(client, VIEWER)
    for path in ("/review", f"/review/item/{item}"):
        html = (await client.get(path)).text
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html
    html = (await client.get(f"/review/item/{item}")).text
    assert "&lt;img src=x onerror=alert(2)&gt;.pdf" in html  # the filename, shown literally
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html  # the body text
    assert f"<mark>{MATCH}</mark>" in html  # the snippet and the body highlight


async def test_html_only_message_is_shown_as_text(client: httpx.AsyncClient, store: QuarantineStore) -> None:
    html_body = "<p>Moved to <b>14 Orchard Close</b></p><script>alert(5)</script><img src=x onerror=alert(6)>"
    item = await hold(store, body=None, html=html_body)
    await login(client, VIEWER)
    page = (await client.get(f"/review/item/{item}")).text
    assert "shown as text, never rendered" in page and "Moved to" in page
    assert "<b>" not in page and "alert(5)" not in page and "<iframe" not in page


async def test_security_headers_everywhere(client: httpx.AsyncClient, store: QuarantineStore) -> None:
    item = await hold(store)
    await login(client, VIEWER)
    for path in ("/review/login", "/review", f"/review/item/{item}", "/api/quarantine", "/healthz", "/nope"):
        response = await client.get(path)
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
    css = await client.get("/static/review.css")
    assert css.status_code == 200 and "cache-control" not in css.headers
    page = (await client.get(f"/review/item/{item}")).text
    assert "<script" not in page and "http://" not in page and "https://" not in page  # no external assets


async def test_viewer_sees_no_forms_and_may_not_post(
    client: httpx.AsyncClient, store: QuarantineStore
) -> None:
    item = await hold(store)
    csrf = await login(client, VIEWER)
    page = (await client.get(f"/review/item/{item}")).text
    assert "may read but not decide" in page and "/release" not in page
    response = await client.post(f"/review/item/{item}/release", data={"csrf": csrf})
    assert response.status_code == 403
    assert (await store.get_item(item))["status"] == "held"  # type: ignore[index]


async def test_reject_conflict_and_flash_words(client: httpx.AsyncClient, store: QuarantineStore) -> None:
    item = await hold(store)
    csrf = await login(client, REVIEWER)
    url = f"/review/item/{item}/reject"
    response = await client.post(url, data={"csrf": csrf, "comment": "wrong family", "notify_sender": "1"})
    assert response.headers["location"] == f"/review/item/{item}?done=rejected"
    page = (await client.get(response.headers["location"])).text
    assert "Rejected." in page and "wrong family" in page and "api:rita" in page
    again = await client.post(url, data={"csrf": csrf})
    assert again.headers["location"] == f"/review/item/{item}?problem=not_held"
    assert "no longer held" in (await client.get(again.headers["location"])).text
    echoed = await client.get(f"/review/item/{item}?problem=<b>pwned</b>&done=<i>x</i>")
    assert "pwned" not in echoed.text and "<i>x" not in echoed.text
    too_long = await client.post(
        f"/review/item/{await hold(store)}/reject", data={"csrf": csrf, "comment": "x" * 2001}
    )
    assert too_long.headers["location"].endswith("?problem=invalid")


async def test_two_person_release_on_the_page(tmp_path: Path, store: QuarantineStore) -> None:
    item = await hold(store)
    settings = make_settings(tmp_path, two_person_release=True)
    async with (
        asgi_client(Runtime(settings, store=store)) as first,
        asgi_client(Runtime(settings, store=store)) as second,
    ):
        csrf = await login(first, REVIEWER)
        response = await first.post(f"/review/item/{item}/release", data={"csrf": csrf, "mode": "bcc"})
        assert response.headers["location"].endswith("?done=pending")
        again = await first.post(f"/review/item/{item}/release", data={"csrf": csrf})
        assert again.headers["location"].endswith("?problem=same_reviewer")
        csrf2 = await login(second, REVIEWER2)
        page = (await second.get(f"/review/item/{item}")).text
        assert "a second reviewer must confirm" in page and "Confirm release" in page
        preview = await second.post(f"/review/item/{item}/release/preview", data={"csrf": csrf2, "mode": "as_is"})
        assert preview.status_code == 200 and "Release now" in preview.text
        done = await second.post(f"/review/item/{item}/release", data={"csrf": csrf2})
        assert done.headers["location"].endswith("?done=released")
    assert (await store.get_item(item))["mode"] == "bcc"  # type: ignore[index]


async def test_queue_filters_and_paging(client: httpx.AsyncClient, store: QuarantineStore) -> None:
    ids = [await hold(store, subject=f"Letter {n}") for n in range(55)]
    await login(client, VIEWER)
    first = (await client.get("/review")).text
    assert "1–50 of 55" in first and "status=held&amp;page=2" in first
    second = (await client.get("/review?status=held&page=2")).text
    assert "51–55 of 55" in second and "Letter 0" in second
    found = (await client.get("/review?q=Letter+42&rule=protected-address")).text
    assert "Letter 42" in found and "Letter 41" not in found
    assert "0–0 of 0" in (await client.get("/review?status=released")).text
    assert (await client.get("/review?status=<x>&page=-3&q=%00")).status_code == 200
    raw = await client.get(f"/review/item/{ids[0]}/raw")
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["content-disposition"] == f'attachment; filename="{ids[0]}.eml"'


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    csrf = await login(client, ADMIN)
    sid = client.cookies[SESSION_COOKIE]
    assert (await client.post("/review/logout", data={"csrf": csrf})).headers["location"] == "/review/login"
    client.cookies.set(SESSION_COOKIE, sid)  # replaying the old cookie does not work
    assert (await client.get("/review")).status_code == 303


async def test_revoked_token_ends_its_sessions(tmp_path: Path, store: QuarantineStore) -> None:
    settings = make_settings(tmp_path)
    async with asgi_client(Runtime(settings, store=store)) as c:
        await login(c, REVIEWER)
        assert (await c.get("/review")).status_code == 200
        assert settings.admin_tokens_file is not None
        text = settings.admin_tokens_file.read_text()
        settings.admin_tokens_file.write_text(text.replace(REVIEWER, "rotated-token-abcdefgh") + "\n")
        assert (await c.get("/review")).status_code == 303


@pytest.mark.parametrize("path", ["/review/item/..%2f..%2fetc", "/review/item/%3Cscript%3E"])
async def test_odd_item_ids_are_a_plain_404(client: httpx.AsyncClient, path: str) -> None:
    await login(client, VIEWER)
    response = await client.get(path)
    assert response.status_code == 404 and "<script>" not in response.text
