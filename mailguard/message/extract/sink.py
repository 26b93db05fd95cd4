"""What every extractor writes to: the growing `Content`, the budgets, and the errors that
stop a part (`PartFailed`) or the whole message (`Stop`).

A nested document (an attachment, an archive member, an embedded file) is handed back through
`Sink.document` to the dispatcher the sink was made with (`documents.extract_document`, wired
in by content.py): the dispatcher sits above the sink and every extractor, so no extractor
imports it and the modules of this package import each other without a cycle."""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator
from itertools import accumulate

from mailguard.message.extract.bounds import ExtractLimits
from mailguard.message.extract.links import VISIBLE_URL, link_text, visible_urls
from mailguard.message.model import (
    AddressSource,
    Attachment,
    Content,
    Segment,
    SegmentKind,
    Unscanned,
    UnscannedReason,
    VisibleAddress,
)

Path = tuple[str, ...]
SEP = " › "
CHUNK = 64 * 1024  # long running text is cut into segments of about this size, on line ends
_EMAIL = re.compile(r"[\w.%+'=-]+@[\w-]+(?:\.[\w-]+)+")


def emails(text: str) -> Iterator[tuple[int, str]]:
    """(offset, address) of every address-shaped run in `text`, as `_EMAIL.finditer` finds them.

    The regex has no literal to look for first, so on its own it tries (and backtracks) at
    every letter of every word; starting each search at the blank before the next "@" skips
    those futile tries and halves the cost on a spreadsheet of rows."""
    pos = 0
    while (at := text.find("@", pos)) >= 0:
        start = max(text.rfind(" ", pos, at), text.rfind("\n", pos, at), pos - 1) + 1
        match = _EMAIL.search(text, start)
        if match is None:
            return
        yield match.start(), match.group().strip(".'=-")
        pos = match.end()


_NAME_GLUE = re.compile(r"[_/\\]+|(?<=\w)[.-](?=\w)")


def readable_name(name: str) -> str:
    """A file name or archive path as written, plus (when it differs) the same with the
    separators people put between words (`_`, `-`, `.`, folders) read as spaces:
    "cases/14_Acacia-Avenue.pdf" also reads "cases 14 Acacia Avenue" (the extension dropped)."""
    stem = name.rpartition(".")[0] or name
    spaced = " ".join(_NAME_GLUE.sub(" ", stem).split())
    return name if spaced == stem else f"{name}\n{spaced}"


def where(path: Path) -> str:
    return SEP.join(path) or "message"


