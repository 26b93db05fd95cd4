"""Case keys in a message: what the message is about, for the misdirection guard.

A case key is a register row the message mentions, or a case reference matched by a named
pattern in rules/cases.yaml (`CM-\\d{4}-[A-Z]{2}`). Each key leaves this module only as a keyed
hash (`digest`); the clear label is kept for the reviewer's reason and never stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from mailguard.message.model import Content
from mailguard.organisation.mailbox import canonical_mailbox, normalise_address
from mailguard.organisation.organisation import Organisation

MAX_KEYS = 50  # a spreadsheet of references is about many cases; look up the first ones only

Digest = Callable[[str], str]  # "kind:value" -> keyed hash (hex)


@dataclass(frozen=True, slots=True)
class CaseKey:
    kind: str  # register | reference
    label: str  # what a reviewer reads: "CM-2555-QC", "register row P000123"
    digest: str  # the keyed hash: the only form that is stored


@dataclass(frozen=True, slots=True)
class CasePattern:
    name: str
    regex: re.Pattern[str]

    @classmethod
    def compile(cls, name: str, regex: str, ignore_case: bool = False) -> CasePattern:
        return cls(name, re.compile(regex, re.IGNORECASE if ignore_case else 0))


def canonical_reference(text: str) -> str:
    """One form per reference however it is written: `cm-2555-qc`, `CM 2555 QC` wrapped over a
    line, `CM/2555/QC` and `CM-2555-QC` are one case (letters and digits, upper-cased)."""
    return re.sub(r"[\W_]+", "", text).upper()


def _as_written(text: str) -> str:
    return " ".join(text.split())[:80]


class CaseFinder:
    """The case keys of one message (register rows mentioned, case references)."""

    def __init__(self, patterns: Sequence[CasePattern], register_rows: bool, digest: Digest) -> None:
        self.patterns = tuple(patterns)
        self.register_rows = register_rows
        self._digest = digest

    def find(self, content: Content, register_ids: Iterable[str]) -> list[CaseKey]:
        keys: dict[str, CaseKey] = {}
        if self.register_rows:
            for register_id in register_ids:
                self._add(keys, "register", register_id, f"register row {register_id}")
        texts = [content.subject, *(segment.text for segment in content.segments)]
        for pattern in self.patterns:
            for text in texts:
                for match in pattern.regex.finditer(text):
                    reference = canonical_reference(match.group(0))
                    if reference:
                        self._add(keys, "reference", reference, _as_written(match.group(0)).upper())
                    if len(keys) >= MAX_KEYS:
                        return list(keys.values())
        return list(keys.values())

    def _add(self, keys: dict[str, CaseKey], kind: str, value: str, label: str) -> None:
        digest = self._digest(f"{kind}:{value}")
        if digest not in keys:
            keys[digest] = CaseKey(kind, label, digest)


def external_recipients(classifier: Organisation, recipients: Iterable[str]) -> dict[str, str | None]:
    """Canonical external recipient (`J.Smith+x@googlemail.com` is `jsmith@gmail.com`: one
    mailbox, one recipient) -> its organisation (the registrable domain), or None for a person
    at a consumer mail domain, who is a party alone (another gmail.com user is not "the same
    organisation")."""
    out: dict[str, str | None] = {}
    for raw in recipients:
        address = canonical_mailbox(raw)
        party = classifier.party(address)
        if party is not None:
            out[address] = None if "@" in party else party
    return out


def written_forms(recipients: Iterable[str]) -> dict[str, str]:
    """Canonical mailbox -> the address as the sender wrote it (lower-cased): what a reviewer
    reads, where the canonical form (`mumfamily@gmail.com`) would puzzle."""
    return {canonical_mailbox(r): normalise_address(r) for r in recipients}
