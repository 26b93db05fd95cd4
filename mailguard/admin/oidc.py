"""Reviewer sign-in with the organisation's OpenID Connect provider (Entra ID, AD FS, Keycloak …).

Authorisation code flow with PKCE (S256), a one-time `state` bound to the browser by a cookie, a
`nonce` in the ID token. PKCE and the random values are Authlib's; ID token validation
(signature against the provider's JWKS, `iss`, `aud`, `exp`, `nonce`) is joserfc's (Authlib's
successor for JOSE), not ours; the token exchange is one form POST (RFC 6749 §4.1.3). A configurable claim
(`MAILGUARD_OIDC_ROLE_CLAIM`, default `groups`) maps to viewer/reviewer/admin through
`MAILGUARD_OIDC_ROLES` ("admin=mg-admins,reviewer=mg-reviewers,viewer=mg-viewers"); a person with
none of those values is refused. The session's principal is the person (their e-mail or `sub`),
so the audit log names them and two-person release counts people, not shared tokens.

Shared tokens stay for the API and automation; this only adds a way into the review page.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import APIRouter, Request, Response, status
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from mailguard.admin.pages import HOME, error_page, login_notice, redirect
from mailguard.admin.security import SESSION_COOKIE, SessionStore, set_cookie
from mailguard.admin.tokens import OIDC_PREFIX, Principal, Role
from mailguard.settings import Settings

log = logging.getLogger(__name__)

START, CALLBACK = "/review/login/oidc", "/review/login/oidc/callback"
STATE_COOKIE = "mailguard_oidc_state"
PENDING_SECONDS = 600.0  # a sign-in must come back from the provider within ten minutes
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

router = APIRouter(include_in_schema=False)


class SignInError(Exception):
    """The sign-in failed; the message is safe to show (no token, no claim values)."""


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str | None
    role_claim: str
    roles: dict[str, Role]  # claim value -> role
    scopes: str

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig | None:
        if not settings.oidc_issuer or not settings.oidc_client_id:
            return None
        secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        return cls(
            issuer=settings.oidc_issuer.rstrip("/"),
            client_id=settings.oidc_client_id,
            client_secret=secret,
            role_claim=settings.oidc_role_claim,
            roles=parse_role_map(settings.oidc_roles),
            scopes=settings.oidc_scopes,
        )


def parse_role_map(items: list[str]) -> dict[str, Role]:
    """["admin=mg-admins", "reviewer=mg-reviewers"] -> {"mg-admins": ADMIN, ...}."""
    mapping: dict[str, Role] = {}
    for item in items:
        role, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise ValueError(f"MAILGUARD_OIDC_ROLES: expected role=claim-value, got {item!r}")
        try:
            mapping[value.strip()] = Role.parse(role.strip())
        except KeyError:
            raise ValueError(f"MAILGUARD_OIDC_ROLES: unknown role {role.strip()!r}") from None
    return mapping


@dataclass(slots=True)
class _Pending:
    nonce: str
    verifier: str
    redirect_uri: str
    created: float = field(default_factory=time.monotonic)


class OidcSignIn:
    """The provider's metadata (fetched once, on first use) and the sign-ins in flight."""

    def __init__(self, config: OidcConfig) -> None:
        self.config = config
        self._metadata: dict[str, Any] | None = None
        self._pending: dict[str, _Pending] = {}

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = f"{self.config.issuer}/.well-known/openid-configuration"
            async with httpx.AsyncClient(timeout=10) as client:
                reply = await client.get(url)
                reply.raise_for_status()
                metadata = reply.json()
            if metadata.get("issuer", "").rstrip("/") != self.config.issuer:
                raise SignInError("the provider's metadata names another issuer")
            self._metadata = metadata
        return self._metadata

    async def begin(self, redirect_uri: str) -> tuple[str, str]:
        """(the provider's authorisation URL, the state to bind to the browser)."""
        metadata = await self.metadata()
        now = time.monotonic()
        for key in [k for k, p in self._pending.items() if now - p.created > PENDING_SECONDS]:
            del self._pending[key]
        state, pending = generate_token(32), _Pending(generate_token(32), generate_token(64), redirect_uri)
        self._pending[state] = pending
        query = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": redirect_uri,
            "scope": self.config.scopes,
            "state": state,
            "nonce": pending.nonce,
            "code_challenge": create_s256_code_challenge(pending.verifier),
            "code_challenge_method": "S256",
        }
        return f"{metadata['authorization_endpoint']}?{urlencode(query)}", state

    async def finish(self, state: str, code: str) -> Principal:
        pending = self._pending.pop(state, None)
        if pending is None or time.monotonic() - pending.created > PENDING_SECONDS:
            raise SignInError("this sign-in has expired or was already used; start again")
        metadata = await self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "code_verifier": pending.verifier,
            "client_id": self.config.client_id,
        }
        auth = (self.config.client_id, self.config.client_secret) if self.config.client_secret else None
        async with httpx.AsyncClient(timeout=10) as client:
            reply = await client.post(metadata["token_endpoint"], data=form, auth=auth)
            if reply.status_code != 200:  # the provider refused the code: say so, not what it said
                raise SignInError("the identity provider did not accept the sign-in")
            id_token = reply.json().get("id_token")
            jwks = (await client.get(metadata["jwks_uri"])).json()
        claims = self._validate(id_token, jwks, pending.nonce)
        return self._principal(claims)

    def _validate(self, id_token: str | None, jwks: dict[str, Any], nonce: str) -> dict[str, Any]:
        if not id_token:
            raise SignInError("the identity provider sent no ID token")
        registry = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": self.config.issuer},
            aud={"essential": True, "value": self.config.client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
            sub={"essential": True},
        )
        try:
            token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=ALGORITHMS)
            registry.validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise SignInError("the ID token did not validate") from exc
        return dict(token.claims)

    def _principal(self, claims: dict[str, Any]) -> Principal:
        values = claims.get(self.config.role_claim, [])
        if isinstance(values, str):
            values = [values]
        roles = [self.config.roles[v] for v in values if isinstance(v, str) and v in self.config.roles]
        if not roles:
            raise SignInError("your account has no mailguard role; ask an administrator")
        person = str(claims.get("email") or claims.get("preferred_username") or claims["sub"])
        subject = hashlib.sha256(f"{self.config.issuer}|{claims['sub']}".encode()).hexdigest()
        return Principal(name=person, role=max(roles), fingerprint=OIDC_PREFIX + subject)


