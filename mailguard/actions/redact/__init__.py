"""Redaction: every span of protected data a `Finder` reports is replaced by a fixed marker.

Handled: the Subject, text/plain and text/html bodies, and DOCX, ODT, XLSX (shared and inline
strings), CSV/TSV, plain-text, ICS and vCard attachments. Any other part (PDF, images,
archives, forwarded messages, .msg, unknown formats) cannot be redacted safely: it is removed
and replaced by a note naming it. The caller scans the result again before delivering it
(`mailguard.actions.release.plan`): a mention split in a way we did not rewrite is refused,
never sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage

from mailguard.actions.mimeparts import (
    leaves,
    name_of,
    not_root,
    parse,
    removed_note,
    replace_with_note,
    serialise,
)
from mailguard.actions.redact.spans import MARKER, Finder, redact_text
from mailguard.actions.redact.zipped import redact_docx, redact_odt, redact_xlsx

__all__ = ["MARKER", "Finder", "RedactResult", "redact_message"]

_TEXT_TYPES = {
    "text/plain": "text",
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "text/calendar": "folded",
    "application/ics": "folded",
    "text/vcard": "folded",
    "text/x-vcard": "folded",
    "text/directory": "folded",
    "text/html": "html",
}
_TEXT_SUFFIXES = {
    ".txt": "text", ".csv": "csv", ".tsv": "csv", ".ics": "folded", ".vcs": "folded", ".vcf": "folded",
    ".htm": "html", ".html": "html",
}  # fmt: skip
_ZIPPED = {
    ".docx": redact_docx,
    ".odt": redact_odt,
    ".xlsx": redact_xlsx,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": redact_docx,
    "application/vnd.oasis.opendocument.text": redact_odt,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": redact_xlsx,
}


@dataclass(slots=True)
class RedactResult:
    data: bytes
    changes: list[str] = field(default_factory=list)  # what was done, by place
    preview: list[str] = field(default_factory=list)  # the redacted text around each marker


def redact_message(data: bytes, finder: Finder) -> RedactResult:
    message = parse(data)
    result = RedactResult(b"")
    subject = str(message.get("Subject", ""))
    new_subject, n, _ = redact_text(subject, finder, "text")
    if n:
        message.replace_header("Subject", new_subject)
        result.changes.append(f"redacted {n} in the subject")
        result.preview.append(f"subject: {new_subject}")
    for index, part in enumerate(leaves(message), 1):
        _redact_part(part, index, finder, result)
    result.data = serialise(message)
    return result


def _redact_part(part: EmailMessage, index: int, finder: Finder, result: RedactResult) -> None:
    ctype = part.get_content_type()
    name = name_of(part)
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    where = f'attachment "{name}"' if name else f"body part {index} ({ctype})"
    kind = _TEXT_TYPES.get(ctype) or _TEXT_SUFFIXES.get(suffix)
    zipped = _ZIPPED.get(suffix) or _ZIPPED.get(ctype)
    try:
        if kind and ctype.startswith("text/"):
            text = part.get_content()
            new, n, preview = redact_text(text, finder, kind)
            if n:
                _set(part, new)
        elif zipped is not None:
            new_bytes, n, preview = zipped(part.get_content(), finder)
            if n:
                _set(part, new_bytes)
        else:
            raise _Unredactable
    except (_Unredactable, LookupError, UnicodeError, ValueError, KeyError, OSError):
        label = name or f"part {index} ({ctype})"
        replace_with_note(part, removed_note(label, "it could not be checked and cleaned safely"))
        result.changes.append(f"removed {where}: it cannot be redacted")
        return
    if n:
        result.changes.append(f"redacted {n} in {where}")
        result.preview += [f"{where}: {p}" for p in preview]


class _Unredactable(Exception):
    pass


def _set(part: EmailMessage, content: str | bytes) -> None:
    """New content for a part, keeping its type, parameters, disposition and file name."""
    maintype, subtype = part.get_content_maintype(), part.get_content_subtype()
    params = {k: v for k, v in part.get_params(header="content-type")[1:] if k.lower() not in ("charset", "boundary")}
    disposition = part.get_content_disposition()
    filename = part.get_filename()
    if isinstance(content, str):
        part.set_content(
            content, subtype=subtype, charset="utf-8", disposition=disposition, filename=filename, params=params
        )
    else:
        part.set_content(content, maintype, subtype, disposition=disposition, filename=filename, params=params)
    not_root(part)
