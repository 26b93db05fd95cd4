"""The register's public value types: row errors, mentions, and the parsed entry."""

from __future__ import annotations

from dataclasses import dataclass

from mailguard.detect.register.ukforms import ParsedAddress


class RegisterError(Exception):
    """The register cannot be used (unreadable file, bad header, corrupt cache). Message is safe to show:
    it names files, line numbers and columns, never register contents."""


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # 1-based line number in the CSV (the header is line 1)
    problem: str  # names the column and the problem, never the value
    kept: bool = False  # True: the row is protected; only the named optional field was ignored


@dataclass(frozen=True, slots=True)
class Mention:
    register_id: str
    kind: str  # "address" | "postcode_number" | "postcode" | "phone" | "email"
    segment_index: int  # index into the segments passed to find_mentions
    start: int  # span in the original segment text
    end: int
    matched: str  # the original text of the span
    score: float  # 0..1: 1.0 exact with postcode; lower when only the street and number agree


@dataclass(frozen=True, slots=True)
class Entry:
    """One valid register row, normalised for indexing."""

    id: str
    address: ParsedAddress
    postcode: str  # canonical, no space ("BS14AB")
    phones: tuple[str, ...]  # national form
    emails: tuple[str, ...]  # lower case
    flagged: tuple[str, ...]  # lower-case addresses and "@domain" entries
