"""The organisation, built once from the settings and the rule files: who is a colleague,
who is a member of the public, which organisation an address belongs to, and how an address
is compared. Detection, rewrite, split, release and notices all ask this one object.

Parties (INTERFACE.md "Who is exposed"): internal addresses are no party; every address at a
consumer mail domain is a member of the public, a party of its own, keyed by its delivery
identity (so `j.smith+x@googlemail.com` and `jsmith@gmail.com` are one person); any other
address belongs to its organisation, keyed by the registrable domain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from mailguard.organisation.domains import BUILTIN_CONSUMER_DOMAINS, DomainSet, registrable_domain
from mailguard.organisation.mailbox import canonical_domain, canonical_mailbox, clean_text, embedded_destination


class Kind(StrEnum):
    INTERNAL = "internal"
    PUBLIC = "public"  # a member of the public (consumer mail domain)
    PROFESSIONAL = "professional"  # someone at another organisation


@dataclass(frozen=True)
class Organisation:
    internal_domains: tuple[str, ...] = ()
    consumer_domains: tuple[str, ...] = ()  # beyond the built-in list
    professional_domains: tuple[str, ...] = ()  # taken out of the consumer list
    subaddress_domains: frozenset[str] = frozenset()  # `+tag` reaches the base mailbox here too
    internal: DomainSet = field(init=False, repr=False, compare=False)
    consumer: DomainSet = field(init=False, repr=False, compare=False)
    professional: DomainSet = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # `brand.*` patterns name consumer brands; an internal domain is always a real domain.
        set_ = object.__setattr__
        set_(self, "internal", DomainSet(d for d in self.internal_domains if not d.endswith(".*")))
        set_(self, "consumer", DomainSet((*BUILTIN_CONSUMER_DOMAINS, *self.consumer_domains)))
        set_(self, "professional", DomainSet(self.professional_domains))
        set_(self, "subaddress_domains", frozenset(canonical_domain(d) for d in self.subaddress_domains))

    @classmethod
    def of(
        cls,
        internal: Iterable[str],
        consumer: Iterable[str] = (),
        professional: Iterable[str] = (),
        subaddress: Iterable[str] = (),
    ) -> Organisation:
        return cls(tuple(internal), tuple(consumer), tuple(professional), frozenset(subaddress))

    # --- addresses -------------------------------------------------------------------------

    def canonical(self, address: str) -> str:
        """The delivery identity every comparison of recipients uses (see organisation.mailbox)."""
        return canonical_mailbox(address, self.subaddress_domains)

    def is_internal(self, address_or_domain: str) -> bool:
        """An internal domain or a subdomain of one (an address or a bare domain). An address
        that hides another destination (`x%gmail.com@dept`) is judged by that destination."""
        text = clean_text(address_or_domain)
        text = embedded_destination(text) or text
        return text.rpartition("@")[2].strip().strip(">") in self.internal

    def is_consumer_domain(self, domain: str) -> bool:
        return domain in self.consumer and domain not in self.professional

    def kind(self, address: str) -> Kind:
        address = embedded_destination(address) or address
        _, at, domain = clean_text(address).strip().strip("<>").rpartition("@")
        if at and domain in self.internal:
            return Kind.INTERNAL
        if not at or self.is_consumer_domain(domain):
            return Kind.PUBLIC
        return Kind.PROFESSIONAL

    def party(self, address: str) -> str | None:
        """`None` for internal addresses; a member of the public's delivery identity; else the
        registrable domain of their organisation. Text without a domain is a party of its own
        (a person we cannot place)."""
        text = clean_text(embedded_destination(address) or address).strip()
        _, at, domain = text.strip("<>").rpartition("@")
        if not at:
            return text.lower() or None
        if not canonical_domain(domain):
            return None
        kind = self.kind(text)
        if kind is Kind.INTERNAL:
            return None
        if kind is Kind.PUBLIC:
            return self.canonical(text)
        return registrable_domain(domain)

    @staticmethod
    def is_public_party(key: str) -> bool:
        """A party key names a member of the public (an address), not an organisation."""
        return "@" in key or "." not in key

    def parties(self, addresses: Iterable[str]) -> dict[str, list[str]]:
        """External parties -> the addresses that belong to each (first-seen order)."""
        out: dict[str, list[str]] = {}
        for address in addresses:
            key = self.party(address)
            if key is not None and address not in out.setdefault(key, []):
                out[key].append(address)
        return out

    def describe(self) -> list[str]:
        """Plain lines for `mailguard rules check`."""
        lines = [f"  internal domains (and their subdomains): {', '.join(self.internal_domains) or '(none)'}"]
        if self.consumer_domains:
            lines.append(f"  extra consumer domains: {', '.join(self.consumer_domains)}")
        if self.professional_domains:
            lines.append(f"  not consumer domains here: {', '.join(self.professional_domains)}")
        if self.subaddress_domains:
            lines.append(f"  +tag subaddressing also at: {', '.join(sorted(self.subaddress_domains))}")
        return lines
