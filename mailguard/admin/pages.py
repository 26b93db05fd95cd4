"""The review page: log in with a token, the queue, one item, release and reject.

Script-free HTML from autoescaped templates. Every POST needs the session's CSRF token and a
same-origin request; login is rate limited per client IP and always mints a new session.
Notices after a redirect travel as fixed keywords (`?done=released`), never as text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, TypeAdapter, ValidationError

from mailguard.admin import decisions
from mailguard.admin.deps import runtime_of, store_of
from mailguard.admin.schemas import (
    ItemDetail,
    ItemId,
    ItemSummary,
    RejectRequest,
    ReleaseRequest,
    StatusFilter,
)
from mailguard.admin.schemas import Text as TextField
from mailguard.admin.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    LoginLimiter,
    Session,
    SessionStore,
    new_token,
    same_origin,
    session_of,
    set_cookie,
    tokens_match,
)
from mailguard.admin.templating import templates
from mailguard.admin.textview import highlight, text_view
from mailguard.admin.tokens import Role, TokenBook, failure_keys

PAGE_SIZE = 50
HOME, LOGIN = "/review", "/review/login"

router = APIRouter(include_in_schema=False)
_templates = templates()

DONE = {
    "released": "Released: it is on its way to its recipients.",
    "pending": "Release requested: a second reviewer must confirm it.",
    "rejected": "Rejected.",
}
PROBLEMS = {key: r.text for key, r in decisions.REFUSALS.items()} | {
    "invalid": "The form was not valid (a comment is at most 2000 characters).",
}
ERROR_TITLES = {
    status.HTTP_403_FORBIDDEN: "That was refused: the form has expired or your role may not do it.",
    status.HTTP_404_NOT_FOUND: "Not found.",
    status.HTTP_429_TOO_MANY_REQUESTS: "Too many failed logins from here. Try again in a few minutes.",
    status.HTTP_503_SERVICE_UNAVAILABLE: "The quarantine store is not available. Try again shortly.",
}
_item_id = TypeAdapter(ItemId)
_filter_text = TypeAdapter(TextField)


class LoginRequired(Exception):
    """No live session: the app answers with a redirect to the login form."""


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    status_code: int = 200,
    session: Session | None = None,
) -> HTMLResponse:
    return _templates.TemplateResponse(
        request, name, {"session": session, "notice": None, **context}, status_code=status_code
    )


def error_page(request: Request, status_code: int, session: Session | None = None) -> HTMLResponse:
    """A fixed sentence per status code: exception text never reaches a page (CVE-2024-31204)."""
    title = ERROR_TITLES.get(status_code, "Something went wrong.")
    context = {"title": title, "status_code": status_code}
    return render(request, "error.html", context, status_code, session=session)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# --- dependencies -------------------------------------------------------------------------------


def viewer_session(request: Request) -> Session:
    session = session_of(request)
    if session is None:
        raise LoginRequired
    return session


async def form_session(request: Request) -> Session:
    """A POST from our own page: live session, same origin, the session's CSRF token."""
    session = viewer_session(request)
    form = await request.form()
    if not same_origin(request) or not tokens_match(session.csrf, _str(form.get("csrf"))):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return session


async def reviewer_session(session: Annotated[Session, Depends(form_session)]) -> Session:
    if session.principal.role < Role.REVIEWER:
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return session


ViewerSession = Annotated[Session, Depends(viewer_session)]
ReviewerSession = Annotated[Session, Depends(reviewer_session)]


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _valid_id(item_id: str) -> str:
    try:
        return _item_id.validate_python(item_id)
    except ValidationError:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None


def _notice(request: Request) -> dict[str, str] | None:
    done, problem = request.query_params.get("done"), request.query_params.get("problem")
    if done in DONE:
        return {"kind": "ok", "text": DONE[done]}
    if problem in PROBLEMS:
        return {"kind": "error", "text": PROBLEMS[problem]}
    return None


# --- login and logout ---------------------------------------------------------------------------


@router.get("/")
async def root() -> RedirectResponse:
    return redirect(HOME)


