"""The value types of a release: the mode, the reviewer's request and the resulting plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ReleaseMode(StrEnum):
    AS_IS = "as_is"  # deliver the bytes as they arrived
    BCC = "bcc"  # external recipients out of To/Cc and out of any invite's attendee list
    SPLIT = "split"  # one copy per external recipient
    SUBSET = "subset"  # only to the chosen recipients
    STRIP = "strip"  # without the chosen attachments
    REDACT = "redact"  # protected data replaced by a marker


class ReleaseRefused(ValueError):
    """The release cannot go ahead as asked; the message says why in a reviewer's words (it may
    name where in the message, never register contents)."""


@dataclass(frozen=True, slots=True)
class ReleaseRequest:
    mode: ReleaseMode = ReleaseMode.AS_IS
    recipients: tuple[str, ...] = ()  # subset: who gets it
    attachments: tuple[str, ...] = ()  # strip: the attachment names to remove
    justification: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "mode": self.mode.value,
            "recipients": list(self.recipients),
            "attachments": list(self.attachments),
            "justification": self.justification,
        }

    @classmethod
    def from_json(cls, value: dict[str, object]) -> ReleaseRequest:
        return cls(
            ReleaseMode(str(value.get("mode") or "as_is")),
            tuple(str(r) for r in value.get("recipients") or ()),  # type: ignore[attr-defined]
            tuple(str(a) for a in value.get("attachments") or ()),  # type: ignore[attr-defined]
            str(value.get("justification") or ""),
        )


Copy = tuple[list[str], bytes]


@dataclass(slots=True)
class Plan:
    """What a release will deliver: the copies, who gets nothing, and what was changed."""

    mode: ReleaseMode
    copies: list[Copy]
    refused: list[str] = field(default_factory=list)  # envelope recipients left out (subset)
    changes: list[str] = field(default_factory=list)  # "removed attachment "x.pdf"", "redacted 2 mentions in body"
    preview: list[str] = field(default_factory=list)  # redacted text around each marker

    def summary(self) -> list[dict[str, object]]:
        """Who receives what: one entry per copy (recipients, size), for the page and the API."""
        return [{"recipients": list(rcpts), "size": len(data)} for rcpts, data in self.copies]
