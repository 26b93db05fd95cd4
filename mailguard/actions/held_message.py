"""A held message as the actions see it (notices, the sender's choice): typed, so they never
read the store's columns or its stored JSON. The store builds it (quarantine/records.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PROTECTED = "protected"
EXPOSURE = "exposure"


@dataclass(frozen=True, slots=True)
class HeldReason:
    """One rule that fired. `where` and `match` come from its snippet (empty without one): a
    notice must never echo them, and uses them to keep a matched subject out of its text."""

    rule: str
    detector: str
    where: str = ""
    match: str = ""


@dataclass(frozen=True, slots=True)
class HeldMessage:
    id: str
    mail_from: str
    rcpt: tuple[str, ...]
    subject: str
    message_id: str
    received_at: float
    data: bytes
    reasons: tuple[HeldReason, ...] = ()
    unscanned: tuple[str, ...] = ()  # where parts could not be read
    pending: Mapping[str, Any] | None = None  # two-person release: the first reviewer's request

    @property
    def protected(self) -> bool:
        """Held for a protected-address mention: never the sender's to decide, and released by a
        reviewer only with a justification."""
        return any(r.detector == PROTECTED for r in self.reasons)

    @property
    def exposure_only(self) -> bool:
        """Held for exposure and nothing else: the one kind of hold a sender may resolve."""
        return bool(self.reasons) and all(r.detector == EXPOSURE for r in self.reasons)

    @property
    def problem_places(self) -> list[str]:
        """Where in the message the problems are ("attachment "x.docx" › table 1, row 3")."""
        return [r.where for r in self.reasons if r.where] + list(self.unscanned)
