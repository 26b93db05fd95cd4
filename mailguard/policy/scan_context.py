"""What the rules look at for one message: envelope, extracted content, the organisation, the
register. Detector results shared by several rules are computed once, on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from mailguard.detect.cases import CaseFinder, CaseKey
from mailguard.detect.protected import ProtectedMention, RegisterLike, find_protected
from mailguard.envelope import Envelope
from mailguard.message.model import Content
from mailguard.organisation.mailbox import embedded_destination, normalise_address
from mailguard.organisation.organisation import Organisation
from mailguard.organisation.patterns import AddressPatterns, address_forms


@dataclass
class ScanContext:
    envelope: Envelope
    content: Content
    organisation: Organisation
    flagged: AddressPatterns = field(default_factory=AddressPatterns)  # the global flagged list
    register: RegisterLike | None = None
    cases: CaseFinder | None = None  # the misdirection guard's case keys (rules/cases.yaml)
    affinity: Any = None  # policy.misdirection.AffinityLookup: the store's case history

    @cached_property
    def sender(self) -> str:
        return normalise_address(self.envelope.mail_from) if self.envelope.mail_from else ""

    @cached_property
    def recipients(self) -> tuple[str, ...]:
        """Where the mail goes: a recipient that hides another destination (accepted with
        MAILGUARD_EMBEDDED_ROUTE=classify) is judged by that destination."""
        return tuple(dict.fromkeys(normalise_address(embedded_destination(r) or r) for r in self.envelope.rcpt_tos))

    @cached_property
    def mentions(self) -> list[ProtectedMention]:
        return find_protected(self.content, self.register) if self.register is not None else []

    @cached_property
    def case_keys(self) -> list[CaseKey]:
        if self.cases is None:
            return []
        return self.cases.find(self.content, dict.fromkeys(m.register_id for m in self.mentions))

    def is_external(self, recipient: str) -> bool:
        return self.organisation.party(recipient) is not None

    def is_flagged_for(self, register_id: str, recipient: str) -> bool:
        if self.flagged.match(recipient):
            return True
        register = self.register
        return register is not None and any(
            register.is_flagged(register_id, f) for f in address_forms(recipient)
        )

    def is_flagged(self, recipient: str) -> bool:
        """Flagged for anyone in the register, or on the global list."""
        if self.flagged.match(recipient):
            return True
        register = self.register
        return register is not None and any(
            register.flagged_recipients_of(f) for f in address_forms(recipient)
        )
