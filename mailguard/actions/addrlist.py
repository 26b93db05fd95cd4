"""Address-list parsing that keeps each entry's original text (RFC 5322 §3.4).

`email.utils.parseaddr` is not used for decisions (CVE-2023-27043 on Python 3.11). This
tokenizer splits a To/Cc value into mailboxes and groups while honouring quoted strings,
comments, angle brackets, domain literals and encoded words, so a comma inside
`"Smith, John"` or `=?utf-8?q?Smith,_John?=` does not split an entry. Each entry keeps its
text exactly as written, so kept recipients are re-emitted unchanged.

Values are latin-1 strings standing in for the raw bytes; addresses are normalised from the
bytes as UTF-8 (SMTPUTF8) with IDN domains in Unicode.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from functools import lru_cache

from mailguard.message.extract.addresses import header_addresses

_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=")
# Anything a reader would take for an address, wherever it is written (display names too).
_ADDRESS_LIKE = re.compile(r"[^\s<>()\[\],;:\"'=@]+@[^\s<>()\[\],;:\"'@]+")


@dataclass(frozen=True, slots=True)
class Entry:
    """A mailbox (`members` empty) or a group (`group` set) as written in the header."""

    text: str  # the original text, unfolded, without surrounding white space
    address: str | None = None  # a mailbox's normalised address; None if it has none
    group: str | None = None  # a group's display-name text
    members: tuple[Entry, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.group is not None


def normalise_address(raw: str, *, stand_in: bool = True) -> str | None:
    """`Local@Domain` -> `local@domain`, IDN domain in Unicode; None without a local part and
    a domain. `stand_in`: `raw` is latin-1 text standing for header bytes (UTF-8 if 8-bit)."""
    text = _from_stand_in(raw) if stand_in else raw
    local, at, domain = _strip_comments(text).rpartition("@")
    local = "".join(local.split())
    domain = "".join(domain.split()).rstrip(".").lower()
    if not at or not local or not domain:
        return None
    if len(local) >= 2 and local[0] == local[-1] == '"':
        local = re.sub(r"\\(.)", r"\1", local[1:-1])
    return f"{local.lower()}@{_unicode_domain(domain)}"


def _from_stand_in(text: str) -> str:
    return text.encode("latin-1", "replace").decode("utf-8", "replace")


def ascii_domain_form(address: str) -> str:
    """The same address with its domain in IDNA ASCII (xn--), or itself if not convertible."""
    local, _, domain = address.rpartition("@")
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def _unicode_domain(domain: str) -> str:
    if "xn--" not in domain:
        return domain
    try:
        return domain.encode("ascii").decode("idna").lower()
    except UnicodeError:
        return domain


def _strip_comments(text: str) -> str:
    out: list[str] = []
    depth = 0
    in_quote = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and (in_quote or depth):
            if not depth:
                out.append(text[i : i + 2])
            i += 2
            continue
        if in_quote:
            in_quote = ch != '"'
            out.append(ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif not depth:
            in_quote = ch == '"'
            out.append(ch)
        i += 1
    return "".join(out)


def _scan(text: str) -> list[tuple[int, str]]:
    """Top-level structural characters `,:;<>` with their positions (outside quotes, comments,
    domain literals and encoded words; `<...>` contents are skipped except the brackets)."""
    marks: list[tuple[int, str]] = []
    depth = 0
    in_quote = in_literal = in_angle = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and (in_quote or depth or in_literal):
            i += 2
            continue
        if in_quote:
            in_quote = ch != '"'
        elif depth:
            depth += {"(": 1, ")": -1}.get(ch, 0)
        elif in_literal:
            in_literal = ch != "]"
        elif ch == '"':
            in_quote = True
        elif ch == "(":
            depth = 1
        elif ch == "[":
            in_literal = True
        elif ch == "=" and (word := _ENCODED_WORD.match(text, i)):
            i = word.end()
            continue
        elif in_angle:
            if ch == ">":
                in_angle = False
                marks.append((i, ch))
        elif ch in ",:;<":
            in_angle = ch == "<"
            marks.append((i, ch))
        i += 1
    return marks


def _mailbox(text: str) -> Entry:
    marks = _scan(text)
    opens = [p for p, ch in marks if ch == "<"]
    if opens:
        start = opens[-1] + 1
        closes = [p for p, ch in marks if ch == ">" and p > start]
        spec = text[start : closes[0] if closes else len(text)]
        spec = spec.rpartition(":")[2]  # obsolete route: <@relay1,@relay2:user@domain>
    else:
        spec = text
    return Entry(text, normalise_address(spec))


def parse_address_list(value: str) -> list[Entry]:
    """Split an unfolded To/Cc value into entries; empty entries are dropped."""
    return list(_parse_address_list(value))


@lru_cache(maxsize=256)  # a split parses the same To/Cc once per copy
def _parse_address_list(value: str) -> tuple[Entry, ...]:
    entries: list[Entry] = []
    members: list[Entry] = []
    group_start: int | None = None
    group_name = ""
    start = 0

    def take(end: int) -> None:
        piece = value[start:end].strip(" \t")
        if piece:
            (members if group_start is not None else entries).append(_mailbox(piece))

    for pos, ch in _scan(value):
        if ch == "," or (ch == ";" and group_start is None):
            take(pos)
            start = pos + 1
        elif ch == ":" and group_start is None:
            group_start, group_name, start = start, value[start:pos].strip(" \t"), pos + 1
        elif ch == ";" and group_start is not None:
            take(pos)
            entries.append(_group(value[group_start : pos + 1], group_name, members))
            members, group_start, start = [], None, pos + 1
    take(len(value))
    if group_start is not None:  # unterminated group: close it
        entries.append(_group(value[group_start:], group_name, members))
    return tuple(entries)


def _group(text: str, name: str, members: list[Entry]) -> Entry:
    return Entry(text.strip(" \t"), None, name, tuple(members))


@lru_cache(maxsize=4096)  # a split asks about the same entries once per copy
def mentioned_addresses(text: str, *, python_parser: bool = True) -> frozenset[str]:
    """Every address-looking string in the text and in its decoded encoded words, plus what
    Python's own parser finds: a second and third opinion, so a parser disagreement can only
    make us hide more."""
    found: set[str] = set()
    variants = [_from_stand_in(text)]
    try:
        variants.append(str(make_header(decode_header(variants[0]))))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        pass
    for variant in variants:
        for match in _ADDRESS_LIKE.finditer(variant):
            found.add(normalise_address(match.group(), stand_in=False) or "")
    if not python_parser:
        found.discard("")
        return frozenset(found)
    try:
        parsed = EmailMessage(policy=policy.default)
        parsed["To"] = variants[0]
        for address, _ in header_addresses(parsed, "to"):
            found.add(normalise_address(address, stand_in=False) or "")
    except Exception:  # any parse failure just means no third opinion
        pass
    found.discard("")
    return frozenset(found)


def entry_is_kept(entry: Entry, keep: Callable[[str], bool]) -> bool:
    """A mailbox stays visible only if its address is kept and nothing else in its text
    names an address that is not; a mailbox with no address stays if it mentions none."""
    if entry.address is not None and not keep(entry.address):
        return False
    return all(keep(a) for a in mentioned_addresses(entry.text))
