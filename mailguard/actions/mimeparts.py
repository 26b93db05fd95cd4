"""MIME parts of a copy mailguard changes (strip, redact): parse, walk the leaves, replace a
part by a short note, write back. The message is re-serialised through `email` (the copy
changes anyway and is re-signed); parts nobody replaces keep their content.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

_POLICY = policy.default.clone(linesep="\r\n")


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=_POLICY).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def serialise(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=_POLICY)


def leaves(message: EmailMessage) -> list[EmailMessage]:
    """The non-multipart parts, in order; a forwarded message (message/rfc822) counts as one leaf."""
    found: list[EmailMessage] = []

    def visit(part: EmailMessage) -> None:
        if part.get_content_maintype() == "multipart":
            for sub in part.iter_parts():
                visit(sub)  # type: ignore[arg-type]
        else:
            found.append(part)

    visit(message)
    return found


def name_of(part: EmailMessage) -> str:
    return str(part.get_filename() or "")


def replace_with_note(part: EmailMessage, note: str) -> None:
    """The part becomes a small inline text/plain note (its other headers, Content-ID aside, go)."""
    for header in ("Content-ID", "Content-Description", "Content-Location"):
        del part[header]
    part.set_content(note + "\r\n", subtype="plain", charset="utf-8", disposition="inline")
    not_root(part)


def not_root(part: EmailMessage) -> None:
    """`set_content` adds MIME-Version to the part; only the message's own header has one."""
    if part.get("From") is None:
        del part["MIME-Version"]


def removed_note(name: str, why: str) -> str:
    return f'The attachment "{name}" was removed before delivery: {why}.'
