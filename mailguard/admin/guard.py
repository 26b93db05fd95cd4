"""The admin listener's front door: framing, size and identity are checked before a body is read.

A pure ASGI middleware, outermost in the app:
- `Content-Length` together with `Transfer-Encoding`, or several `Content-Length`s, is request
  smuggling's shape: 400 and the connection closed (RFC 9112 §6.3).
- Every body the admin listener takes is a small JSON document or form. A declared length past
  `MAX_BODY` is refused with 413 before a byte is read; a chunked body is counted as it arrives
  and cut off at the same limit.
- A body is read only for someone who may send it: an API request needs a valid bearer token
  (the same check, throttle and counters as `auth.require`), a review-page POST a live session.
  Only the login form, the sign-in callback and a sender's page with a valid signed link take a
  body from a stranger, and they are small.
"""

from __future__ import annotations

import json

from fastapi import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 64 * 1024  # bytes: a release comment is 2,000 characters; a login form far less
OPEN_POSTS = {"/review/login"}  # the page POST a stranger may make (a small form)
SENDER_PATH = "/sender/"  # actions/sender_link.PATH: a sender's choice, posted with its signed link


class BodyTooLarge(Exception):
    """Raised into the app by `receive` when a chunked body passes MAX_BODY."""


async def _answer(send: Send, status: int, body: dict[str, str], headers: dict[str, str] | None = None) -> None:
    await _send(send, status, b"application/json", json.dumps(body).encode(), headers)


async def _send(send: Send, status: int, kind: bytes, payload: bytes, headers: dict[str, str] | None) -> None:
    raw = [(b"content-type", kind), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    raw.append((b"connection", b"close"))  # the unread body must never be taken for a request
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


# A browser's refusal is a page (its form was refused before its body was read), an API's JSON.
_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>mailguard: refused</title>"
    "<body style='font-family:sans-serif;max-width:40em;margin:3em auto'><h1>Refused</h1><p>{}</p></body></html>"
)
_BAD_LINK, _NO_SESSION = "not a valid link", "sign in first"  # the refusals' details (API)
_PAGE_TEXT = {
    _BAD_LINK: "This link is not valid. Use the link in your notice exactly as it is.",
    _NO_SESSION: "You are not signed in, or your session ended: <a href='/review/login'>sign in</a> and try again.",
}


async def _refuse(send: Send, path: str, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    if path.startswith("/api/") or detail not in _PAGE_TEXT:
        await _answer(send, status, {"detail": detail}, headers)
        return
    await _send(send, status, b"text/html; charset=utf-8", _PAGE.format(_PAGE_TEXT[detail]).encode(), headers)


def _framing(scope: Scope) -> tuple[bool, int | None, bool]:
    """(framing is sound, declared length, chunked) from the request's headers."""
    lengths = [v for k, v in scope["headers"] if k == b"content-length"]
    chunked = any(k == b"transfer-encoding" for k, _ in scope["headers"])
    if (chunked and lengths) or len(lengths) > 1:
        return False, None, chunked
    if not lengths:
        return True, None, chunked
    value = lengths[0].strip()
    return (value.isdigit(), int(value) if value.isdigit() else None, chunked)


class AdmissionGuard:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sound, length, chunked = _framing(scope)
        if not sound:
            await _answer(send, 400, {"detail": "ambiguous message framing"})
            return
        if chunked or length:
            refusal = _refuse_stranger(Request(scope))
            if refusal is not None:
                await _refuse(send, scope["path"], refusal.status_code, str(refusal.detail), refusal.headers)
                return
        if length is not None and length > self.max_body:
            await _answer(send, 413, {"detail": f"request body over {self.max_body} bytes"})
            return
        if not chunked:
            await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A chunked body: count it as it arrives; past the limit, 413 instead of the app's answer."""
        seen = 0
        over = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    over = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                return  # the app's answer to a truncated body is dropped: ours follows
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not over:
                raise
        if over and not started:
            await _answer(send, 413, {"detail": f"request body over {self.max_body} bytes"})


def _refuse_stranger(request: Request) -> HTTPException | None:
    """Why this request's body must not be read (who is asking is known from its headers), or None."""
    from mailguard.admin.security import session_of
    from mailguard.admin.tokens import api_principal  # auth imports security, which this sits beside

    path = request.url.path
    if path.startswith("/api/"):
        try:
            api_principal(request)
        except HTTPException as exc:
            return exc
        return None
    if path in OPEN_POSTS:
        return None
    if path.startswith(SENDER_PATH):  # a sender's page: its signed link is the credential
        from mailguard.admin.sender_page import may_post

        return None if may_post(request) else HTTPException(403, _BAD_LINK)
    if session_of(request) is None:
        return HTTPException(403, _NO_SESSION)
    return None
