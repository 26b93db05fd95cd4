"""Release and reject, as both the API and the review page perform them.

The store records the audit entry (actor, time, comment) in the same transaction as the
decision. Refusals map to fixed words here, once, so neither door echoes exception text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import status

from mailguard.actions.release import ReleaseRefused
from mailguard.actions.release.deliver import Releaser
from mailguard.admin.deps import actor
from mailguard.admin.schemas import RejectRequest, ReleaseRequest
from mailguard.admin.tokens import Principal
from mailguard.quarantine.errors import Conflict, JustificationRequired, NotFound, SameReviewer

if TYPE_CHECKING:
    from mailguard.quarantine import QuarantineStore
    from mailguard.runtime import Runtime


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
NEEDS_JUSTIFICATION = Refusal(
    "justification",
    422,
    "A protected-address hold is released only with a written justification.",
)
REFUSALS = {r.key: r for r in (NOT_FOUND, NOT_HELD, SAME_REVIEWER, NEEDS_JUSTIFICATION)}
# the store's and the release planner's exceptions that are a refusal, not a failure
Refusable = (NotFound, Conflict, JustificationRequired, ReleaseRefused)


def refusal(exc: Exception) -> Refusal:
    if isinstance(exc, SameReviewer):  # before Conflict: it is a subclass
        return SAME_REVIEWER
    if isinstance(exc, Conflict):
        return NOT_HELD
    if isinstance(exc, JustificationRequired):
        return NEEDS_JUSTIFICATION
    if isinstance(exc, ReleaseRefused):  # our own sentence (it names places, never contents)
        return Refusal("refused", 422, f"The release was refused: {exc}")
    return NOT_FOUND


async def release(
    store: QuarantineStore, runtime: Runtime, who: Principal, item_id: str, body: ReleaseRequest
) -> dict[str, Any]:
    """Release as asked; two-person and justification rules by the settings and the item."""
    return await store.release(
        item_id,
        actor(who.name),
        comment=body.comment,
        request=body.as_action(),
        planner=Releaser.of(runtime),
        rules=runtime.settings,
    )


async def preview(store: QuarantineStore, runtime: Runtime, item_id: str, body: ReleaseRequest) -> dict[str, Any]:
    """What the release would deliver (nothing is decided)."""
    plan = await store.preview_release(item_id, body.as_action(), Releaser.of(runtime))
    return {
        "mode": plan.mode.value,
        "copies": plan.summary(),
        "refused": plan.refused,
        "changes": plan.changes,
        "preview": plan.preview,
    }


async def reject(store: QuarantineStore, who: Principal, item_id: str, body: RejectRequest) -> dict[str, Any]:
    return await store.reject(item_id, actor(who.name), comment=body.comment, notify_sender=body.notify_sender)
