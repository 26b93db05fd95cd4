"""The few header facts `check` and the scanner need without a full extraction: who the
message is from and to. Header-only parsing: cheap, and never fails on a broken body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.headerregistry import Address, Group
from email.parser import BytesHeaderParser
from email.policy import default
from email.utils import getaddresses

from mailguard.message.model import AddressSource, VisibleAddress

_PARSER = BytesHeaderParser(policy=default)
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


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


def _addresses(message: object, name: str) -> list[str]:
    out: list[str] = []
    for value in message.get_all(name) or []:  # type: ignore[attr-defined]
        try:
            groups = value.groups  # structured header: groups and display names with commas parsed
            found = [a for g in groups for a in (g.addresses if isinstance(g, Group) else [g])]
            out.extend(_addr_spec(a) for a in found if isinstance(a, Address))
            # addresses typed into a display name are shown to every reader too
            shown = " ".join(a.display_name for a in found if "@" in a.display_name)
            out.extend(m.group().strip(".") for m in _EMAIL.finditer(shown))
        except (AttributeError, TypeError, ValueError, IndexError):
            out.extend(addr for _, addr in getaddresses([str(value)]))  # broken header: best effort
    return [a.lower() for a in out if "@" in a]


def _addr_spec(address: Address) -> str:
    return f"{address.username}@{address.domain}" if address.domain else address.username


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