def _redirect_uri(request: Request) -> str:
    public = request.app.state.runtime.settings.admin_public_url
    base = public.rstrip("/") if public else str(request.base_url).rstrip("/")
    return base + CALLBACK


def _signin(request: Request) -> OidcSignIn:
    signin: OidcSignIn | None = getattr(request.app.state, "oidc", None)
    if signin is None:
        raise SignInError("sign-in with the organisation's identity provider is not configured")
    return signin


@router.get(START)
async def start(request: Request) -> Response:
    try:
        url, state = await _signin(request).begin(_redirect_uri(request))
    except (SignInError, httpx.HTTPError, KeyError, ValueError):
        log.warning("OIDC sign-in could not start (provider metadata unavailable or unusable)")
        return error_page(request, status.HTTP_503_SERVICE_UNAVAILABLE)
    response = redirect(url)
    set_cookie(request, response, STATE_COOKIE, state, max_age=int(PENDING_SECONDS))
    return response


@router.get(CALLBACK)
async def callback(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
    bound = request.cookies.get(STATE_COOKIE, "")
    if error or not code or not state or not secrets.compare_digest(bound, state):
        return login_notice(request, "The sign-in was cancelled or did not come from this browser.")
    try:
        principal = await _signin(request).finish(state, code)
    except (SignInError, httpx.HTTPError) as exc:
        reason = str(exc) if isinstance(exc, SignInError) else "the identity provider could not be reached"
        log.info("OIDC sign-in refused: %s", reason)
        return login_notice(request, f"Sign-in failed: {reason}.")
    sessions: SessionStore = request.app.state.sessions
    sessions.drop(request.cookies.get(SESSION_COOKIE))  # never carry an old id across a login
    log.info("reviewer signed in through OIDC (role %s)", principal.role.name.lower())
    response = redirect(HOME)
    set_cookie(request, response, SESSION_COOKIE, sessions.create(principal), max_age=None)
    response.delete_cookie(STATE_COOKIE, path="/")
    return response
