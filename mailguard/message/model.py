"""The content model: everything a person could read in a message, as detectors see it.

Produced by `mailguard.message.extract_content` (in a worker process, so every type here
is a plain picklable dataclass) and consumed by the detectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class UnscannedReason(StrEnum):
    ENCRYPTED = "encrypted"
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    TIMEOUT = "timeout"
    UNKNOWN_FORMAT = "unknown_format"
    CORRUPT = "corrupt"
    AMBIGUOUS_MIME = "ambiguous_mime"


class SegmentKind(StrEnum):
    TEXT = "text"  # running text: a body, a page, a paragraph block
    ROW = "row"  # one table row, cells joined by " | " (never glued across rows)
    FIELD = "field"  # a short labelled value: subject, calendar LOCATION, a form field


class AddressSource(StrEnum):
    TO = "to"
    CC = "cc"
    CALENDAR_ATTENDEE = "calendar_attendee"
    CALENDAR_ORGANIZER = "calendar_organizer"
    RESENT_TO = "resent_to"  # Resent-To / Resent-Cc of the outer message: shown like To/Cc
    RESENT_CC = "resent_cc"
    LISTED = "listed"  # written in a body or attachment (a list of people)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of readable text and where a reviewer would find it.

    `where` reads like: attachment "appeal-bundle.zip" › "bundle/assessment.docx" › table 2, row 3
    """

    text: str
    where: str
    kind: SegmentKind = SegmentKind.TEXT


@dataclass(frozen=True, slots=True)
class VisibleAddress:
    """An email address a recipient can see. `address` is lower-cased, IDN domain in Unicode."""

    address: str
    source: AddressSource
    where: str
    display_name: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True, slots=True)
class Unscanned:
    where: str
    reason: UnscannedReason
    detail: str = ""  # short, no message content: "zip member ratio 1000:1", "pypdf: …"


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment as a reviewer lists it (nested ones too, with their path in `where`)."""

    filename: str
    content_type: str
    size: int
    where: str


@dataclass(slots=True)
class Content:
    subject: str = ""
    message_id: str = ""
    from_address: str = ""
    segments: list[Segment] = field(default_factory=list)
    addresses: list[VisibleAddress] = field(default_factory=list)
    unscanned: list[Unscanned] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    has_calendar: bool = False  # a text/calendar part (an invite) anywhere in the message

    def text_size(self) -> int:
        return sum(len(s.text) for s in self.segments)


@dataclass(frozen=True, slots=True)
class Snippet:
    """The matched text in a little context, for the reviewer's highlight."""

    where: str
    before: str
    match: str
    after: str
