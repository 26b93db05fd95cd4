"""The split action: one copy per external recipient, for mail whose headers alone can't be
fixed (a meeting invite lists every attendee in its calendar part).

Each external envelope recipient gets a copy in which To/Cc show only the internal
recipients and that recipient (the rewrite action's header editing), and every calendar
part (text/calendar, application/ics, *.ics/*.vcs; inline or attachment; base64, QP or
7bit/8bit) lists only the ORGANIZER, the internal attendees and that recipient. Only those
calendar bodies are re-encoded, with their original Content-Transfer-Encoding; every other
byte of the message (other parts, preamble, boundaries) is copied unchanged.

Choices:
- The internal recipients share one copy, and it keeps only the internal attendees and the
  organiser, not everyone. Staff rarely need the public's addresses to attend, an internal
  copy is easily forwarded, and the organiser's own calendar (where the full list lives)
  is not touched by this relay. The cost: an internal attendee who opens their copy sees a
  shorter attendee list than the organiser's.
- Attendee replies still reach the organiser (ORGANIZER is untouched); the UID, SEQUENCE
  and every other line are kept, so updates from the organiser still match the event.
- Delivery: the relay stages all copies durably in an outbox before answering 250, and the
  outbox delivers each copy and marks it done. That is at-least-once: a crash after the
  upstream accepted a copy but before it was marked done delivers that one copy again on
  restart. A duplicate invite to the same person is harmless (same UID: clients merge it),
  losing one is not, so we take that side.
- A message we can't split faithfully (ambiguous MIME, an undecodable calendar part) raises
  `SplitError`; the caller should hold it for review rather than send it whole.

Not covered: calendar data inside base64-encoded message/rfc822 attachments or TNEF
(winmail.dat), attendee names written in an HTML or text body; the detectors flag those.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser

from mailguard.actions.addrlist import normalise_address
from mailguard.actions.header_block import HeaderBlock, split_message
from mailguard.actions.invite import CalendarBody, CalendarError, parse_calendar
from mailguard.actions.rewrite import hide_recipients, internal_predicate, stamp
from mailguard.envelope import Envelope

MAX_DEPTH = 20
_CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar"}
_CALENDAR_SUFFIXES = (".ics", ".vcs")
_IDENTITY = {"", "7bit", "8bit", "binary"}
_BOUNDARY_PARAM = re.compile(rb"[;\s]boundary\s*\*?\d*\*?\s*=", re.I)

Copy = tuple[list[str], bytes]


class SplitError(ValueError):
    """The message can't be split faithfully; hold it instead of sending it whole."""


@dataclass(frozen=True, slots=True)
class _Calendar:
    start: int  # span of the encoded body inside the message body, trailing line ends excluded
    end: int
    body: CalendarBody


def split_copies(data: bytes, envelope: Envelope, is_internal: Callable[[str], bool]) -> list[Copy]:
    """[(envelope recipients, message bytes)]: first one copy for all internal recipients (if
    any), then one per distinct external recipient, in envelope order.

    `is_internal` is asked about addresses and bare domains, as in `rewrite_to_bcc`.
    """
    internal = internal_predicate(is_internal)
    block = split_message(data)
    calendars = _find_calendars(block.body, 0, len(block.body), _entity_type(block), 0)
    insiders: list[str] = []
    outsiders: dict[str, str] = {}  # normalised -> as given in the envelope
    for rcpt in dict.fromkeys(envelope.rcpt_tos):
        address = normalise_address(rcpt, stand_in=False) or rcpt.lower()
        if internal(address):
            insiders.append(rcpt)
        else:
            outsiders.setdefault(address, rcpt)
    copies: list[Copy] = []
    if insiders:
        copies.append((insiders, _render(block, calendars, internal)))
    for address, rcpt in outsiders.items():
        keep = _with(internal, address)
        copies.append(([rcpt], _render(block, calendars, keep)))
    return copies


def prune_to(data: bytes, is_internal: Callable[[str], bool]) -> bytes:
    """One copy for everyone in which To/Cc and every calendar part show only the internal
    people (and the ORGANIZER): the "bcc" release of an invite, safe to send to all."""
    internal = internal_predicate(is_internal)
    block = split_message(data)
    calendars = _find_calendars(block.body, 0, len(block.body), _entity_type(block), 0)
    return _render(block, calendars, internal)


