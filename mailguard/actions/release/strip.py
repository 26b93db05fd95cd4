"""Remove attachments from a message, each replaced by a short text/plain note naming it."""

from __future__ import annotations

from mailguard.actions.mimeparts import leaves, name_of, parse, removed_note, replace_with_note, serialise


def attachment_names(data: bytes) -> list[str]:
    return [n for n in (name_of(p) for p in leaves(parse(data))) if n]


def strip_attachments(data: bytes, names: set[str]) -> bytes:
    message = parse(data)
    for part in leaves(message):
        if part is not message and name_of(part) in names:
            replace_with_note(part, removed_note(name_of(part), "the sender's organisation withheld it"))
    return serialise(message)
