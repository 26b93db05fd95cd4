"""Address patterns used in rule files: `a@b.org` (exact), `@b.org` (that domain and its
subdomains), or a glob (`*.team@b.org`). Case-insensitive; IDN domains in either form. Exact
addresses compare by delivery identity (`j.smith+x@googlemail.com` is `jsmith@gmail.com`), so
a flagged recipient cannot be reached by writing its address another way."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from mailguard.organisation.mailbox import canonical_domain, canonical_mailbox, domain_and_parents, normalise_address


class AddressPatterns:
    def __init__(self, patterns: Iterable[str] = (), subaddress_domains: frozenset[str] = frozenset()) -> None:
        self.subaddress_domains = subaddress_domains
        self.addresses: set[str] = set()
        self.domains: set[str] = set()
        self.globs: list[str] = []
        for pattern in patterns:
            pattern = pattern.strip().lower()
            if pattern.startswith("@"):
                self.domains.add(canonical_domain(pattern[1:]))
            elif any(c in pattern for c in "*?["):
                self.globs.append(pattern)
            elif pattern:
                self.addresses.add(canonical_mailbox(pattern, subaddress_domains))

    def __bool__(self) -> bool:
        return bool(self.addresses or self.domains or self.globs)

    def __len__(self) -> int:
        return len(self.addresses) + len(self.domains) + len(self.globs)

    def match(self, address: str) -> bool:
        if canonical_mailbox(address, self.subaddress_domains) in self.addresses:
            return True
        address = normalise_address(address)
        if any(d in self.domains for d in domain_and_parents(address.rpartition("@")[2])):
            return True
        return any(fnmatchcase(address, glob) for glob in self.globs)


def address_forms(address: str) -> tuple[str, ...]:
    """The address as we compare it, plus its ASCII (punycode) domain form when that differs:
    a register may list either."""
    address = normalise_address(address)
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return (address,)
    try:
        return (address, f"{local}@{domain.encode('idna').decode('ascii')}")
    except UnicodeError:
        return (address,)
