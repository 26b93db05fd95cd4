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
    "postcode": "full postcode",
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
    kind: str  # address | postcode_number | postcode | phone | email
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
    mentions = register.find_mentions(segments)
    untrusted = {id(m) for m in _interleaved_only(segments, mentions)}
    for mention in mentions:
        if not 0 <= mention.segment_index < len(segments) or id(mention) in untrusted:
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


_COLUMNS = " (columns)"
_OTHER_READINGS = (" (layout)",)
_SURE = 1.0  # the row's own postcode after its street (register.locality.SCORE_POSTCODE)


def _interleaved_only(segments: Sequence[Segment], mentions: Sequence[MentionLike]) -> list[MentionLike]:
    """Address mentions to distrust: found in a page read in stream or layout order when the
    page also has a column reading (so those orders interleave a letter's address block with
    the letterhead beside it), confirmed only by what followed the street there (a town, a
    letterhead line, nothing) and not found in the column reading at all. In the column reading
    the street is followed by its own town and postcode, which may say it is another place."""
    columns = {s.where[: -len(_COLUMNS)]: i for i, s in enumerate(segments) if s.where.endswith(_COLUMNS)}
    if not columns:
        return []
    found = {(m.register_id, m.segment_index) for m in mentions}
    out = []
    for m in mentions:
        if m.kind != "address" or m.score >= _SURE or not 0 <= m.segment_index < len(segments):
            continue
        where = segments[m.segment_index].where
        for suffix in _OTHER_READINGS:
            where = where.removesuffix(suffix)
        sibling = columns.get(where)
        if sibling is not None and sibling != m.segment_index and (m.register_id, sibling) not in found:
            out.append(m)
    return out
