"""The sender's page: the link in a sender's notice about an exposure hold opens it, with no
sign-in (the signed token in the path is the credential, see actions/sender_link.py).

It offers the ways of sending the message that end the exposure (Bcc, one copy each) and, where
rules/exposure.yaml allows, sending it as it is; the choice goes through the same release
machinery as a reviewer's (the same planner, outbox and copies) and is audited with the actor
"sender". It shows only what the sender wrote: the subject, the recipients and plain reasons,
never a rule's detail. A POST needs a same-origin request and the form's own CSRF token, which
matches a SameSite=Strict cookie set with the form (no session exists to hold it).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response

from mailguard.actions import notice, sender_choice
from mailguard.actions.held_message import HeldMessage
from mailguard.actions.release import ReleaseMode, ReleaseRefused
from mailguard.actions.release.deliver import Releaser
from mailguard.actions.sender_link import PATH, LinkExpired, LinkInvalid, SenderLinks
from mailguard.admin.deps import runtime_of, store_of
from mailguard.admin.security import new_token, same_origin, set_cookie, tokens_match
from mailguard.admin.templating import templates
from mailguard.quarantine.errors import Conflict, NotFound
from mailguard.quarantine.review_actions import SENDER_ACTOR

router = APIRouter(include_in_schema=False)
_templates = templates()
CSRF_COOKIE = "mg_sender"
_OFFERS: dict[tuple[str, sender_choice.Allowed], tuple[object, sender_choice.Offer]] = {}  # newest last
_OFFERS_KEPT = 256

WORDS = {
    ReleaseMode.BCC: "Send it with the outside recipients hidden from each other (Bcc)",
    ReleaseMode.SPLIT: "Send one copy to each recipient, each showing only them",
    ReleaseMode.AS_IS: "Send it exactly as I wrote it",
}
DONE = {
    ReleaseMode.BCC: "It is on its way, with the outside recipients hidden from each other.",
    ReleaseMode.SPLIT: "It is on its way, as one copy for each recipient.",
    ReleaseMode.AS_IS: "It is on its way, as you wrote it.",
}
GONE = {  # why a link opens no form: (status, sentence)
    "invalid": (status.HTTP_403_FORBIDDEN, "This link is not valid. Use the link in your notice exactly as it is."),
    "expired": (status.HTTP_410_GONE, "This link has expired. A reviewer will decide about your message."),
    "missing": (status.HTTP_404_NOT_FOUND, "This message is no longer stored."),
    "reviewer": (status.HTTP_409_CONFLICT, "A reviewer has already decided about this message."),
    "not_yours": (status.HTTP_403_FORBIDDEN, "A reviewer decides about this message."),
    "lapsed": (status.HTTP_409_CONFLICT, "This message was not sent: nobody decided about it in time."),
}


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return _templates.TemplateResponse(
        request,
        "sender.html",
        {"session": None, "notice": None, "gone": None, "done": None, **context},
        status_code=status_code,
    )


def _gone(request: Request, key: str) -> HTMLResponse:
    code, text = GONE[key]
    return _page(request, {"gone": text}, code)


def _links(request: Request) -> SenderLinks:
    links: SenderLinks = store_of(request).sender_links
    return links


def may_post(request: Request) -> bool:
    """For the admission guard: a POST to a sender page carries a token we signed. Expired is
    let through, so a sender who took too long is told so on a page, not by a bare refusal."""
    try:
        _links(request).check(request.url.path.removeprefix(PATH), now=0.0)
    except (LinkInvalid, OSError, ValueError):
        return False
    return True


async def _open(request: Request, token: str) -> HeldMessage | HTMLResponse:
    """The hold the token names, while it is the sender's to decide; else the page saying why."""
    try:
        item_id = _links(request).check(token, time.time())
    except LinkInvalid:
        return _gone(request, "invalid")
    except LinkExpired:
        return _gone(request, "expired")
    store = store_of(request)
    try:
        held = await store.held(item_id)
    except NotFound:
        return _gone(request, "missing")
    except Conflict:
        item = await store.get_item(item_id)
        if item is None:
            return _gone(request, "missing")
        return _decided(request, item)
    if not held.exposure_only:
        return _gone(request, "not_yours")
    if held.pending:
        return _gone(request, "reviewer")
    return held


