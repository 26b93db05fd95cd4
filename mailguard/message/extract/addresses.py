"""Recipient headers parsed strictly with `policy.default` header objects (encoded words,
groups, comments, IDN, mixed case), never `parseaddr` (CVE-2023-27043 on Python 3.11).
When the parser reports a defect, any address-shaped text in the header is counted too: a
recipient a client shows must never be missed because our parser disagreed."""

from __future__ import annotations

import re
from email.message import Message

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _unicode_domain(domain: str) -> str:
    domain = domain.strip().rstrip(".").lower()
    if "xn--" not in domain:
        return domain
    try:
        return domain.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        return domain


def normalise_address(addr_spec: str) -> str:
    local, at, domain = addr_spec.strip().strip("<>").rpartition("@")
    if not at:
        return ""
    return f"{local.lower()}@{_unicode_domain(domain)}"


def header_addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(address, display name) for every address in every `name` header of `msg`."""
    found: dict[str, str] = {}
    raw_values = [str(v) for k, v in msg.raw_items() if k.lower() == name]
    try:
        headers = msg.get_all(name) or []
    except Exception:  # policy.default could not even build the header object
        headers = []
    defective = len(headers) < len(raw_values)
    for header in headers:
        try:
            for address in getattr(header, "addresses", ()):
                if address.domain:
                    found.setdefault(normalise_address(address.addr_spec), address.display_name or "")
            defective = defective or bool(getattr(header, "defects", ()))
        except Exception:
            defective = True
    if defective:
        decoded = [str(h) for h in headers] + raw_values
        for text in decoded:
            for match in _EMAIL.finditer(text):
                address = normalise_address(match.group().strip("."))
                if address:
                    found.setdefault(address, "")
    return list(found.items())
