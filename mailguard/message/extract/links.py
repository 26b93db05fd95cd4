"""Link targets a reader sees on hover or click: the addresses of a `mailto:` link and the words
in a URL (a maps link `https://maps.example/?q=14+Acacia+Avenue+BS1+4AB` shows the address it
points to). Percent-escapes and `+` are decoded, and a URL carried inside another (a redirect
or "safe links" wrapper) is read too, a few levels deep."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, unquote_plus, urlsplit

from mailguard.message.extract.addresses import normalise_address

MAX_URL = 8192  # longer targets are data or tracking blobs, not something a person reads
_NESTING = 3
_ADDRESS_PARAMS = frozenset({"to", "cc", "bcc"})
_READ_SCHEMES = frozenset({"http", "https", "ftp", "tel", "sms", "callto", "geo", "maps", "webcal"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
# A URL written in running text (plain-text bodies, PDF pages, spreadsheet cells).
VISIBLE_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"']+|mailto:[^\s<>\"']+", re.I)
_TRAILING = ".,;:!?)]}'\""


@dataclass(slots=True)
class LinkText:
    addresses: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _clean(value: str) -> str:
    return " ".join(value.split())


def _mailto(target: str, out: LinkText) -> None:
    parts = urlsplit(target)
    for address in unquote(parts.path).split(","):
        _add_address(address, out)
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        if name.lower() in _ADDRESS_PARAMS:
            for address in value.split(","):
                _add_address(address, out)
        elif value.strip():
            out.lines.append(_clean(value))


def _add_address(text: str, out: LinkText) -> None:
    address = normalise_address(text.strip())
    if address and address.rpartition("@")[2]:
        out.addresses.append(address)
        out.lines.append(address)


# Query parameters that may carry a place on their own (maps, search and booking links).
_PLACE_PARAMS = frozenset(
    {
        "q",
        "query",
        "address",
        "addr",
        "daddr",
        "saddr",
        "destination",
        "origin",
        "place",
        "location",
        "loc",
        "search",
        "text",
        "where",
        "postcode",
        "zip",
        "street",
        "house",
        "number",
    }
)
_SHORT_CODE = re.compile(r"\S{1,4}")


def _option(name: str, value: str) -> bool:
    """`api=1`, `z=15`, `hl=en`, `t=m`: a link's settings, not words a reader takes for part of
    an address. Read as text, a bare `1` beside the address it points to looks like another
    house number and would veto the match."""
    return name.lower() not in _PLACE_PARAMS and _SHORT_CODE.fullmatch(value.strip()) is not None


def _web(target: str, out: LinkText, depth: int) -> None:
    parts = urlsplit(target)
    if parts.netloc:
        pieces = [unquote_plus(p) for p in parts.path.split("/") if p]
    else:  # tel:, sms:, geo: … carry their number or place in the path
        pieces = [unquote(parts.path)] if parts.path else []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if _option(name, value):
            continue
        pieces.append(value if value.strip() else name)
    if parts.fragment:
        pieces.extend(unquote_plus(p) for p in parts.fragment.split("/") if p)
    for piece in pieces:
        if not piece.strip():
            continue
        if depth < _NESTING and _SCHEME.match(piece.strip()):  # a URL inside a URL (a redirect)
            _read(piece.strip(), out, depth + 1)
        else:
            out.lines.append(_clean(piece))


def _read(target: str, out: LinkText, depth: int) -> None:
    scheme = _SCHEME.match(target)
    if scheme is None:
        return
    name = scheme[1].lower()
    if name == "mailto":
        _mailto(target, out)
    elif name in _READ_SCHEMES:
        _web(target, out, depth)


def link_text(target: str) -> LinkText:
    """What a link target says; empty for anchors, scripts, data: and other unreadable targets."""
    out = LinkText()
    target = target.strip()
    if target and len(target) <= MAX_URL:
        try:
            _read(target, out, 0)
        except ValueError:  # urlsplit on a malformed IPv6 host and the like: read it as it stands
            out.lines.append(_clean(unquote_plus(target)))
    return out


def visible_urls(text: str) -> list[str]:
    """URLs written in `text` whose decoded form reads differently from how they are written."""
    found = []
    for match in VISIBLE_URL.finditer(text):
        url = match.group().rstrip(_TRAILING)
        if "%" in url or "+" in url or "=" in url:
            found.append(url)
    return found