def _decided(request: Request, item: dict[str, Any]) -> HTMLResponse:
    """A hold no longer held: the sender's own earlier choice (the link works once), or not."""
    if item.get("decided_by") != SENDER_ACTOR:
        return _gone(request, "lapsed" if item.get("status") == "expired" else "reviewer")
    mode = ReleaseMode(item.get("mode") or "as_is")
    text = f"You already chose for this message. {DONE[mode]} This link works once."
    return _page(request, {"gone": text}, status.HTTP_409_CONFLICT)


def _allowed(request: Request, held: HeldMessage) -> sender_choice.Allowed:
    runtime = runtime_of(request)
    rules = sender_choice.rule_names(held)
    return sender_choice.allowed_by(runtime.policy, rules, runtime.settings.two_person_release)


async def _form(
    request: Request, token: str, held: HeldMessage, problem: str | None = None, code: int = 200
) -> HTMLResponse:
    runtime = runtime_of(request)
    allowed = _allowed(request, held)
    # Each fix is planned and the copies scanned again: once per hold and rule set, not per
    # load (a link's holder reloading must not cost a scan of a large message every time).
    key = (held.id, allowed)
    policy, offer = _OFFERS.pop(key, (None, None))
    if offer is None or policy is not runtime.policy:  # rules reloaded since: plan again
        offer = await sender_choice.offer(held, allowed, Releaser.of(runtime), runtime.scanner)
    _OFFERS[key] = (runtime.policy, offer)
    while len(_OFFERS) > _OFFERS_KEPT:
        del _OFFERS[next(iter(_OFFERS))]
    csrf = request.cookies.get(CSRF_COOKIE) or new_token()
    context = {
        "token": token,
        "csrf": csrf,
        "subject": notice.safe_subject(held.subject, held.reasons),
        "recipients": held.rcpt,
        "reasons": notice.plain_reasons(held.reasons),
        "choices": [(mode.value, WORDS[mode]) for mode in offer.modes],
        "justify": offer.as_is == "justify" and ReleaseMode.AS_IS in offer.modes,
        "notice": {"kind": "error", "text": problem} if problem else None,
    }
    response = _page(request, context, code)
    set_cookie(request, response, CSRF_COOKIE, csrf, max_age=3600)
    return response


@router.get(PATH + "{token}")
async def sender_page(request: Request, token: str) -> Response:
    held = await _open(request, token)
    if isinstance(held, HTMLResponse):
        return held
    return await _form(request, token, held)


@router.post(PATH + "{token}")
async def sender_choose(request: Request, token: str) -> Response:
    form = await request.form()  # the admission guard checked the token's signature before reading it
    held = await _open(request, token)  # expired, used or decided: the page that says so
    if isinstance(held, HTMLResponse):
        return held
    csrf = form.get("csrf")
    if not same_origin(request) or not tokens_match(
        request.cookies.get(CSRF_COOKIE, ""), csrf if isinstance(csrf, str) else None
    ):
        return _page(
            request, {"gone": "That was refused: open the link in your notice again."}, status.HTTP_403_FORBIDDEN
        )
    mode_value, why = form.get("mode"), form.get("justification")
    try:
        mode = ReleaseMode(mode_value if isinstance(mode_value, str) else "")
    except ValueError:
        return await _form(request, token, held, "Choose one of the ways below.", 422)
    runtime = runtime_of(request)
    try:
        request_, plan = await sender_choice.plan_choice(
            held,
            mode,
            why if isinstance(why, str) else "",
            _allowed(request, held),
            Releaser.of(runtime),
            runtime.scanner,
        )
    except ReleaseRefused as exc:  # our own sentences: they name no contents
        return await _form(request, token, held, str(exc), 422)
    try:
        await store_of(request).sender_release(held, request_, plan)
    except Conflict:
        item = await store_of(request).get_item(held.id)
        return _decided(request, item) if item is not None else _gone(request, "missing")
    return _page(request, {"done": DONE[mode], "recipients": held.rcpt, "copies": len(plan.copies)})