class PartFailed(Exception):
    """This part cannot be read; the rest of the message goes on."""

    def __init__(self, reason: UnscannedReason, detail: str = "") -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class Stop(Exception):
    """A message-wide bound was hit (time, parts, text): nothing more is read."""

    def __init__(self, reason: UnscannedReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def failure(exc: Exception, doing: str) -> tuple[UnscannedReason, str]:
    """Why reading stopped, as an unscanned reason: the promise is "never raises", so a library's
    surprise on a broken file fails closed as `corrupt`."""
    if isinstance(exc, PartFailed | Stop):
        return exc.reason, exc.detail
    if isinstance(exc, MemoryError):
        return UnscannedReason.TOO_LARGE, "out of memory"
    if isinstance(exc, RecursionError):
        return UnscannedReason.TOO_DEEP, "structure nested too deeply"
    return UnscannedReason.CORRUPT, f"{type(exc).__name__} while {doing}"


class Sink:
    def __init__(self, limits: ExtractLimits, dispatch: Dispatch) -> None:
        self.limits = limits
        self._dispatch = dispatch
        self.content = Content()
        self.deadline = time.monotonic() + limits.timeout
        self.parts = 0
        self.text_used = 0
        # bytes inflated from archives over the whole message: bounded even when each member is fine
        self.inflate_budget = limits.max_member * 4
        self._listed: set[tuple[str, str]] = set()
        self._links: set[tuple[str, str]] = set()  # (where, target) already read
        self._link_numbers: dict[str, int] = {}

    # --- bounds ---
    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise Stop(UnscannedReason.TIMEOUT, f"over {self.limits.timeout:g} s")

    def enter(self, path: Path, depth: int) -> None:
        """Count one part (MIME part, archive member, embedded document) at `depth`."""
        self.check_time()
        self.parts += 1
        if self.parts > self.limits.max_parts:
            raise Stop(UnscannedReason.TOO_LARGE, f"more than {self.limits.max_parts} parts")
        if depth > self.limits.max_depth:
            raise PartFailed(UnscannedReason.TOO_DEEP, f"nesting deeper than {self.limits.max_depth}")

    def check_size(self, size: int, what: str = "part") -> None:
        if size > self.limits.max_member:
            raise PartFailed(UnscannedReason.TOO_LARGE, f"{what} of {size} bytes")

    def spend_inflate(self, size: int) -> None:
        self.inflate_budget -= size
        if self.inflate_budget < 0:
            raise Stop(UnscannedReason.TOO_LARGE, "too much inflated archive data")

    # --- output ---
    def text(self, path: Path, text: str, kind: SegmentKind = SegmentKind.TEXT) -> None:
        """Add readable text; long text is cut on line ends into segments with the same `where`."""
        text = text.strip()
        if not text:
            return
        if "\r" in text:  # one line-end convention for every format
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.check_time()
        w = where(path)
        self._spend(w, text, kind)
        if len(text) <= CHUNK or kind is not SegmentKind.TEXT:
            self._add(w, text, kind)
            return
        start = 0
        while start < len(text):
            end = min(len(text), start + CHUNK)
            if end < len(text):
                cut = text.rfind("\n", start + CHUNK // 2, end)
                end = cut + 1 if cut > 0 else end
            self._add(w, text[start:end], kind)
            start = end

    def rows(self, wheres: list[str], texts: list[str]) -> None:
        """Table rows, `texts[i]` at `wheres[i]`, each text on one line and non-empty: the hot
        path of spreadsheets and CSV (tens of thousands of rows), so the per-row work is one
        Segment, and the address and URL searches run once over the batch. The caller checks
        the clock between batches."""
        kind = SegmentKind.ROW
        joined = "\n".join(texts)
        size = len(joined) + 1
        if size > self.limits.max_text - self.text_used:  # the budget ends in this batch
            for at, text in zip(wheres, texts, strict=True):
                self._spend(at, text, kind)
                self._add(at, text, kind)
            return
        self.text_used += size - len(texts)
        self.content.segments.extend([Segment(text, at, kind) for text, at in zip(texts, wheres, strict=True)])
        has_link = "://" in joined or "mailto:" in joined
        if "@" not in joined and not has_link:
            return
        # where each row starts in `joined`; no match crosses a line end (no row's text has one)
        starts = list(accumulate([len(text) + 1 for text in texts[:-1]], initial=0))
        listed, found, source = self._listed, self.content.addresses, AddressSource.LISTED
        for start, address in emails(joined):
            key = (address.lower(), wheres[bisect_right(starts, start) - 1])
            if key not in listed:  # `listed()`, inlined: a sheet can list 50,000 people
                listed.add(key)
                found.append(VisibleAddress(key[0], source, key[1]))
        if has_link:
            for match in VISIBLE_URL.finditer(joined):
                for url in visible_urls(match.group()):
                    self._link(wheres[bisect_right(starts, match.start()) - 1], url)

    def _spend(self, w: str, text: str, kind: SegmentKind) -> None:
        """Count `text` against the message's budget; past it, keep what fits and stop."""
        room = self.limits.max_text - self.text_used
        if len(text) > room:
            if room > 0:
                self._add(w, text[:room], kind)
            self.text_used = self.limits.max_text
            raise Stop(UnscannedReason.TOO_LARGE, f"more than {self.limits.max_text} characters of text")
        self.text_used += len(text)

    def _add(self, w: str, text: str, kind: SegmentKind) -> None:
        self.content.segments.append(Segment(text, w, kind))
        if "@" in text:
            for _, address in emails(text):
                self.listed(address, w)
        if kind is not SegmentKind.FIELD and ("://" in text or "mailto:" in text):
            for url in visible_urls(text):  # a URL as written hides the words it encodes
                self._link(w, url)

    def link(self, path: Path, target: str) -> None:
        """A link target (href, PDF /URI, a document's hyperlink) of the text at `path`:
        read as `path › link N`, its mailto: addresses listed there too."""
        self._link(where(path), target)

    def _link(self, w: str, target: str) -> None:
        if (w, target) in self._links:
            return
        self._links.add((w, target))
        found = link_text(target)
        if not found.lines:
            return
        number = self._link_numbers[w] = self._link_numbers.get(w, 0) + 1
        at = f"{w}{SEP}link {number}"
        for address in found.addresses:
            self.listed(address, at)
        self.check_time()
        text = found.text
        self._spend(at, text, SegmentKind.FIELD)
        self._add(at, text, SegmentKind.FIELD)

    def listed(self, address: str, at: str, display_name: str = "") -> None:
        address = address.lower()
        if "@" not in address or (address, at) in self._listed:
            return
        self._listed.add((address, at))
        self.content.addresses.append(VisibleAddress(address, AddressSource.LISTED, at, display_name))

    def address(self, address: str, source: AddressSource, path: Path, display_name: str = "") -> None:
        if source is AddressSource.LISTED:
            self.listed(address, where(path), display_name)
        else:
            self.content.addresses.append(VisibleAddress(address.lower(), source, where(path), display_name))

    def unscanned(self, path: Path, reason: UnscannedReason, detail: str = "") -> None:
        self.content.unscanned.append(Unscanned(where(path), reason, detail[:200]))

    def attachment(self, path: Path, filename: str, content_type: str, size: int, label: str = "file name") -> None:
        """List an attachment, and read its name (at `path › label`): every recipient reads a
        file name, and caseworkers name files after the property."""
        self.content.attachments.append(Attachment(filename, content_type, size, where(path)))
        self.text((*path, label), readable_name(filename), SegmentKind.FIELD)

    def document(
        self, data: bytes, name: str, ctype: str, path: Path, depth: int,
        entered: bool = False, charset: str | None = None,
    ) -> None:
        """Read a nested document (attachment, archive member, embedded file) at `path`."""
        self._dispatch(self, data, name, ctype, path, depth, entered, charset)


# (sink, data, name, declared type, path, depth, already counted by `enter`, charset)
Dispatch = Callable[[Sink, bytes, str, str, Path, int, bool, "str | None"], None]


class Paragraphs:
    """Batches paragraphs into segments of a sensible size, split on paragraph boundaries.

    With `numbered`, each segment's `where` ends in `paragraphs a–b` (1-based, inclusive)."""

    TARGET = 4000

    def __init__(self, sink: Sink, path: Path, numbered: bool = True) -> None:
        self.sink = sink
        self.path = path
        self.numbered = numbered
        self.count = 0
        self._first = 1
        self._lines: list[str] = []
        self._size = 0

    def add(self, text: str) -> None:
        self.count += 1
        self._lines.append(text)
        self._size += len(text) + 1
        if self._size >= self.TARGET:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            label = f"paragraph {self._first}" if self._first == self.count else (
                f"paragraphs {self._first}–{self.count}")
            path = (*self.path, label) if self.numbered else self.path
            self.sink.text(path, "\n".join(self._lines))
        self._lines = []
        self._size = 0
        self._first = self.count + 1
