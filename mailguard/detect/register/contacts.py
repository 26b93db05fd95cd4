"""A row's phone number or email written in full: canonical forms compared exactly. Emails
spelled with bracketed "[at]"/"(dot)" count; bare "at"/"dot" words are not read."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from mailguard.detect.register.index import CompiledIndex
from mailguard.detect.register.probe import EMAIL, PHONE
from mailguard.detect.register.scanned import Group, Hit, mention
from mailguard.detect.register.ukforms import canon_phone, deobfuscate_email

_phone_key = lru_cache(maxsize=4096)(canon_phone)  # office numbers recur in every signature


def phones(index: CompiledIndex, group: Group, found: Iterable[re.Match[str]]) -> Iterator[Hit]:
    for m in found:
        yield from _exact(index, group, m, PHONE, _phone_key(m.group()), "phone")


def emails(index: CompiledIndex, group: Group, found: Iterable[re.Match[str]]) -> Iterator[Hit]:
    for m in found:
        raw = m.group().rstrip(".")
        yield from _exact(index, group, m, EMAIL, deobfuscate_email(raw), "email", m.start() + len(raw))


def _exact(
    index: CompiledIndex,
    group: Group,
    m: re.Match[str],
    prefix: str,
    value: str | None,
    kind: str,
    end: int | None = None,
) -> Iterator[Hit]:
    if not value:
        return
    h = index.probe.hash(prefix + value)  # a row holds its look-up keys' hashes
    for r in index.lookup(prefix + value):
        row = index.row(r)
        if h in (row.phones if kind == "phone" else row.emails):
            yield mention(group, row.id, kind, m.start(), end or m.end(), 1.0)
