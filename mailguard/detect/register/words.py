"""Words of the scanned (case-folded) text around a trigger, as the matcher reads them.

WORD_RE's words, found cheaply: a window is split at C speed where possible, and the words
before a place are remembered for the many candidate rows of one trigger.
"""

from __future__ import annotations

from mailguard.detect.register.fuzzy import name_form
from mailguard.detect.register.ukforms import WORD_RE


def next_words(text: str, word_bytes: bytes, start: int) -> list[str]:
    """`WORD_RE.findall(text, start, start + 80)[:6]`, at C speed (see `words_between`)."""
    return words_between(text, word_bytes, start, start + 80, 6)


def words_between(text: str, word_bytes: bytes | None, start: int, end: int, limit: int) -> list[str]:
    """The first `limit` of `WORD_RE.findall(text, start, end)`. With no apostrophe in the way,
    WORD_RE's words are the runs of [a-z0-9], which splitting `word_bytes` (see Triggers; None:
    not at hand) gives at C speed."""
    if word_bytes is None or "'" in text[start:end] or "’" in text[start:end]:
        return WORD_RE.findall(text, start, end)[:limit]
    return word_bytes[start + 1 : end + 1].decode().split(None, limit)[:limit]


def words_in(text: str, limit: int) -> list[tuple[str, int, int]]:
    out = []
    for m in WORD_RE.finditer(text):
        out.append((m.group(), m.start(), m.end()))
        if len(out) >= limit:
            break
    return out


class WordsBefore:
    """`words_before` over one text, remembered: the candidate rows of one trigger ask alike."""

    __slots__ = ("_seen", "_tails", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._seen: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
        self._tails: dict[tuple[int, int, int], tuple[str, int, int] | None] = {}

    def __call__(self, end: int, count: int) -> list[tuple[str, int, int]]:
        found = self._seen.get((end, count))
        if found is None:
            found = self._seen[(end, count)] = words_before(self.text, end, count)
        return found

    def tail(self, end: int, count: int, k: int) -> tuple[str, int, int] | None:
        """The last k of those `count` words: (their `name_form`, start, end), or None."""
        key = (end, count, k)
        if key not in self._tails:
            words = self(end, count)
            tail = words[-k:] if 0 < k <= len(words) else None
            self._tails[key] = (name_form(w for w, _, _ in tail), tail[0][1], tail[-1][2]) if tail else None
        return self._tails[key]


def words_before(text: str, end: int, count: int) -> list[tuple[str, int, int]]:
    """The last `count` words ending at or before `end`, with their absolute spans."""
    start = max(0, end - 24 * count - 8)
    found = [(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text, start, end)]
    return found[-count:] if count else []


def word_before(text: str, pos: int) -> str:
    """The word ending just before `pos` (a space and an optional dot between): cheap, no regex."""
    end = pos - 1
    if text[end - 1 : end] == ".":
        end -= 1
    return text[text.rfind(" ", max(0, end - 12), end) + 1 : end]
