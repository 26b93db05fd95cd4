"""Address patterns used in rule files: `a@b.org` (exact), `@b.org` (that domain and its
subdomains), or a glob (`*.team@b.org`). Case-insensitive; IDN domains in either form."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from mailguard.detect.parties import clean_text, unicode_domain


def normalise_address(address: str) -> str:
    """Lower-case, IDN domain in Unicode: the one form every comparison uses."""
    local, at, domain = clean_text(address).strip().strip("<>").rpartition("@")
    return f"{local.lower()}@{unicode_domain(domain)}" if at else address.strip().lower()


class AddressPatterns:
    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.addresses: set[str] = set()
        self.domains: set[str] = set()
        self.globs: list[str] = []
        for pattern in patterns:
            pattern = pattern.strip().lower()
            if pattern.startswith("@"):
                self.domains.add(unicode_domain(pattern[1:]))
            elif any(c in pattern for c in "*?["):
                self.globs.append(pattern)
            elif pattern:
                self.addresses.add(normalise_address(pattern))

    def __bool__(self) -> bool:
        return bool(self.addresses or self.domains or self.globs)

    def __len__(self) -> int:
        return len(self.addresses) + len(self.domains) + len(self.globs)

    def match(self, address: str) -> bool:
        address = normalise_address(address)
        if address in self.addresses:
            return True
        domain = address.rpartition("@")[2]
        labels = domain.split(".")
        if any(".".join(labels[i:]) in self.domains for i in range(len(labels))):
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
