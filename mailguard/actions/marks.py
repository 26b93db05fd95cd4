"""What mailguard may write into a copy it delivers, by who receives the copy.

Nothing that reaches an external recipient may name a verdict, a rule or a register id: an
`X-Mailguard-Verdict: pass; observed=hold; rules=protected-to-flagged` would tell the very
person someone hides from that a protection flag exists. So:

- every copy carries `X-Mailguard-Id`: an opaque random id (16 hex characters, never derived
  from the verdict) that Exchange transport rules can use as a loop exception and that an
  administrator finds in our logs;
- the verdict header (and any other `X-Mailguard-*` note, such as `X-Mailguard-Rewritten`)
  goes only on copies whose recipients are all internal (journaling, the sender's colleagues);
- a copy with any external recipient loses every `X-Mailguard-*` field but the id, including
  any a client wrote itself (a forged verdict must not leave either).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable

from mailguard.actions.addrlist import normalise_address
from mailguard.actions.header_block import split_message

ID_HEADER = "X-Mailguard-Id"
_PREFIX = "x-mailguard-"

Predicate = Callable[[str], bool]


def new_opaque_id() -> str:
    """16 hex characters from the system's random source: says nothing about the message."""
    return secrets.token_hex(8)


def id_field(opaque_id: str) -> bytes:
    return f"{ID_HEADER}: {opaque_id}\r\n".encode("ascii")


def all_internal(rcpts: Iterable[str], internal: Predicate) -> bool:
    """True when every recipient is internal (asked with the normalised address); no recipients: False."""
    seen = False
    for rcpt in rcpts:
        seen = True
        address = normalise_address(rcpt, stand_in=False) or rcpt.strip().strip("<>").lower()
        if not internal(address):
            return False
    return seen


def for_recipients(data: bytes, rcpts: Iterable[str], internal: Predicate, notes: bytes = b"") -> bytes:
    """The copy for `rcpts`: `notes` (our trace and verdict fields, CRLF-ended) on top when every
    recipient is internal; otherwise only the `Received:` and `X-Mailguard-Id` lines of `notes`,
    and no other `X-Mailguard-*` field in the message."""
    if all_internal(rcpts, internal):
        return notes + data
    return external_notes(notes) + scrub(data)


def external_notes(notes: bytes) -> bytes:
    """Of our own prepended fields, the ones an outsider may see: Received and the opaque id."""
    block = split_message(notes + b"\r\n")
    keep = [f.raw for f in block.fields if f.key == "received" or f.key == ID_HEADER.lower()]
    return b"".join(keep)


def scrub(data: bytes) -> bytes:
    """`data` without any `X-Mailguard-*` header field but the id; unchanged bytes when there is none."""
    block = split_message(data)
    kept = [f for f in block.fields if not f.key.startswith(_PREFIX) or f.key == ID_HEADER.lower()]
    if len(kept) == len(block.fields):
        return data
    block.fields[:] = kept
    return block.to_bytes()


def has_id(data: bytes) -> bool:
    return bool(split_message(data).find(ID_HEADER))
