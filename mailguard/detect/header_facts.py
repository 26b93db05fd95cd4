"""The few header facts `check` and the scanner need without a full extraction: who the
message is from and to. Header-only parsing: cheap, and never fails on a broken body."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser

from mailguard.message.extract.addresses import header_addresses
from mailguard.message.extract.header_policy import POLICY
from mailguard.message.model import AddressSource, VisibleAddress

_PARSER = BytesHeaderParser(policy=POLICY)


@dataclass(slots=True)
class HeaderFacts:
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    subject: str = ""
    message_id: str = ""

    resent_to: list[str] = field(default_factory=list)
    resent_cc: list[str] = field(default_factory=list)

    def visible(self) -> list[VisibleAddress]:
        return [
            *(VisibleAddress(a, AddressSource.TO, "To") for a in self.to),
            *(VisibleAddress(a, AddressSource.CC, "Cc") for a in self.cc),
            *(VisibleAddress(a, AddressSource.TO, "Resent-To") for a in self.resent_to),
            *(VisibleAddress(a, AddressSource.CC, "Resent-Cc") for a in self.resent_cc),
        ]


def _addresses(message: Message, name: str) -> list[str]:
    return [address for address, _ in header_addresses(message, name.lower())]


def read_headers(data: bytes) -> HeaderFacts:
    message = _PARSER.parsebytes(data, headersonly=True)
    facts = HeaderFacts()
    senders = _addresses(message, "From")
    facts.from_address = senders[0] if senders else ""
    facts.to = _addresses(message, "To")
    facts.cc = _addresses(message, "Cc")
    facts.bcc = _addresses(message, "Bcc")
    facts.resent_to = _addresses(message, "Resent-To")
    facts.resent_cc = _addresses(message, "Resent-Cc")
    try:
        facts.subject = str(message.get("Subject", "") or "")
        facts.message_id = str(message.get("Message-ID", "") or "").strip()
    except (TypeError, ValueError, IndexError):
        pass
    return facts
