"""Typo tolerance between keyed hashes: deletion neighbourhoods (as in SymSpell).

Two strings are within one edit (a letter added, dropped, changed, or two neighbours swapped)
when deleting at most one letter of each makes them equal; within two when deleting at most
two does. So the register's names (street names, house names, places: each joined and in OCR
skeleton, see `name_form`) are kept as the keyed hashes of their deletion variants, in one
table shared by every row that carries the name: `variant hash -> name hash`. The relay
hashes the deletion variants of what it reads with the same key and looks them up; it learns
which names are that close, never a name itself. A row's record holds only its names' hashes.

How many edits a name tolerates is decided by its length when the index is compiled (the
length itself is not kept): a short word allows none ("Elm" is not "Ely").
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable

from mailguard.detect.register.ukforms import skeleton

NAME, VARIANT = "nm:", "nv:"
_LONGEST_TWO = 24  # longer names keep one-edit variants only (a 30-letter name has 435 two-deletion ones)


def name_form(words: Iterable[str]) -> str:
    """The form names are compared in: the words joined without spaces, in OCR skeleton
    ("Mill Brook" and "Millbrook" read alike)."""
    return skeleton("".join(words))


def depth(name: str) -> int:
    """How many deletions of a register name are kept: as many as any rule may tolerate."""
    n = len(name)
    return 2 if 10 <= n <= _LONGEST_TWO else 1 if n >= 3 else 0


def deletions(word: str, most: int) -> dict[str, int]:
    """Every string made by deleting up to `most` letters of `word`, with the fewest deletions
    that make it (`word` itself: 0)."""
    out = {word: 0}
    level = {word}
    for d in range(1, most + 1):
        nxt = {w[:i] + w[i + 1 :] for w in level if len(w) > 1 for i in range(len(w))}
        nxt.difference_update(out)
        out.update(dict.fromkeys(nxt, d))
        level = nxt
    return out


def build(names: Iterable[str], hashes: Callable[[list[str]], list[int]]) -> tuple[array, array]:
    """The variant table of `names`: (sorted `variant hash << 2 | deletions`, the name hash of
    each), from the keyed `hashes` of a list of strings."""
    parts: list[str] = []
    depths: list[int] = []
    owners: list[int] = []
    names = sorted(set(names))
    for n, name in enumerate(names):
        for variant, d in deletions(name, depth(name)).items():
            parts.append(VARIANT + variant)
            depths.append(d)
            owners.append(n)
    name_hashes = hashes([NAME + name for name in names])
    packed = sorted((h << 2 | d) << 40 | name_hashes[o] for h, d, o in zip(hashes(parts), depths, owners, strict=True))
    mask = (1 << 40) - 1
    return array("Q", [p >> 40 for p in packed]), array("Q", [p & mask for p in packed])


class Near:
    """Which register names a string of the text is close to: name hash -> edits."""

    __slots__ = ("_hash", "_hashes", "_keys", "_names", "_seen")

    def __init__(
        self, keys: memoryview | array, names: memoryview | array, hash_one: Callable[[str], int], hashes: Callable
    ) -> None:
        self._keys, self._names, self._hash, self._hashes = keys, names, hash_one, hashes
        self._seen: dict[str, tuple[int, dict[int, int]]] = {}

    def edits(self, text: str, name: int, limit: int) -> int | None:
        """The edits between `text` and the name hashed `name` when at most `limit`, else None."""
        if limit < 0:
            return None
        if self._hash(NAME + text) == name:
            return 0
        if limit == 0:
            return None
        found = self._near(text, limit).get(name)
        return found if found is not None and found <= limit else None

    def _near(self, text: str, tier: int) -> dict[int, int]:
        """Names within `tier` edits of `text` (found by its variants of up to `tier` deletions),
        remembered per text string and extended when a later question allows more."""
        done, found = self._seen.get(text, (0, {}))
        if done >= tier:
            return found
        if len(self._seen) >= 16384:
            self._seen.clear()
        variants = [(v, d) for v, d in deletions(text, tier).items() if not done or d > done]
        keys, names, n = self._keys, self._names, len(self._keys)
        for (_, d_text), h in zip(variants, self._hashes([VARIANT + v for v, _ in variants]), strict=True):
            i = bisect_left(keys, h << 2)
            while i < n and keys[i] >> 2 == h:
                edits = max(d_text, keys[i] & 3)
                name = names[i]
                if edits < found.get(name, 3):
                    found[name] = edits
                i += 1
        self._seen[text] = (tier, found)
        return found
