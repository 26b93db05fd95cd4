"""Tokens, sessions and the login limiter on their own (clock injected), what the API
refuses to echo, and the API's limit on wrong tokens per client address."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from starlette.requests import Request

from mailguard.admin.app import create_app
from mailguard.admin.security import LoginLimiter, SessionStore, same_origin
from mailguard.admin.textview import highlight, text_view
from mailguard.admin.tokens import API_FAILURE_LIMIT, API_FAILURE_WINDOW, Role, TokenBook, TokenFileError
from mailguard.quarantine import QuarantineStore
from mailguard.runtime import Runtime
from mailguard.settings import Settings

from .conftest import ADMIN, REVIEWER, TOKENS, VIEWER, bearer, message


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_tokens_and_roles(settings: Settings) -> None:
    book = TokenBook(settings)
    assert book.authenticate(ADMIN).role is Role.ADMIN  # type: ignore[union-attr]
    assert book.authenticate(ADMIN).name == "admin"  # type: ignore[union-attr]
    for name, (token, role) in TOKENS.items():
        principal = book.authenticate(token)
        assert principal is not None and principal.name == name and principal.role is Role.parse(role)
    for wrong in ("", " ", ADMIN.upper(), ADMIN + " ", "reviewer"):
        assert book.authenticate(wrong) is None
    assert not TokenBook(Settings(data_dir=settings.data_dir)).configured


@pytest.mark.parametrize(
    ("line", "error"),
    [("lonely-token", "expected 'token role name'"), ("tok superuser bob", "role must be viewer")],
)
def test_a_bad_tokens_file_names_its_line(tmp_path: Path, line: str, error: str) -> None:
    path = tmp_path / "tokens"
    path.write_text(f"# comment\n\ngood-token viewer vera\n{line}\n")
    with pytest.raises(TokenFileError, match=rf"tokens:4: {error}") as caught:
        TokenBook(Settings(admin_tokens_file=path))
    assert "lonely-token" not in str(caught.value) or line == "lonely-token"  # never other tokens


def test_tokens_file_reload_fails_closed(settings: Settings) -> None:
    book = TokenBook(settings)
    assert settings.admin_tokens_file is not None
    assert book.authenticate(REVIEWER) is not None
    settings.admin_tokens_file.write_text(f"{REVIEWER} viewer rita\n")
    assert book.authenticate(REVIEWER).role is Role.VIEWER  # type: ignore[union-attr]
    settings.admin_tokens_file.write_text(f"{REVIEWER} boss rita\n")  # broken: refuse its tokens
    assert book.authenticate(REVIEWER) is None
    assert book.authenticate(ADMIN) is not None  # the settings' token still works


def test_sessions_expire_and_follow_the_token(settings: Settings) -> None:
    clock = Clock()
    book = TokenBook(settings)
    sessions = SessionStore(book, idle_seconds=60, max_seconds=300, clock=clock)
    principal = book.authenticate(REVIEWER)
    assert principal is not None
    sid = sessions.create(principal)
    assert sessions.create(principal) != sid
    for _ in range(4):
        clock.now += 59
        assert sessions.get(sid) is not None
    clock.now += 70  # past the absolute limit, though never idle for long
    assert sessions.get(sid) is None
    idle = sessions.create(principal)
    clock.now += 61
    assert sessions.get(idle) is None
    assert sessions.get("") is None and sessions.get(None) is None


def test_login_limiter_window() -> None:
    clock = Clock()
    limiter = LoginLimiter(limit=3, window=60, clock=clock)
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1") == 0
        limiter.failed("10.0.0.1")
    assert 0 < limiter.retry_after("10.0.0.1") <= 61
    assert limiter.retry_after("10.0.0.2") == 0  # per client
    clock.now += 61
    assert limiter.retry_after("10.0.0.1") == 0
    limiter.failed("10.0.0.1")
    limiter.succeeded("10.0.0.1")
    assert limiter.retry_after("10.0.0.1") == 0


@pytest.mark.parametrize(
    ("headers", "ok"),
    [
        ({}, True),
        ({"origin": "http://admin.test:8025"}, True),
        ({"referer": "http://admin.test:8025/review/item/Q1"}, True),
        ({"origin": "null"}, False),
        ({"origin": "http://evil.test"}, False),
        ({"origin": "https://admin.test:8025"}, False),
        ({"referer": "http://admin.test.evil.test:8025/"}, False),
    ],
)
def test_same_origin(headers: dict[str, str], ok: bool) -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "server": ("admin.test", 8025),
        "path": "/review/login",
        "headers": [(b"host", b"admin.test:8025"), *((k.encode(), v.encode()) for k, v in headers.items())],
    }
    assert same_origin(Request(scope)) is ok


async def test_validation_errors_do_not_echo_input(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/quarantine?limit=<script>&evil=1", headers=bearer(ADMIN))
    assert response.status_code == 422
    assert "<script>" not in response.text
    assert {e["loc"][-1] for e in response.json()["detail"]} == {"limit", "evil"}


def test_text_view_and_highlight() -> None:
    view = text_view(message(subject="Hello", body="Moved to 14 ORCHARD close."))
    assert ("Subject", "Hello") in view.headers and view.body_type == "text/plain"
    runs = highlight(view.body, ["14 Orchard Close"])
    assert ("14 ORCHARD close", True) in runs
    assert "".join(text for text, _ in runs) == view.body
    html = "<p>Hi</p><script>x()</script><table><tr><td>a</td><td>b</td></tr></table>"
    html_only = text_view(message(body=None, html=html))
    assert html_only.body_type.startswith("text/html") and "x()" not in html_only.body
    assert "Hi" in html_only.body and "<" not in html_only.body
    broken = b"Subject: =?bogus?Q?x?=\r\nContent-Type: text/plain; charset=x-nope\r\n\r\nbody\xff\r\n"
    assert "body" in text_view(broken).body


def failures(reason: str) -> float:
    return REGISTRY.get_sample_value("mailguard_admin_auth_failures_total", {"reason": reason}) or 0.0


async def test_api_wrong_tokens_are_limited_per_address(settings: Settings, store: QuarantineStore) -> None:
    app = create_app(Runtime(settings, store=store))

    def client_from(ip: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="http://t")

    invalid, throttled = failures("invalid"), failures("throttled")
    async with client_from("192.0.2.1") as guesser, client_from("192.0.2.2") as other:
        for n in range(API_FAILURE_LIMIT):
            assert (await guesser.get("/api/quarantine", headers=bearer(f"guess-{n}"))).status_code == 401
        refused = await guesser.get("/api/quarantine", headers=bearer("guess-x"))
        assert refused.status_code == 429
        assert refused.json() == {"detail": "too many wrong tokens, try again later"}
        assert 1 <= int(refused.headers["retry-after"]) <= API_FAILURE_WINDOW + 1
        # A valid token always works: behind a balancer the guesser's address is everyone's.
        assert (await guesser.get("/api/quarantine", headers=bearer(VIEWER))).status_code == 200
        assert (await guesser.get("/api/quarantine", headers=bearer("guess-z"))).status_code == 429
        assert failures("invalid") - invalid == API_FAILURE_LIMIT
        assert failures("throttled") - throttled == 2
        # Other addresses are not affected, valid tokens or wrong ones.
        assert (await other.get("/api/quarantine", headers=bearer(VIEWER))).status_code == 200
        assert (await other.get("/api/quarantine", headers=bearer("guess-y"))).status_code == 401
        # Read-only routes outside the API are not limited.
        assert (await guesser.get("/healthz")).status_code == 200


async def test_api_limit_counts_only_wrong_tokens(settings: Settings, store: QuarantineStore) -> None:
    app = create_app(Runtime(settings, store=store))

    def client_from(ip: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="http://t")

    async with client_from("192.0.2.3") as probe, client_from("192.0.2.4") as viewer, client_from("192.0.2.5") as admin:
        for _ in range(3 * API_FAILURE_LIMIT):  # no token at all: a probe, not a guess
            assert (await probe.get("/api/quarantine")).status_code == 401
        for _ in range(3 * API_FAILURE_LIMIT):  # valid tokens never count, whatever their role allows
            assert (await probe.get("/api/quarantine", headers=bearer(VIEWER))).status_code == 200
            assert (await probe.post("/api/quarantine/Q1/reject", headers=bearer(VIEWER))).status_code == 403
        # A viewer's success does not clear the count (or a viewer could launder guesses) ...
        for n in range(API_FAILURE_LIMIT - 1):
            assert (await viewer.get("/api/quarantine", headers=bearer(f"guess-{n}"))).status_code == 401
        assert (await viewer.get("/api/quarantine", headers=bearer(VIEWER))).status_code == 200
        assert (await viewer.get("/api/quarantine", headers=bearer("guess-last"))).status_code == 401
        assert (await viewer.get("/api/quarantine", headers=bearer("guess-after"))).status_code == 429
        assert (await viewer.get("/api/quarantine", headers=bearer(VIEWER))).status_code == 200  # never locked out
        # ... an admin's does, as a good login does on the review page.
        for n in range(API_FAILURE_LIMIT - 1):
            assert (await admin.get("/api/quarantine", headers=bearer(f"typo-{n}"))).status_code == 401
        assert (await admin.get("/api/quarantine", headers=bearer(ADMIN))).status_code == 200
        for n in range(API_FAILURE_LIMIT):
            assert (await admin.get("/api/quarantine", headers=bearer(f"typo-{n}"))).status_code == 401


async def test_openapi_declares_429(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        if path.startswith("/api/"):
            for operation in operations.values():
                declared = operation["responses"]["429"]
                assert "Retry-After" in declared["headers"], path
