"""What every extractor writes to: the growing `Content`, the budgets, and the errors that
stop a part (`PartFailed`) or the whole message (`Stop`)."""

from __future__ import annotations

import re
import time

from mailguard.message.extract.limits import ExtractLimits
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


class Sink:
    def __init__(self, limits: ExtractLimits) -> None:
        self.limits = limits
        self.content = Content()
        self.deadline = time.monotonic() + limits.timeout
        self.parts = 0
        self.text_used = 0
        # bytes inflated from archives over the whole message: bounded even when each member is fine
        self.inflate_budget = limits.max_member * 4
        self._listed: set[tuple[str, str]] = set()

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
        room = self.limits.max_text - self.text_used
        if len(text) > room:
            if room > 0:
                self._add(path, text[:room], kind)
            self.text_used = self.limits.max_text
            raise Stop(UnscannedReason.TOO_LARGE, f"more than {self.limits.max_text} characters of text")
        self.text_used += len(text)
        if len(text) <= CHUNK or kind is not SegmentKind.TEXT:
            self._add(path, text, kind)
            return
        start = 0
        while start < len(text):
            end = min(len(text), start + CHUNK)
            if end < len(text):
                cut = text.rfind("\n", start + CHUNK // 2, end)
                end = cut + 1 if cut > 0 else end
            self._add(path, text[start:end], kind)
            start = end

    def _add(self, path: Path, text: str, kind: SegmentKind) -> None:
        w = where(path)
        self.content.segments.append(Segment(text, w, kind))
        if "@" in text:
            for match in _EMAIL.finditer(text):
                self.listed(match.group().strip(".'=-"), w)

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

    def attachment(self, path: Path, filename: str, content_type: str, size: int) -> None:
        self.content.attachments.append(Attachment(filename, content_type, size, where(path)))

    def document(
        self, data: bytes, name: str, ctype: str, path: Path, depth: int,
        entered: bool = False, charset: str | None = None,
    ) -> None:
        """Read a nested document (attachment, archive member, embedded file) at `path`."""
        from mailguard.message.extract.documents import extract_document  # the dispatcher imports us

        extract_document(self, data, name, ctype, path, depth, entered, charset)


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
