"""Pruning the ATTENDEE lines of one text/calendar body, and re-encoding it.

Works line by line on the decoded body, never through an iCalendar object model: kept lines
keep their exact bytes and folding (RFC 5545 §3.1), so a calendar client sees the same
event, UID and SEQUENCE, minus the people it must not see. ORGANIZER is always kept.

An ATTENDEE line stays only if its calendar address is kept and nothing else in it (CN,
SENT-BY, DELEGATED-TO/FROM, MEMBER) names an address that is not kept; a line with no
usable address is dropped. Text is handled as a latin-1 stand-in for the bytes, so any
ASCII-compatible charset passes through unchanged; UTF-16/32 bodies are converted.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from mailguard.actions.addrlist import mentioned_addresses, normalise_address

_PHYSICAL = re.compile(r"[^\n]*\n|[^\n]+$")
_WIDE_CHARSET = re.compile(r"utf-?(16|32)", re.I)
_CONTINUATION = re.compile(r"\r*\n[ \t]")  # RFC 5545 §3.1: the line end and one blank


class CalendarError(ValueError):
    """A calendar part we cannot decode or re-encode faithfully."""


@dataclass(frozen=True, slots=True)
class ContentLine:
    raw: str  # its physical lines, with their line ends (stand-in text)
    attendee: bool = False
    address: str | None = None  # the attendee's normalised calendar address
    mentions: frozenset[str] = frozenset()  # every address the line names


@dataclass(frozen=True, slots=True)
class CalendarBody:
    lines: tuple[ContentLine, ...]
    cte: str  # "base64", "quoted-printable" or an identity encoding ("7bit", "8bit", "")
    charset: str
    eol: str  # the MIME line end, used when re-encoding
    b64_width: int = 76

    @property
    def attendees(self) -> list[str]:
        return [ln.address for ln in self.lines if ln.attendee and ln.address]

    def render(self, keep: Callable[[str], bool]) -> tuple[bytes, int]:
        """The encoded body with only kept attendees, and how many lines were dropped."""
        kept = [ln.raw for ln in self.lines if not ln.attendee or _keeps(ln, keep)]
        dropped = len(self.lines) - len(kept)
        return self._encode("".join(kept)), dropped

    def _encode(self, text: str) -> bytes:
        raw = text.encode(self.charset) if _WIDE_CHARSET.match(self.charset) else text.encode("latin-1")
        eol = self.eol.encode("ascii")
        if self.cte == "base64":
            encoded = base64.b64encode(raw)
            w = self.b64_width
            return eol.join(encoded[i : i + w] for i in range(0, len(encoded), w))
        if self.cte == "quoted-printable":
            # Each calendar line becomes a hard line break; b2a_qp adds soft breaks at 76.
            return eol.join(
                binascii.b2a_qp(line, quotetabs=False, istext=False).replace(b"\n", eol)
                for line in raw.replace(b"\r\n", b"\n").split(b"\n")
            )
        return raw


def _keeps(line: ContentLine, keep: Callable[[str], bool]) -> bool:
    return line.address is not None and keep(line.address) and all(keep(a) for a in line.mentions)


def parse_calendar(body: bytes, cte: str, charset: str | None, eol: str) -> CalendarBody:
    """Decode one calendar part's body (without its trailing line ends) into content lines."""
    cte = cte.lower().strip()
    charset = (charset or "utf-8").lower()
    if cte == "quoted-printable" and _WIDE_CHARSET.match(charset):
        raise CalendarError("quoted-printable UTF-16/32 calendar part")
    try:
        if cte == "base64":
            raw = base64.b64decode(b"".join(body.split()), validate=True)  # garbage: hold, not guess
        elif cte == "quoted-printable":
            raw = binascii.a2b_qp(body)
        else:
            raw = body
        text = raw.decode(charset) if _WIDE_CHARSET.match(charset) else raw.decode("latin-1")
    except (binascii.Error, ValueError, LookupError) as exc:
        raise CalendarError(f"undecodable calendar part ({cte or '7bit'})") from exc
    if _WIDE_CHARSET.match(charset):
        text = text.encode("utf-8").decode("latin-1")  # one stand-in form for the parser
        charset = "utf-8"
    width = _b64_width(body) if cte == "base64" else 76
    return CalendarBody(tuple(_content_lines(text)), cte, charset, eol, width)


def _b64_width(body: bytes) -> int:
    first = body.split(b"\n", 1)[0].rstrip(b"\r")
    return len(first) if 4 <= len(first) <= 76 and len(first) % 4 == 0 else 76


def _content_lines(text: str) -> list[ContentLine]:
    physical = _PHYSICAL.findall(text)  # lines end at LF only: a stray CR is not a line end
    logical: list[list[str]] = []
    for line in physical:
        if line[:1] in (" ", "\t") and logical:
            logical[-1].append(line)
        else:
            logical.append([line])
    out: list[ContentLine] = []
    for group in logical:
        raw = "".join(group)
        unfolded = _CONTINUATION.sub("", raw).rstrip("\r\n")
        name = re.split(r"[;:]", unfolded, maxsplit=1)[0].strip().upper()
        if name != "ATTENDEE":
            out.append(ContentLine(raw))
            continue
        value = _value(unfolded)
        if value.lower().startswith("mailto:"):
            value = value[7:]
        if "%" in value:
            value = unquote(value, encoding="latin-1")
        mentions = mentioned_addresses(unfolded, python_parser=False)
        out.append(ContentLine(raw, True, normalise_address(value.strip()), frozenset(mentions)))
    return out


def _value(line: str) -> str:
    """The property value: everything after the first ':' outside a quoted parameter."""
    in_quote = False
    for i, ch in enumerate(line):
        if ch == '"':
            in_quote = not in_quote
        elif ch == ":" and not in_quote:
            return line[i + 1 :]
    return ""
