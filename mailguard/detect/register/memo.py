"""Verification remembered per window of text, so repeated text costs nothing more.

A check of a trigger reads a bounded window of the group's text (at most `BEFORE` characters
before the trigger and `AFTER` after it) and the member boundaries there. Its hits are a
function of that window alone, so they are kept relative to the trigger, keyed by the
window's content and shape: a mail merge or an address list repeating one address verifies
it once. The store is bounded and simply starts afresh when full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from mailguard.detect.register.scanned import Group, Hit

BEFORE, AFTER = 400, 300  # beyond what any check reads around its trigger (see address, named, postcode)


class Memo:
    __slots__ = ("_limit", "_store")

    def __init__(self, limit: int = 8192) -> None:
        self._store: dict[tuple, tuple[Hit, ...]] = {}
        self._limit = limit

    def run(self, group: Group, pos: int, tag: object, check: Callable[[], Iterable[Hit]]) -> list[Hit]:
        """The hits of `check()` for the trigger at `pos`, from the store when this window was seen."""
        key, found = self.seen(group, pos, tag)
        return self.keep(key, pos, check()) if found is None else found

    def seen(self, group: Group, pos: int, tag: object) -> tuple[tuple, list[Hit] | None]:
        """(the key of the window around `pos`, its hits placed at `pos` or None if not seen):
        `run` without a callable to make per trigger, for the caller to `keep` what it finds."""
        lo, hi = max(0, pos - BEFORE), pos + AFTER
        key = (tag, pos - lo, group.text[lo:hi], group.shape(lo, hi))
        found = self._store.get(key)
        return key, None if found is None else [h.moved(pos) for h in found] if found else []

    def keep(self, key: tuple, pos: int, hits: Iterable[Hit]) -> list[Hit]:
        """Remember the hits of the trigger at `pos` under `key` (from `seen`); returns them."""
        found = list(hits)
        self._put(key, found, pos)
        return found

    def whole(self, group: Group, tag: object, check: Callable[[], Iterable[Hit]]) -> tuple[Hit, ...]:
        """The hits of `check()` over all of `group` (a chunk with its margins)."""
        key = (tag, group.text, group.shape(0, len(group.text)))
        found = self._store.get(key)
        return self._put(key, check(), 0) if found is None else found

    def _put(self, key: tuple, hits: Iterable[Hit], pos: int) -> tuple[Hit, ...]:
        """Store the hits relative to `pos` (the store starts afresh when full)."""
        found = tuple(h.moved(-pos) for h in hits) if pos else tuple(hits)
        if len(self._store) >= self._limit:
            self._store = {}
        self._store[key] = found
        return found
