"""Protected-register mentions in a message, ready for the policy: which register row, what
kind of match, and a snippet of the message text around it (never more register data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from mailguard.detect.base import make_snippet
from mailguard.detect.views import label_value_views
from mailguard.message.model import Content, Segment, SegmentKind, Snippet

HEADERS_WHERE = "headers (To/Cc)"

KIND_LABELS = {
    "address": "postal address",
    "postcode_number": "house number and postcode",
    "phone": "phone number",
    "email": "email address",
}


class MentionLike(Protocol):
    register_id: str
    kind: str
    segment_index: int
    start: int
    end: int
    matched: str
    score: float


class RegisterLike(Protocol):
    """What the policy needs of `mailguard.detect.register.Register`."""

    def find_mentions(self, segments: Sequence[Segment]) -> Sequence[MentionLike]: ...
    def is_flagged(self, register_id: str, recipient: str) -> bool: ...
    def flagged_recipients_of(self, recipient: str) -> set[str]: ...
    def __len__(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ProtectedMention:
    register_id: str
    kind: str  # address | postcode_number | phone | email
    score: float
    snippet: Snippet

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def scan_segments(content: Content) -> list[Segment]:
    """The message's readable text plus the addresses in its headers, so a protected person's
    own email in Cc counts as a mention too, plus the extra readings of `detect.views`
    (label/value tables read as one address)."""
    segments = list(content.segments)
    header_addresses = [a.address for a in content.addresses if a.source in ("to", "cc")]
    if header_addresses:
        segments.append(Segment(", ".join(header_addresses), HEADERS_WHERE, SegmentKind.FIELD))
    segments.extend(label_value_views(content.segments))
    return segments


def find_protected(content: Content, register: RegisterLike) -> list[ProtectedMention]:
    """Every mention, best first within each register row; one per (row, kind, place)."""
    segments = scan_segments(content)  # look-alike letters are folded by the matcher (register/scanned.py)
    best: dict[tuple[str, str, str], ProtectedMention] = {}
    for mention in register.find_mentions(segments):
        if not 0 <= mention.segment_index < len(segments):
            continue
        segment = segments[mention.segment_index]
        found = ProtectedMention(
            register_id=mention.register_id,
            kind=mention.kind,
            score=float(mention.score),
            snippet=make_snippet(segment.text, mention.start, mention.end, segment.where),
        )
        key = (found.register_id, found.kind, segment.where)
        if key not in best or found.score > best[key].score:
            best[key] = found
    return sorted(best.values(), key=lambda m: (m.register_id, -m.score))