def _with(internal: Callable[[str], bool], address: str) -> Callable[[str], bool]:
    return lambda a: a == address or internal(a)


def _render(block: HeaderBlock, calendars: list[_Calendar], keep: Callable[[str], bool]) -> bytes:
    copy = HeaderBlock(list(block.fields), block.eol, block.separator, block.body)
    hidden = hide_recipients(copy, keep)
    pieces: list[bytes] = []
    pos = 0
    dropped = 0
    for cal in calendars:
        encoded, n = cal.body.render(keep)
        dropped += n
        pieces += [block.body[pos : cal.start], encoded]
        pos = cal.end
    pieces.append(block.body[pos:])
    if hidden or dropped:
        stamp(copy, f"one copy per external recipient; hid {hidden} from To/Cc, {dropped} from the invite")
    return b"".join(f.raw for f in copy.fields) + copy.separator + b"".join(pieces)


def _entity_type(block: HeaderBlock) -> tuple[str, str | None, str, str | None, str | None]:
    """(content type, boundary, transfer encoding, charset, filename) of one MIME entity."""
    content_type = [f for f in block.fields if f.key == "content-type"]
    if len(content_type) > 1 or any(len(_BOUNDARY_PARAM.findall(f.raw)) > 1 for f in content_type):
        raise SplitError("ambiguous MIME: duplicate Content-Type or boundary")
    head = BytesHeaderParser(policy=policy.default).parsebytes(
        b"".join(f.raw for f in block.fields if f.name) + block.eol
    )
    boundary = head.get_param("boundary") if head.get_content_maintype() == "multipart" else None
    return (
        head.get_content_type(),
        str(boundary) if boundary else None,
        str(head.get("content-transfer-encoding", "")).strip().lower(),
        head.get_content_charset(),
        head.get_filename(),
    )


def _find_calendars(
    data: bytes, start: int, end: int, kind: tuple[str, str | None, str, str | None, str | None], depth: int
) -> list[_Calendar]:
    """Calendar bodies in the entity body data[start:end], whose headers gave `kind`."""
    if depth > MAX_DEPTH:
        raise SplitError("MIME nesting too deep")
    ctype, boundary, cte, charset, filename = kind
    if ctype.startswith("multipart/"):
        if not boundary:
            raise SplitError("multipart without a boundary")
        found: list[_Calendar] = []
        for part_start, part_end in _parts(data, start, end, boundary):
            found += _find_entity(data, part_start, part_end, depth + 1)
        return found
    if ctype == "message/rfc822" and cte in _IDENTITY:
        return _find_entity(data, start, end, depth + 1)
    if ctype in _CALENDAR_TYPES or (filename or "").lower().endswith(_CALENDAR_SUFFIXES):
        body_end = end
        while body_end > start and data[body_end - 1] in b"\r\n":
            body_end -= 1
        eol = "\r\n" if b"\r\n" in data[start:end] or data[start - 2 : start] == b"\r\n" else "\n"
        try:
            return [_Calendar(start, body_end, parse_calendar(data[start:body_end], cte, charset, eol))]
        except CalendarError as exc:
            raise SplitError(str(exc)) from exc
    return []


def _find_entity(data: bytes, start: int, end: int, depth: int) -> list[_Calendar]:
    block = split_message(data[start:end])
    body_start = start + block.header_size
    return _find_calendars(data, body_start, end, _entity_type(block), depth)


def _parts(data: bytes, start: int, end: int, boundary: str) -> list[tuple[int, int]]:
    """Spans of the body parts between boundary delimiter lines (RFC 2046 §5.1.1). The line
    end before a delimiter belongs to the delimiter."""
    delimiter = re.compile(rb"^--" + re.escape(boundary.encode("latin-1")) + rb"(--)?[ \t]*\r?$", re.M)
    spans: list[tuple[int, int]] = []
    part_start: int | None = None
    for match in delimiter.finditer(data, start, end):
        if part_start is not None:
            part_end = match.start()
            if data[part_end - 2 : part_end] == b"\r\n":
                part_end -= 2
            elif data[part_end - 1 : part_end] == b"\n":
                part_end -= 1
            spans.append((part_start, max(part_start, part_end)))
        if match.group(1):
            return spans
        nl = data.find(b"\n", match.end(), end)
        part_start = end if nl < 0 else nl + 1
    if part_start is not None and part_start < end:  # no close delimiter: the rest is the last part
        spans.append((part_start, end))
    return spans
