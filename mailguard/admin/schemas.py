"""The admin API's request and response shapes (they are its OpenAPI description).

Store dicts are validated into these on the way out, so the API answers exactly what it
documents. Models allow extra keys: the store may add fields (INTERFACE.md: add, never remove).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from mailguard.actions.release import ReleaseMode as ActionMode
from mailguard.actions.release import ReleaseRequest as ActionRequest


class Status(StrEnum):
    HELD = "held"
    RELEASED = "released"
    REJECTED = "rejected"
    EXPIRED = "expired"


class StatusFilter(StrEnum):
    """A list filter: one status, or `all`."""

    HELD = "held"
    RELEASED = "released"
    REJECTED = "rejected"
    EXPIRED = "expired"
    ALL = "all"


class ReleaseMode(StrEnum):
    AS_IS = "as_is"  # deliver the bytes as they arrived
    BCC = "bcc"  # external recipients out of To/Cc and out of an invite's attendee list
    SPLIT = "split"  # one copy per external recipient, calendar parts pruned
    SUBSET = "subset"  # only to `recipients`; the others are refused and the sender told which
    STRIP = "strip"  # without the `attachments` named, each replaced by a short note
    REDACT = "redact"  # protected data replaced by a marker; re-scanned before delivery


# No control characters but tab and line ends: nothing a person types, and they break database
# drivers (PostgreSQL refuses NUL); better a documented 422 than a 500.
NO_CONTROLS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _encodable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        raise ValueError("not valid Unicode text") from None
    return value


Text = Annotated[str, Field(pattern=NO_CONTROLS), AfterValidator(_encodable)]
Filter = Annotated[Text, Field(max_length=200)]
Comment = Annotated[Text, Field(max_length=2000, description="why; goes into the audit log")]
ItemId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ReasonOut(_Open):
    rule: str
    detector: str
    detail: str
    register_id: str | None = None
    reviewer_note: str | None = None  # misdirection: the case's earlier recipients (reviewers only)


class SnippetOut(_Open):
    rule: str = ""
    where: str
    before: str
    match: str
    after: str


class AttachmentOut(_Open):
    filename: str
    content_type: str
    size: int
    where: str


class UnscannedOut(_Open):
    where: str
    reason: str
    detail: str = ""


class AuditEntry(_Open):
    at: datetime
    actor: str = Field(description="the token's name, or 'system'")
    action: str
    item_id: str | None = None
    comment: str = ""


class ItemSummary(_Open):
    id: str
    message_id: str
    mail_from: str
    rcpt: list[str]
    subject: str
    received_at: datetime
    status: Status
    reasons: list[ReasonOut]
    decided_by: str | None = Field(None, description="who released, rejected (or `expiry`)")
    mode: str | None = Field(None, description="the release mode, once released")


class ItemDetail(ItemSummary):
    snippets: list[SnippetOut] = []
    attachments: list[AttachmentOut] = []
    unscanned: list[UnscannedOut] = []
    verdict: Any = None
    pending_confirmation: Any = Field(
        None, description="two-person release: the first reviewer's request awaiting a second"
    )
    audit: list[AuditEntry] = []


class ItemList(BaseModel):
    items: list[ItemSummary]
    total: int


class AuditList(BaseModel):
    items: list[AuditEntry]
    total: int


class ListQuery(BaseModel):
    """GET /api/quarantine: unknown parameters are refused, not silently ignored."""

    model_config = ConfigDict(extra="forbid")
    status: StatusFilter = StatusFilter.HELD
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)
    q: Filter | None = Field(None, description="text in id, subject, sender or recipients")
    rule: Filter | None = Field(None, description="only items a rule of this name held")


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000_000)
    item_id: Annotated[ItemId, Field(description="only this item's entries")] | None = None


class ReleaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment = ""
    mode: ReleaseMode = ReleaseMode.AS_IS
    recipients: list[Annotated[Text, Field(max_length=320)]] = Field(
        default_factory=list, max_length=1000, description="subset: the envelope recipients who get it"
    )
    attachments: list[Annotated[Text, Field(max_length=255)]] = Field(
        default_factory=list, max_length=100, description="strip: the attachment file names to remove"
    )
    justification: Annotated[Text, Field(max_length=2000)] = Field(
        "", description="why releasing is right; required for a protected-address hold"
    )

    def as_action(self) -> ActionRequest:
        return ActionRequest(
            ActionMode(self.mode.value), tuple(self.recipients), tuple(self.attachments), self.justification
        )


class CopyOut(BaseModel):
    recipients: list[str] = Field(description="the envelope recipients of this copy")
    size: int = Field(description="bytes")


class ReleasePreview(BaseModel):
    """Who would receive what, before the final click."""

    mode: ReleaseMode
    copies: list[CopyOut] = Field(description="one per copy")
    refused: list[str] = Field(description="recipients who would get nothing (subset)")
    changes: list[str] = Field(description="what the release changes, by place")
    preview: list[str] = Field(description="redact: the text around each marker")


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment = ""
    notify_sender: bool = True


class Problem(BaseModel):
    """Every error answer: a fixed sentence, never exception text or echoed input."""

    detail: str


class Unprocessable(BaseModel):
    """422: the body failed validation (a list of errors), or the release was refused (a sentence)."""

    detail: str | list[Any]


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str = Field(description="ok | not ready")
    checks: dict[str, str] = Field(
        description="store: ok | not configured | configured but unreachable: HOST; upstream: ok | failed; "
        "register (when one is in use): ok: N rows | empty; relay: draining (from SIGTERM on)"
    )