def _login_form(request: Request, status_code: int = 200, notice: str | None = None) -> HTMLResponse:
    csrf = request.cookies.get(LOGIN_COOKIE) or new_token()
    context = {
        "csrf": csrf,
        "notice": {"kind": "error", "text": notice} if notice else None,
        "oidc": getattr(request.app.state, "oidc", None) is not None,
    }
    response = render(request, "login.html", context, status_code)
    set_cookie(request, response, LOGIN_COOKIE, csrf, max_age=3600)
    return response


def login_notice(request: Request, text: str) -> HTMLResponse:
    """The login form again, with why the last sign-in failed."""
    return _login_form(request, status.HTTP_401_UNAUTHORIZED, text)


@router.get(LOGIN)
async def login_form(request: Request) -> Response:
    if session_of(request) is not None:
        return redirect(HOME)
    return _login_form(request)


@router.post(LOGIN)
async def login(request: Request) -> Response:
    """A valid token always signs in; wrong ones are throttled per address and per token."""
    form = await request.form()  # at most guard.MAX_BODY bytes
    if not same_origin(request) or not tokens_match(request.cookies.get(LOGIN_COOKIE, ""), _str(form.get("csrf"))):
        return error_page(request, status.HTTP_403_FORBIDDEN)
    tokens: TokenBook = request.app.state.tokens
    token = _str(form.get("token")).strip()
    principal = tokens.authenticate(token)
    limiter: LoginLimiter = request.app.state.login_limiter
    if principal is None:
        keys = failure_keys(client_ip(request), token)
        if wait := limiter.retry_after(*keys):
            response = error_page(request, status.HTTP_429_TOO_MANY_REQUESTS)
            response.headers["Retry-After"] = str(wait)
            return response
        limiter.failed(*keys)
        return _login_form(request, status.HTTP_401_UNAUTHORIZED, "That token was not accepted.")
    if principal.role is Role.ADMIN:
        limiter.succeeded(failure_keys(client_ip(request), "")[0])
    sessions: SessionStore = request.app.state.sessions
    sessions.drop(request.cookies.get(SESSION_COOKIE))  # never carry an old id across a login
    response = redirect(HOME)
    set_cookie(request, response, SESSION_COOKIE, sessions.create(principal), max_age=None)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/review/logout")
async def logout(request: Request, _: Annotated[Session, Depends(form_session)]) -> Response:
    sessions: SessionStore = request.app.state.sessions
    sessions.drop(request.cookies.get(SESSION_COOKIE))
    response = redirect(LOGIN)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- the queue and one item ---------------------------------------------------------------------


def _filters(request: Request) -> tuple[StatusFilter, str | None, str | None, int]:
    """The queue's filters from the query string; anything unusable falls back to the default."""
    params = request.query_params
    try:
        state = StatusFilter(params.get("status", StatusFilter.HELD.value))
    except ValueError:
        state = StatusFilter.HELD
    texts: list[str | None] = []
    for name in ("rule", "q"):
        value = (params.get(name) or "").strip()[:200]
        try:
            texts.append(_filter_text.validate_python(value) or None)
        except ValidationError:
            texts.append(None)
    page = params.get("page", "1")
    return state, texts[0], texts[1], int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1


@router.get(HOME)
async def queue(request: Request, session: ViewerSession) -> Response:
    state, rule, q, page = _filters(request)
    store = store_of(request)
    found, total = await store.list_items(
        status=state.value,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        q=q,
        rule=rule,
    )
    kept = {k: v for k, v in (("status", state.value), ("rule", rule), ("q", q)) if v}

    def page_query(number: int) -> str:
        return urlencode({**kept, "page": number})

    first = (page - 1) * PAGE_SIZE
    context = {
        "items": [ItemSummary.model_validate(i) for i in found],
        "total": total,
        "filters": {"status": state.value, "rule": rule, "q": q},
        "statuses": [s.value for s in StatusFilter],
        "first": first + 1 if found else 0,
        "last": first + len(found),
        "prev_query": page_query(page - 1) if page > 1 else None,
        "next_query": page_query(page + 1) if first + len(found) < total else None,
        "notice": _notice(request),
    }
    return render(request, "queue.html", context, session=session)


