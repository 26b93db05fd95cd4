"""The admin listener's ASGI app: API, review page, /metrics, /healthz, /readyz.

Wiring only: routes live in api.py, pages.py, sender_page.py and health.py; defences in auth.py and security.py.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from mailguard.admin import api, health, oidc, pages, sender_page
from mailguard.admin.guard import AdmissionGuard
from mailguard.admin.oidc import OidcConfig, OidcSignIn
from mailguard.admin.security import LoginLimiter, SecurityHeaders, SessionStore, session_of
from mailguard.admin.templating import STATIC_DIR
from mailguard.admin.tokens import TokenBook
from mailguard.quarantine.errors import StoreError
from mailguard.runtime import Runtime

log = logging.getLogger(__name__)

PAGE_PREFIXES = ("/review", "/static", "/sender")


def _is_page(request: Request) -> bool:
    return request.url.path == "/" or request.url.path.startswith(PAGE_PREFIXES)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_page(request):
        return pages.error_page(request, exc.status_code, session_of(request))
    return await http_exception_handler(request, exc)


async def _store_error(request: Request, exc: Exception) -> Response:
    log.error("admin request failed: quarantine store unavailable")  # the text stays in the store log
    if _is_page(request):
        return pages.error_page(request, 503, session_of(request))
    return JSONResponse({"detail": "quarantine store not available"}, status_code=503)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    """422 as FastAPI documents it, minus the `input` and `ctx` it would echo back."""
    assert isinstance(exc, RequestValidationError)
    detail = [{k: e[k] for k in ("type", "loc", "msg") if k in e} for e in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


async def _login_required(request: Request, exc: Exception) -> Response:
    return pages.redirect(pages.LOGIN) if request.method == "GET" else pages.error_page(request, 403)


def create_app(runtime: Runtime) -> FastAPI:
    tokens = TokenBook(runtime.settings)
    if not tokens.configured:
        log.warning("no MAILGUARD_ADMIN_TOKEN or tokens file: the admin API refuses every request")
    app = FastAPI(
        title="mailguard admin",
        version="1",
        description="Review held mail. `Authorization: Bearer <token>`; roles viewer, reviewer, admin.",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: not on a security boundary
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    app.state.tokens = tokens
    app.state.sessions = SessionStore(tokens)
    app.state.login_limiter = LoginLimiter()
    oidc_config = OidcConfig.from_settings(runtime.settings)
    app.state.oidc = OidcSignIn(oidc_config) if oidc_config is not None else None

    app.include_router(health.router)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(oidc.router)
    app.include_router(sender_page.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(pages.LoginRequired, _login_required)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AdmissionGuard)  # added last: outermost, before any body is read
    return app
