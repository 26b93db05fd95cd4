"""Bearer tokens and roles for the admin API and the review page.

`MAILGUARD_ADMIN_TOKEN` is one admin token (named "admin"); `MAILGUARD_ADMIN_TOKENS_FILE` holds
`token role name` lines (role: viewer | reviewer | admin; `#` comments and blank lines ignored).
With neither configured every request is refused. Tokens are compared as SHA-256 digests with
`hmac.compare_digest` against every entry, so neither the length nor the position of a match
shows in the timing. The file is re-read when it changes; a broken file fails closed (none of
its tokens is accepted) and is logged with its line number, never with a token.

Wrong tokens are rate-limited (`API_FAILURE_LIMIT` in `API_FAILURE_WINDOW`) per client address
and per presented token: past the limit a wrong token is answered 429 with Retry-After instead of
401. A valid token always works, whatever its address or anyone else did before: behind a
balancer every reviewer shares one address, and a lockout that a stranger can trigger locks out
the staff (tokens are long random strings; the throttle keeps the noise down, it is not what
stops guessing). Requests with no token at all never count (a probe, not a guess); an admin token's success
clears its address's count, as a good login does on the page. The client
address is the peer's, or the one a proxy in `MAILGUARD_ADMIN_TRUSTED_PROXIES` forwarded.
Refusals are counted in `mailguard_admin_auth_failures_total{reason}`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mailguard.admin.security import LoginLimiter
from mailguard.environment import SettingsError
from mailguard.metrics import ADMIN_AUTH_FAILURES
from mailguard.settings import Settings

log = logging.getLogger(__name__)


OIDC_PREFIX = "oidc:"  # fingerprint of a person signed in through OpenID Connect (admin/oidc.py)


class Role(IntEnum):
    """Ordered: each role may do everything the ones below it may."""

    VIEWER = 1  # read the queue, items, raw messages and the audit log
    REVIEWER = 2  # release and reject
    ADMIN = 3  # everything

    @classmethod
    def parse(cls, name: str) -> Role:
        return cls[name.upper()]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: `name` goes into the audit log as the actor."""

    name: str
    role: Role
    fingerprint: str  # SHA-256 of the token: lets a session re-check that its token still stands


class TokenFileError(SettingsError):
    """A tokens file the operator must fix (printed as one line by the CLI, exit 2)."""


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def parse_tokens_file(path: Path) -> list[tuple[bytes, Principal]]:
    entries: list[tuple[bytes, Principal]] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        fields = line.split(None, 2)
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) < 3:
            raise TokenFileError(f"{path}:{number}: expected 'token role name'")
        token, role_name, name = fields
        try:
            role = Role.parse(role_name)
        except KeyError:
            raise TokenFileError(f"{path}:{number}: role must be viewer, reviewer or admin") from None
        digest = _digest(token)
        entries.append((digest, Principal(name.strip(), role, digest.hex())))
    return entries


