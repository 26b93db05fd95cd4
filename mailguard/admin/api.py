"""The admin JSON API (INTERFACE.md). Bearer tokens only: no cookies, so no CSRF surface.

viewer: read; reviewer: release and reject; admin: everything. Each response code a route can
give is declared with its model, so /openapi.json describes the API completely.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, status
from fastapi.responses import Response

from mailguard.admin import decisions
from mailguard.admin.deps import Store, runtime_of
from mailguard.admin.schemas import (
    AuditList,
    AuditQuery,
    ItemDetail,
    ItemId,
    ItemList,
    ListQuery,
    Problem,
    RejectRequest,
    ReleasePreview,
    ReleaseRequest,
    Unprocessable,
)
from mailguard.admin.tokens import Reviewer, Viewer


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


_AUTH = {
    status.HTTP_401_UNAUTHORIZED: _problem("missing or invalid token"),
    status.HTTP_403_FORBIDDEN: _problem("the token's role may not do this"),
    status.HTTP_429_TOO_MANY_REQUESTS: {
        **_problem("too many wrong tokens from this address; wait Retry-After seconds"),
        "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    },
    status.HTTP_503_SERVICE_UNAVAILABLE: _problem("the quarantine store is not available"),
}
_ITEM = {status.HTTP_404_NOT_FOUND: _problem("no such item")}
_DECISION = {
    **_ITEM,
    status.HTTP_400_BAD_REQUEST: _problem("the body is not JSON"),
    status.HTTP_409_CONFLICT: _problem("the item is not held (or: the same reviewer)"),
    422: {
        "model": Unprocessable,
        "description": "the body is invalid, a protected hold has no justification, or the mode cannot be "
        "carried out (the sentence says why)",
    },
}

router = APIRouter(prefix="/api", tags=["quarantine"], responses=_AUTH)

Decorated = TypeVar("Decorated", bound=Callable[..., Any])

PathId = Annotated[ItemId, Path(description="quarantine id, e.g. QABCDEFGHIJKL")]


def _http(refusal: decisions.Refusal) -> HTTPException:
    return HTTPException(refusal.status_code, refusal.text)


@router.get("/quarantine", response_model=ItemList, summary="List quarantine items, newest first")
async def list_items(_: Viewer, store: Store, query: Annotated[ListQuery, Query()]) -> Any:
    items, total = await store.list_items(
        status=query.status.value, limit=query.limit, offset=query.offset, q=query.q, rule=query.rule
    )
    return {"items": items, "total": total}


@router.get("/quarantine/{item_id}", response_model=ItemDetail, responses=_ITEM, summary="One item")
async def get_item(_: Viewer, store: Store, item_id: PathId) -> Any:
    item = await store.get_item(item_id)
    if item is None:
        raise _http(decisions.NOT_FOUND)
    return item


@router.get(
    "/quarantine/{item_id}/raw",
    response_class=Response,
    responses={
        **_ITEM,
        200: {
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the message as it arrived",
        },
    },
    summary="The message as it arrived",
)
async def get_raw(_: Viewer, store: Store, item_id: PathId) -> Response:
    data = await store.raw(item_id)
    if data is None:
        raise _http(decisions.NOT_FOUND)
    # attachment + nosniff: a browser never renders it as a page
    headers = {"Content-Disposition": f'attachment; filename="{item_id}.eml"'}
    return Response(data, media_type="message/rfc822", headers=headers)


def _decision_route(action: str, summary: str) -> Callable[[Decorated], Decorated]:
    """POST /api/quarantine/{item_id}/<action>: answers the item as it now is, or a refusal."""
    return router.post(
        f"/quarantine/{{item_id}}/{action}", response_model=ItemDetail, responses=_DECISION, summary=summary
    )


async def _decide(decision: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """Await a release or reject; a refusal (no such item, not held, same reviewer) becomes its HTTP error."""
    try:
        return await decision
    except decisions.Refusable as exc:
        raise _http(decisions.refusal(exc)) from None


@_decision_route(
    "release",
    "Release a held item in a mode (as_is, bcc, split, subset, strip, redact); two-person: request, then confirm",
)
async def release(
    who: Reviewer,
    store: Store,
    request: Request,
    item_id: PathId,
    body: Annotated[ReleaseRequest, Body()] = ReleaseRequest(),  # noqa: B008 - an immutable default
) -> Any:
    return await _decide(decisions.release(store, runtime_of(request), who, item_id, body))


@router.post(
    "/quarantine/{item_id}/release/preview",
    response_model=ReleasePreview,
    responses=_DECISION,
    summary="Who would receive what, and what would change, if the item were released so (decides nothing)",
)
async def release_preview(
    _: Reviewer,
    store: Store,
    request: Request,
    item_id: PathId,
    body: Annotated[ReleaseRequest, Body()] = ReleaseRequest(),  # noqa: B008 - an immutable default
) -> Any:
    return await _decide(decisions.preview(store, runtime_of(request), item_id, body))


@_decision_route("reject", "Reject a held item, optionally telling the sender")
async def reject(
    who: Reviewer,
    store: Store,
    item_id: PathId,
    body: Annotated[RejectRequest, Body()] = RejectRequest(),  # noqa: B008 - an immutable default
) -> Any:
    return await _decide(decisions.reject(store, who, item_id, body))


@router.get("/audit", response_model=AuditList, summary="Who did what to which item, when and why")
async def audit(_: Viewer, store: Store, query: Annotated[AuditQuery, Query()]) -> Any:
    entries, total = await store.audit(query.limit, query.offset, item_id=query.item_id)
    return {"items": entries, "total": total}
