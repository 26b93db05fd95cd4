"""Release and reject, as both the API and the review page perform them.

The store records the audit entry (actor, time, comment) in the same transaction as the
decision. Refusals map to fixed words here, once, so neither door echoes exception text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import status

from mailguard.admin.auth import Principal
from mailguard.admin.deps import actor
from mailguard.admin.schemas import RejectRequest, ReleaseRequest
from mailguard.quarantine.errors import Conflict, NotFound, SameReviewer

if TYPE_CHECKING:
    from mailguard.quarantine import QuarantineStore


@dataclass(frozen=True, slots=True)
class Refusal:
    key: str  # a stable word, safe to carry in a redirect's query string
    status_code: int
    text: str


NOT_FOUND = Refusal("not_found", status.HTTP_404_NOT_FOUND, "No such quarantine item.")
NOT_HELD = Refusal("not_held", status.HTTP_409_CONFLICT, "The item is no longer held: someone decided first.")
SAME_REVIEWER = Refusal(
    "same_reviewer",
    status.HTTP_409_CONFLICT,
    "Two-person release: a different reviewer must confirm this release.",
)
REFUSALS = {r.key: r for r in (NOT_FOUND, NOT_HELD, SAME_REVIEWER)}
Refusable = (NotFound, Conflict)  # the store's exceptions that are a refusal, not a failure


def refusal(exc: Exception) -> Refusal:
    if isinstance(exc, SameReviewer):  # before Conflict: it is a subclass
        return SAME_REVIEWER
    if isinstance(exc, Conflict):
        return NOT_HELD
    return NOT_FOUND


async def release(
    store: QuarantineStore, who: Principal, item_id: str, body: ReleaseRequest, *, two_person: bool
) -> dict[str, Any]:
    return await store.release(
        item_id, actor(who.name), comment=body.comment, mode=body.mode.value, two_person=two_person
    )


async def reject(store: QuarantineStore, who: Principal, item_id: str, body: RejectRequest) -> dict[str, Any]:
    return await store.reject(
        item_id, actor(who.name), comment=body.comment, notify_sender=body.notify_sender
    )