@router.get("/review/item/{item_id}")
async def item_page(request: Request, session: ViewerSession, item_id: str) -> Response:
    store = store_of(request)
    item_id = _valid_id(item_id)
    found = await store.get_item(item_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    item = ItemDetail.model_validate(found)
    raw = await store.raw(item.id)
    # Parsing a large message is CPU work: keep it off the loop the relay shares.
    text = await asyncio.to_thread(text_view, raw) if raw is not None else None
    runs = highlight(text.body, [s.match for s in item.snippets]) if text else []
    context = {
        "item": item,
        "text": text,
        "body_runs": runs,
        "can_decide": session.principal.role >= Role.REVIEWER,
        "protected": any(r.detector == "protected" for r in item.reasons),
        "notice": _notice(request),
    }
    return render(request, "item.html", context, session=session)


@router.get("/review/item/{item_id}/raw")
async def item_raw(request: Request, _: ViewerSession, item_id: str) -> Response:
    item_id = _valid_id(item_id)
    data = await store_of(request).raw(item_id)
    if data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    # octet-stream + attachment: the browser saves it, never renders the message
    headers = {"Content-Disposition": f'attachment; filename="{item_id}.eml"'}
    return Response(data, media_type="application/octet-stream", headers=headers)


# --- decisions ----------------------------------------------------------------------------------


def _release_fields(form: Any) -> dict[str, Any]:
    return {
        "comment": _str(form.get("comment")).strip(),
        "mode": _str(form.get("mode")) or "as_is",
        "recipients": [_str(v) for v in form.getlist("recipients")],
        "attachments": [_str(v) for v in form.getlist("attachments")],
        "justification": _str(form.get("justification")).strip(),
    }


async def _decide(request: Request, session: Session, item_id: str, model: type[BaseModel]) -> Response:
    item_id = _valid_id(item_id)
    back = f"/review/item/{item_id}"
    form = await request.form()
    if model is ReleaseRequest:
        fields = _release_fields(form)
    else:
        fields = {"comment": _str(form.get("comment")).strip(), "notify_sender": "notify_sender" in form}
    try:
        body = model.model_validate(fields)
    except ValidationError:
        return redirect(f"{back}?problem=invalid")
    store = store_of(request)
    try:
        if isinstance(body, ReleaseRequest):
            result = await decisions.release(store, runtime_of(request), session.principal, item_id, body)
            done = "released" if result.get("status") == "released" else "pending"
        else:
            assert isinstance(body, RejectRequest)
            await decisions.reject(store, session.principal, item_id, body)
            done = "rejected"
    except decisions.Refusable as exc:
        refusal = decisions.refusal(exc)
        if refusal.key not in decisions.REFUSALS:  # a reason in words: shown on its own page
            return await _preview_page(request, session, item_id, body, refusal.text)
        return redirect(f"{back}?problem={refusal.key}")
    return redirect(f"{back}?done={done}")


async def _preview_page(
    request: Request, session: Session, item_id: str, body: BaseModel, problem: str | None = None
) -> Response:
    """Who receives what, before the final click (or why the release cannot be done)."""
    assert isinstance(body, ReleaseRequest)
    plan = None
    if problem is None:
        try:
            plan = await decisions.preview(store_of(request), runtime_of(request), item_id, body)
        except decisions.Refusable as exc:
            problem = decisions.refusal(exc).text
    context = {
        "item_id": item_id,
        "body": body,
        "plan": plan,
        "notice": {"kind": "error", "text": problem} if problem else None,
    }
    return render(request, "release_preview.html", context, session=session)


@router.post("/review/item/{item_id}/release/preview")
async def release_preview(request: Request, session: ReviewerSession, item_id: str) -> Response:
    item_id = _valid_id(item_id)
    try:
        body = ReleaseRequest.model_validate(_release_fields(await request.form()))
    except ValidationError:
        return redirect(f"/review/item/{item_id}?problem=invalid")
    return await _preview_page(request, session, item_id, body)


@router.post("/review/item/{item_id}/release")
async def release(request: Request, session: ReviewerSession, item_id: str) -> Response:
    return await _decide(request, session, item_id, ReleaseRequest)


@router.post("/review/item/{item_id}/reject")
async def reject(request: Request, session: ReviewerSession, item_id: str) -> Response:
    return await _decide(request, session, item_id, RejectRequest)
