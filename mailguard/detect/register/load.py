"""Read and validate the register CSV: each bad row is reported by line and column and skipped;
good rows are kept. Problems never quote the row's values (they are protected data)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from mailguard.detect.register.ukforms import canon_email, canon_phone, canon_postcode, parse_address
from mailguard.detect.register.values import Entry, RegisterError, RowError

REQUIRED = ("id", "name", "address", "postcode", "phone", "flagged_recipients")
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_DOMAIN_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z0-9\-]{2,63}")
_LOCAL_RE = re.compile(r"[^@\s\"(),:;<>\[\]\\]+")
_LIST_SEP, _PHONE_SEP = re.compile(r"[;,]"), re.compile(r"[;,/]")


def _open_text(path: Path) -> io.TextIOBase:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegisterError(f"cannot read register {path}: {exc.strerror or exc}") from None
    try:
        raw.decode("utf-8-sig")  # checked whole first, so a bad byte is reported before any row is used
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RegisterError(f"register {path} is not UTF-8 (line {line})") from None
    # decoded as read: a StringIO of the whole text holds 4 bytes per character (~340 MB at 1 M rows)
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="")


def _flagged(value: str) -> tuple[tuple[str, ...], str | None]:
    """The valid addresses and @domains, and a problem naming what was ignored (never the value)."""
    out: list[str] = []
    bad = 0
    for item in _LIST_SEP.split(value) if "," in value or ";" in value else (value,):
        item = item.strip().lower().strip("<>")
        if not item:
            continue
        local, at, domain = item.rpartition("@")
        domain = domain.rstrip(".")
        try:
            domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
        except UnicodeError:
            domain = ""
        if not at or not _DOMAIN_RE.fullmatch(domain) or (local and not _LOCAL_RE.fullmatch(local)):
            bad += 1
            continue
        out.append(f"{local}@{domain}")
    if bad:
        return tuple(dict.fromkeys(out)), "flagged_recipients: entries that are not an address or @domain ignored"
    if not out:
        return (), "flagged_recipients: empty (only global flagged lists and strict rules apply)"
    return tuple(dict.fromkeys(out)), None


def _optional(value: str, canon: Callable[[str], str | None], column: str, what: str) -> tuple[list[str], list[str]]:
    """Each valid item of a `;`-separated optional column, and a warning for the ones ignored."""
    good: list[str] = []
    bad = 0
    if not value:
        return good, []
    for part in (_PHONE_SEP if column == "phone" else _LIST_SEP).split(value):
        if part.strip():
            item = canon(part)
            if item is None:
                bad += 1
            else:
                good.append(item)
    return good, ([f"{column}: not {what}, ignored"] if bad else [])


def _entry(row: dict[str | None, str | None], extra_email: bool) -> tuple[Entry | None, str | None]:
    """(entry, None) for a good row; (None, problem) for a row that cannot protect anything; and
    (entry, problem) for a row kept without its bad optional fields: a bad phone, email or flagged
    entry must never cost the protected address its protection."""
    get = {k: (row.get(k) or "").strip() for k in (*REQUIRED, "email")}
    if None in row:  # more cells than header columns: the row is mis-quoted
        return None, "more fields than the header"
    if None in map(row.get, REQUIRED):
        return None, "fewer fields than the header"
    if not _ID_RE.fullmatch(get["id"]):
        return None, "id: missing or not letters, digits, '-', '_', '.'"
    address = parse_address(get["address"])
    if address is None:
        return None, "address: no street found"
    postcode = canon_postcode(get["postcode"]) if get["postcode"] else None
    if postcode is None:
        return None, "postcode: missing or not a UK postcode"
    if not address.number and not address.house_name:
        return None, "address: no house number or house name"
    phones, warnings = _optional(get["phone"], canon_phone, "phone", "a UK phone number")
    emails: list[str] = []
    if extra_email:
        emails, more = _optional(get["email"], canon_email, "email", "an email address")
        warnings += more
    flagged, problem = _flagged(get["flagged_recipients"])
    if problem:
        warnings.append(problem)
    entry = Entry(get["id"], address, postcode, tuple(phones), tuple(emails), flagged)
    return entry, "; ".join(warnings) or None


def csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (lower case) and (line, cells) of each non-empty data row. Raises
    RegisterError for an unusable file (also while the rows are read)."""
    reader = csv.reader(_open_text(path))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        raise RegisterError(f"register {path}: unreadable CSV at line {reader.line_num}: {exc}") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RegisterError(f"register {path}: header lacks column(s) {', '.join(missing)} (line 1)")

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                if row:
                    yield reader.line_num, row
        except csv.Error as exc:
            raise RegisterError(f"register {path}: unreadable CSV at line {reader.line_num}: {exc}") from None

    return header, rows()


def parse_rows(
    header: list[str], rows: Iterable[tuple[int, list[str]]]
) -> Iterator[tuple[int, Entry | None, str | None]]:
    """(line, entry, problem) of each row that is not blank, as `_entry` judges it (without
    the duplicate-id check, which needs every earlier row: `Ids`)."""
    extra_email = "email" in header
    for line, row, blank in _as_dicts(rows, header):
        if not blank:
            yield line, *_entry(row, extra_email)


class Ids:
    """The ids seen so far: a kept row's final problem (a later row with an earlier row's id is
    still protected, with a warning; every problem of a kept row says so)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def problem(self, rid: str, problem: str | None) -> str | None:
        if rid in self._seen:  # still protected: both rows answer to this id
            problem = "; ".join(filter(None, ("id: duplicate of an earlier row", problem)))
        self._seen.add(rid)
        return problem + " (row kept)" if problem else None


def good_entries(header: list[str], rows: Iterable[tuple[int, list[str]]], errors: list[RowError]) -> Iterator[Entry]:
    """The valid rows, noting each problem (by line) in `errors`: rows skipped (kept=False), and
    rows kept with a warning or a duplicate id (kept=True)."""
    ids = Ids()
    for line, entry, problem in parse_rows(header, rows):
        if entry is None:
            errors.append(RowError(line, problem or "invalid row"))
        else:
            if kept := ids.problem(entry.id, problem):
                errors.append(RowError(line, kept, kept=True))
            yield entry


def _as_dicts(
    rows: Iterable[tuple[int, list[str]]], header: list[str]
) -> Iterator[tuple[int, dict[str | None, str | None], bool]]:
    """The rows as csv.DictReader gives them (extra cells under None, missing ones None), without
    its per-row Python frame (a million-row register is read here), and whether each is blank
    (no column holds anything but spaces)."""
    n = len(header)
    unique = len(set(header)) == n  # else a later column of the same name hides an earlier one
    for line, row in rows:
        d: dict[str | None, str | None] = dict(zip(header, row, strict=False))
        if len(row) > n:
            d[None] = row[n:]  # type: ignore[assignment]
        elif len(row) < n:
            d.update(dict.fromkeys(header[len(row) :]))
        if unique:
            blank = not "".join(row[:n]).strip()
        else:
            blank = not any((v or "").strip() for k, v in d.items() if k is not None)
        yield line, d, blank