class TokenBook:
    """The tokens in force: the settings' admin token plus the tokens file."""

    def __init__(self, settings: Settings) -> None:
        self._fixed: list[tuple[bytes, Principal]] = []
        if settings.admin_token is not None and settings.admin_token.get_secret_value():
            digest = _digest(settings.admin_token.get_secret_value())
            self._fixed.append((digest, Principal("admin", Role.ADMIN, digest.hex())))
        self._path = settings.admin_tokens_file
        self._stamp: tuple[int, int] | None = None
        self._from_file: list[tuple[bytes, Principal]] = []
        if self._path is not None:
            self._from_file = parse_tokens_file(self._path)  # a bad file at start-up is fatal
            self._stamp = self._file_stamp()

    @property
    def configured(self) -> bool:
        return bool(self._fixed or self._path is not None)

    def _file_stamp(self) -> tuple[int, int] | None:
        assert self._path is not None
        try:
            st = os.stat(self._path)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _entries(self) -> list[tuple[bytes, Principal]]:
        if self._path is not None:
            stamp = self._file_stamp()
            if stamp != self._stamp:
                self._stamp = stamp
                try:
                    self._from_file = parse_tokens_file(self._path)
                    log.info("admin tokens file reloaded: %d tokens", len(self._from_file))
                except (OSError, UnicodeDecodeError, TokenFileError) as exc:
                    self._from_file = []  # fail closed: a revoked token must not survive a typo
                    log.error("admin tokens file unusable, its tokens are refused: %s", exc)
        return self._fixed + self._from_file

    def _find(self, digest: bytes) -> Principal | None:
        found: Principal | None = None
        for known, principal in self._entries():
            if hmac.compare_digest(known, digest):  # no early exit: same work whichever matches
                found = found or principal
        return found

    def authenticate(self, token: str) -> Principal | None:
        return self._find(_digest(token)) if token else None

    def recheck(self, principal: Principal) -> Principal | None:
        """The principal as the book now has it (role may have changed), or None when revoked.
        A person signed in through OpenID Connect has no token here: their session stands until
        it expires (the provider decides at the next sign-in)."""
        if principal.fingerprint.startswith(OIDC_PREFIX):
            return principal
        return self._find(bytes.fromhex(principal.fingerprint))


# --- FastAPI dependencies for the JSON API -------------------------------------------------------

bearer_scheme = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>`")

UNAUTHORIZED = HTTPException(
    status.HTTP_401_UNAUTHORIZED, "missing or invalid token", headers={"WWW-Authenticate": "Bearer"}
)
FORBIDDEN = HTTPException(status.HTTP_403_FORBIDDEN, "this token's role may not do that")


API_FAILURE_LIMIT = 10  # wrong tokens per client address ...
API_FAILURE_WINDOW = 300.0  # ... in this many seconds (a sliding window)


def too_many_failures(retry_after: int) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        "too many wrong tokens, try again later",
        headers={"Retry-After": str(retry_after)},
    )


def token_book(request: Request) -> TokenBook:
    book: TokenBook = request.app.state.tokens
    return book


def api_limiter(request: Request) -> LoginLimiter:
    """The app's limiter of wrong API tokens (made on first use)."""
    state = request.app.state
    limiter: LoginLimiter | None = getattr(state, "api_limiter", None)
    if limiter is None:
        limiter = state.api_limiter = LoginLimiter(API_FAILURE_LIMIT, API_FAILURE_WINDOW)
    return limiter


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def failure_keys(client: str, credential: str) -> tuple[str, str]:
    """The throttle's keys of one wrong credential: its source and (a digest of) itself."""
    return f"source:{client}", "credential:" + _digest(credential).hex()[:32]


def api_principal(request: Request) -> Principal:
    """The caller of an API request, from its Authorization header: 401 without a valid token,
    429 for a wrong token past the limit. Used before the body is read (admin/guard.py) and by
    every route (`require`)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    principal = token_book(request).authenticate(token) if token else None
    if principal is not None:  # a valid token works whatever its address did before
        if principal.role is Role.ADMIN:  # (a viewer's success could reset the count between guesses)
            api_limiter(request).succeeded(failure_keys(client_address(request), "")[0])
        return principal
    if not token:
        raise UNAUTHORIZED
    limiter, client = api_limiter(request), client_address(request)
    keys = failure_keys(client, token)
    if wait := limiter.retry_after(*keys):
        ADMIN_AUTH_FAILURES.labels(reason="throttled").inc()
        raise too_many_failures(wait)
    limiter.failed(*keys)
    ADMIN_AUTH_FAILURES.labels(reason="invalid").inc()
    log.info("admin API: wrong token from %s", client)
    raise UNAUTHORIZED


def require(role: Role) -> Callable[..., Principal]:
    """A dependency that yields the caller's Principal (`api_principal`), 403 below `role`."""

    def dependency(
        request: Request,
        _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],  # documents the scheme
    ) -> Principal:
        principal = api_principal(request)
        if principal.role < role:
            raise FORBIDDEN
        return principal

    return dependency


Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Reviewer = Annotated[Principal, Depends(require(Role.REVIEWER))]
