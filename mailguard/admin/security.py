"""The review page's defences: sessions, CSRF, login rate limit, security headers.

Lessons taken from mailcow: CVE-2017-8928 (CSRF and session fixation) — every state-changing
form carries a per-session CSRF token and a same-origin check, and a login always mints a new
session id (a pre-login cookie is never promoted); CVE-2024-31204 (XSS through exception text) —
no handler here echoes an exception or request value into a page.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:  # auth.py uses LoginLimiter from here: no import cycle at run time
    from mailguard.admin.tokens import Principal, TokenBook

SESSION_COOKIE = "mg_session"
LOGIN_COOKIE = "mg_login"  # holds the CSRF token of the login form, before there is a session

# No script at all on the page; styles only from our own /static.
CSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` on our own
    # form POSTs, which the same-origin check must refuse. Item URLs still never leave the site.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every response, `no-store` outside /static."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in _HEADERS if n not in present]
                if not cacheable and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def public_origin(request: Request) -> tuple[str, str] | None:
    """(scheme, host:port) of MAILGUARD_ADMIN_PUBLIC_URL, the address a TLS proxy in front serves."""
    app = request.scope.get("app")  # absent for a request built outside the app (tests, tools)
    runtime = getattr(app.state, "runtime", None) if app is not None else None
    url = runtime.settings.admin_public_url if runtime is not None else None
    if not url:
        return None
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def same_origin(request: Request) -> bool:
    """False when the browser says the request came from another origin (Origin, else Referer)
    than this listener or its public URL."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return True  # old clients and non-browsers send neither; the CSRF token still applies
    parts = urlsplit(source)
    if not parts.scheme or not parts.netloc:  # includes Origin: null (sandboxed frames, file:)
        return False
    own = request.url
    origin = (parts.scheme.lower(), parts.netloc.lower())
    return origin in {(own.scheme, own.netloc.lower()), public_origin(request)}


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    """HttpOnly, SameSite=Strict; Secure whenever a browser reaches us over https (our own TLS,
    or a TLS proxy whose public URL is https)."""
    public = public_origin(request)
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https" or (public is not None and public[0] == "https"),
    )


# --- sessions -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Session:
    principal: Principal
    csrf: str = field(default_factory=new_token)
    created: float = 0.0
    seen: float = 0.0


class SessionStore:
    """In-memory sessions of the one admin listener (a restart logs everyone out)."""

    def __init__(
        self,
        tokens: TokenBook,
        *,
        idle_seconds: float = 30 * 60,
        max_seconds: float = 12 * 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tokens = tokens
        self._sessions: dict[str, Session] = {}
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self._clock = clock

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.seen > self.idle_seconds or now - session.created > self.max_seconds

    def create(self, principal: Principal) -> str:
        """A fresh random id for every login: an id known before login is never honoured."""
        now = self._clock()
        for sid in [s for s, sess in self._sessions.items() if self._expired(sess, now)]:
            del self._sessions[sid]
        sid = new_token()
        self._sessions[sid] = Session(principal, created=now, seen=now)
        return sid

    def get(self, sid: str | None) -> Session | None:
        """The live session for `sid`, with its principal re-read from the token book
        (a revoked token ends its sessions at once; a changed role applies at once)."""
        session = self._sessions.get(sid) if sid else None
        if session is None:
            return None
        now = self._clock()
        principal = self._tokens.recheck(session.principal)
        if principal is None or self._expired(session, now):
            self._sessions.pop(sid, None)  # type: ignore[arg-type]
            return None
        session.principal, session.seen = principal, now
        return session

    def drop(self, sid: str | None) -> None:
        if sid:
            self._sessions.pop(sid, None)


# --- login rate limit -----------------------------------------------------------------------------


class LoginLimiter:
    """At most `limit` failures per key in a sliding `window` (seconds). A failure is recorded
    under several keys at once (its source address and the credential it presented): the review
    page's login form and wrong bearer tokens on the API (`auth.api_principal`). Only failures
    are ever refused: callers check a credential first and let a valid one through."""

    MAX_KEYS = 10_000  # bounds memory under a spray from many addresses or tokens

    def __init__(self, limit: int = 5, window: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def retry_after(self, *keys: str) -> int:
        """Seconds until none of `keys` is over the limit; 0 when none is now."""
        now = self._clock()
        waits = [0]
        for key in keys:
            times = self._recent(key, now)
            if len(times) >= self.limit:
                waits.append(max(1, int(self.window - (now - times[-self.limit])) + 1))
        return max(waits)

    def failed(self, *keys: str) -> None:
        now = self._clock()
        for key in keys:
            if key not in self._failures and len(self._failures) >= self.MAX_KEYS:
                for stale in [k for k in self._failures if not self._recent(k, now)]:
                    del self._failures[stale]
                while len(self._failures) >= self.MAX_KEYS:  # still full: forget the oldest key
                    del self._failures[next(iter(self._failures))]
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)


def session_of(request: Request) -> Session | None:
    sessions: SessionStore = request.app.state.sessions
    return sessions.get(request.cookies.get(SESSION_COOKIE))
