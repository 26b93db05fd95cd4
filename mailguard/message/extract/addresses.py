"""The one parser of address headers (From, To, Cc, Bcc, Resent-*): extraction, the header
facts of `check` and the scanner, `mailguard demo`, and the Bcc rewrite's second opinion all
read addresses through `header_addresses`.

Headers are parsed strictly with `policy.default` header objects (encoded words, groups,
comments, IDN, mixed case), never `parseaddr`/`getaddresses` (CVE-2023-27043 on Python 3.11).
Addresses typed into a display name count (every reader sees them), and when the parser
reports a defect any address-shaped text in the header is counted too: a recipient a client
shows must never be missed because our parser disagreed.

Building those header objects is most of a small message's extraction time, so the everyday
form -- `a@b.org` or `Jane Smith <a@b.org>`, comma-separated, ASCII, with no quotes, comments,
groups, encoded words or escapes -- is read directly: it has one meaning for every reader, and
a test holds the two readings equal. Anything else goes to the full parser."""

from __future__ import annotations

import re
from email.message import Message

from mailguard.organisation.mailbox import normalise_address as organisation_normalise

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDR_SPEC = rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+"
_PLAIN_MAILBOX = rf"(?:([A-Za-z0-9'-]+(?: [A-Za-z0-9'-]+)*) <({_ADDR_SPEC})>|({_ADDR_SPEC}))"
_PLAIN_LIST = re.compile(rf"[ \t]*{_PLAIN_MAILBOX}(?:[ \t]*,[ \t]*{_PLAIN_MAILBOX})*[ \t]*")
_ONE_PLAIN = re.compile(_PLAIN_MAILBOX)
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def normalise_address(addr_spec: str) -> str:
    """The one normaliser (mailguard.organisation.mailbox); "" for text that is no address."""
    return normal if "@" in (normal := organisation_normalise(addr_spec)) else ""


def header_addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(address, display name) for every address in every `name` header of `msg` (a message
    parsed with `policy.default`; `name` in lower case), in order, each address once and
    normalised (`organisation.mailbox.normalise_address`); display-name and defect finds have
    an empty display name."""
    raw_values = [str(v) for k, v in msg.raw_items() if k.lower() == name]
    if not raw_values:
        return []
    plain = _plain_addresses(raw_values)
    return plain if plain is not None else _parsed_addresses(msg, name, raw_values)


def _plain_addresses(raw_values: list[str]) -> list[tuple[str, str]] | None:
    """`header_addresses` of values all in the everyday form; None when one is not."""
    found: dict[str, str] = {}
    for raw in raw_values:
        value = _FOLD.sub("", raw)
        if not (value.isascii() and _PLAIN_LIST.fullmatch(value)):
            return None
        for m in _ONE_PLAIN.finditer(value):
            address = normalise_address(m.group(2) or m.group(3))
            if address:
                found.setdefault(address, m.group(1) or "")
    return list(found.items())


def _parsed_addresses(msg: Message, name: str, raw_values: list[str]) -> list[tuple[str, str]]:
    """`header_addresses` through `policy.default`'s header objects (any form at all)."""
    found: dict[str, str] = {}
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
