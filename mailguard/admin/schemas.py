"""The admin API's request and response shapes (they are its OpenAPI description).

Store dicts are validated into these on the way out, so the API answers exactly what it
documents. Models allow extra keys: the store may add fields (INTERFACE.md: add, never remove).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


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
    BCC = "bcc"  # deliver with external recipients moved out of To/Cc


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


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment = ""
    notify_sender: bool = True


class Problem(BaseModel):
    """Every error answer: a fixed sentence, never exception text or echoed input."""

    detail: str


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str = Field(description="ok | not ready")
    checks: dict[str, str] = Field(
        description="store: ok | not configured | configured but unreachable: HOST; upstream: ok | failed; "
        "register (when one is in use): ok: N rows | empty; relay: draining (from SIGTERM on)"
    )
