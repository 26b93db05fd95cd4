"""The one parser of address headers (From, To, Cc, Bcc, Resent-*): extraction, the header
facts of `check` and the scanner, `mailguard demo`, and the Bcc rewrite's second opinion all
read addresses through `header_addresses`.

Headers are parsed strictly with `policy.default` header objects (encoded words, groups,
comments, IDN, mixed case), never `parseaddr`/`getaddresses` (CVE-2023-27043 on Python 3.11).
Addresses typed into a display name count (every reader sees them), and when the parser
reports a defect any address-shaped text in the header is counted too: a recipient a client
shows must never be missed because our parser disagreed."""

from __future__ import annotations

import re
from email.message import Message

from mailguard.organisation.mailbox import normalise_address as organisation_normalise

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def normalise_address(addr_spec: str) -> str:
    """The one normaliser (mailguard.organisation.mailbox); "" for text that is no address."""
    return normal if "@" in (normal := organisation_normalise(addr_spec)) else ""


def header_addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(address, display name) for every address in every `name` header of `msg` (a message
    parsed with `policy.default`; `name` in lower case), in order, each address once and
    normalised (`organisation.mailbox.normalise_address`); display-name and defect finds have
    an empty display name."""
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
    for display in [d for d in found.values() if "@" in d]:  # `"a@gmail.com; b@x.org" <list@dept>`
        for match in _EMAIL.finditer(display):
            if address := normalise_address(match.group().strip(".")):
                found.setdefault(address, "")
    if defective:
        decoded = [str(h) for h in headers] + raw_values
        for text in decoded:
            for match in _EMAIL.finditer(text):
                address = normalise_address(match.group().strip("."))
                if address:
                    found.setdefault(address, "")
    return list(found.items())
