"""The plain-text view of a held message, for the review page.

Built server-side from the raw bytes with the email package. HTML is never rendered: an HTML-only
body is reduced to its text (scripts and styles dropped) and shown as text like everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

# The extractor's own HTML-to-text: the reviewer reads the text the detectors scanned, so the
# matched snippets are found (and highlighted) in it.
from mailguard.message.extract.html import html_text

MAX_CHARS = 200_000  # a reviewer reads the start; the raw message is there for the rest
HEADERS = ("From", "To", "Cc", "Reply-To", "Date", "Subject")


@dataclass(slots=True)
class TextView:
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: str = ""
    body_type: str = ""  # "text/plain", "text/html (shown as text)", or "" when there is none
    truncated: bool = False


def _decoded(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, ValueError, AssertionError, UnicodeError):
        pass  # unknown charset or broken transfer encoding: fall back to a lenient decode
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def html_to_text(html: str) -> str:
    return html_text(html)


def _header(msg: Message, name: str) -> str | None:
    try:
        values = msg.get_all(name)
    except (ValueError, IndexError, AttributeError, TypeError):  # a header the parser chokes on
        return "(unreadable header)"
    return ", ".join(str(v) for v in values) if values else None


def text_view(raw: bytes, max_chars: int = MAX_CHARS) -> TextView:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    view = TextView()
    for name in HEADERS:
        value = _header(msg, name)
        if value is not None:
            view.headers.append((name, value))
    body = msg.get_body(preferencelist=("plain", "html")) if isinstance(msg, EmailMessage) else None
    if body is None:
        return view
    text = _decoded(body)
    if body.get_content_subtype() == "html":
        view.body_type, text = "text/html (shown as text, never rendered)", html_to_text(text)
    else:
        view.body_type = "text/plain"
    view.truncated = len(text) > max_chars
    view.body = text[:max_chars]
    return view


def highlight(text: str, needles: list[str]) -> list[tuple[str, bool]]:
    """Split `text` into (piece, is_match) runs, matching `needles` case-insensitively.

    The template escapes every piece and wraps matches in <mark>; no HTML is built here.
    """
    needles = sorted({n for n in needles if n.strip()}, key=len, reverse=True)
    if not needles or not text:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    runs: list[tuple[str, bool]] = []
    last = 0
    for m in pattern.finditer(text):
        if m.start() > last:
            runs.append((text[last : m.start()], False))
        runs.append((m.group(), True))
        last = m.end()
    if last < len(text):
        runs.append((text[last:], False))
    return runs
