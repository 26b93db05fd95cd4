"""Typo tolerance between keyed hashes: deletion neighbourhoods (as in SymSpell).

Two strings are within one edit (a letter added, dropped, changed, or two neighbours swapped)
when deleting at most one letter of each makes them equal; within two when deleting at most
two does. So the register's names (street names, house names, places: each joined and in OCR
skeleton, see `name_form`) are kept as the keyed hashes of their deletion variants, in one
table shared by every row that carries the name: `variant hash -> name hash`. The relay
hashes the deletion variants of what it reads with the same key and looks them up; it learns
which names are that close, never a name itself. A row's record holds only its names' hashes.

How many edits a name tolerates is decided by its length when the index is compiled: a
short word allows none ("Elm" is not "Ely"). A record keeps that count (0, 1 or 2), not the
length; the table keeps each name's variants as deep as its most tolerant use needs.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence

from mailguard.detect import budget
from mailguard.detect.register.keys import Keyring
from mailguard.detect.register.ukforms import ocr_letters, skeleton

NAME, VARIANT = "nm:", "nv:"
MOST_EDITS = 2  # the most any name tolerates
_LONGEST_TWO = 24  # longer names keep one-edit variants only (a 30-letter name has 435 two-deletion ones)
# A text string longer than this is read for names within one edit only where the names are
# looked for without a row to compare with (`street.StreetText.names_before_type`): its
# two-deletion variants, each hashed, grow with the square of its length.
READ_TWO = 20
_EXACT_KEPT = 65536  # text strings whose name hash `Near` remembers


def name_form(words: Iterable[str]) -> str:
    """The form names are compared in: the words joined without spaces, in OCR skeleton
    ("Mill Brook" and "Millbrook" read alike)."""
    return skeleton("".join(words))


def run_forms(words: Sequence[str], sizes: Iterable[int]) -> list[str]:
    """`name_form` of every run of `sizes` consecutive words (each size in turn, runs in order),
    the OCR letters folded once per word rather than once per run (an "rn" across two words is
    folded in the run, as `name_form` folds it)."""
    folded = [ocr_letters(w) for w in words]
    n = len(folded)
    return ["".join(folded[i : i + k]).replace("rn", "m") for k in sizes if k > 0 for i in range(n - k + 1)]


def spelt_form(words: Iterable[str]) -> str:
    """`name_form` with an "rn" left as two letters: what a name's length and its typo variants
    are taken from ("Bernyarley" mistyped "Benryarley" is one swap, not a changed "m" and an
    added "r"). Its variants lead to the name's hash."""
    return ocr_letters("".join(words))


def cap(name: str, edits: int) -> int:
    """`edits`, or one for a very long name (its two-deletion variants would be too many)."""
    return min(edits, 1) if len(name) > _LONGEST_TWO else edits


def deletions(word: str, most: int) -> dict[str, int]:
    """Every string made by deleting up to `most` letters of `word`, with the fewest deletions
    that make it (`word` itself: 0)."""
    out = {word: 0}
    n = len(word)
    level: set[str] = set()  # the strings of the last level made
    if most >= 1 and n > 1:
        level = {word[:i] + word[i + 1 :] for i in range(n)}
        out.update(dict.fromkeys(level, 1))
    if most >= 2 and n > 2:  # each pair of positions once (not each deletion of each deletion)
        level = {word[:i] + word[i + 1 : j] + word[j + 1 :] for i in range(n) for j in range(i + 1, n)}
        level.difference_update(out)
        out.update(dict.fromkeys(level, 2))
    for d in range(3, most + 1):
        level = {w[:i] + w[i + 1 :] for w in level if len(w) > 1 for i in range(len(w))}
        level.difference_update(out)
        out.update(dict.fromkeys(level, d))
    return out


def build(names: dict[str, tuple[int, int]], hashes: Callable[[list[str]], list[int]]) -> tuple[array, array, bytes]:
    """The variant table of `names` (each form of a name with its hash and the edits it
    tolerates): (sorted `variant hash << 2 | deletions`, the name hash of each, and a bitmap
    of the variant hashes: `present`), from the keyed `hashes` of a list of strings."""
    packed: list[int] = []
    parts: list[str] = []
    tails: list[int] = []  # deletions << 40 | name hash, of each part

    def flush() -> None:
        packed.extend([h << 42 | t for h, t in zip(hashes(parts), tails, strict=True)])
        parts.clear()
        tails.clear()

    for form, (h, edits) in names.items():
        for variant, d in deletions(form, edits).items():
            parts.append(VARIANT + variant)
            tails.append(d << 40 | h)
        if len(parts) >= 1 << 16:
            flush()
    flush()
    packed.sort()
    mask = (1 << 40) - 1
    keys = array("Q", [p >> 40 for p in packed])
    return keys, array("Q", [p & mask for p in packed]), bitmap([p >> 42 for p in packed])


def bitmap(hashes: list[int]) -> bytes:
    """A bit per value of the hashes' low bits, set where some hash has it: at least eight bits
    a hash (a ninth or less set), so that most strings of the text that are no variant are
    told so by one bit, without bisecting the table (`Near.near`)."""
    bits = 1 << max(16, (8 * len(hashes)).bit_length())
    field = bytearray(bits >> 3)
    mask = bits - 1
    for h in hashes:
        b = h & mask
        field[b >> 3] |= 1 << (b & 7)
    return bytes(field)


class Near:
    """Which register names a string of the text is close to: name hash -> edits."""

    __slots__ = ("_bits", "_exact", "_hash", "_hashes", "_keys", "_mask", "_names", "_native", "_seen")

    def __init__(
        self,
        keys: memoryview | array,
        names: memoryview | array,
        present: memoryview | bytes,
        keyring: Keyring,
    ) -> None:
        self._keys, self._names, self._hash, self._hashes = keys, names, keyring.hash, keyring.hashes
        self._bits, self._mask = present, 8 * len(present) - 1  # `bitmap`
        self._native = keyring.native  # the same look-up in C (`_native.c`), when built
        self._seen: dict[str, tuple[int, dict[int, int]]] = {}
        self._exact: dict[str, int] = {}  # a text string -> the hash of it as a name (`edits`, `within`)

    def name(self, text: str) -> int:
        """The hash of a text string as a name, remembered: the rows of one street compare the
        same few strings with their places."""
        h = self._exact.get(text)
        if h is None:
            if len(self._exact) >= _EXACT_KEPT:
                self._exact.clear()
            h = self._exact[text] = self._hash(NAME + text)
        return h

    def edits(self, text: str, name: int, limit: int) -> int | None:
        """The edits between `text` and the name hashed `name` when at most `limit`, else None."""
        if limit < 0:
            return None
        if self.name(text) == name:
            return 0
        if limit == 0:
            return None
        found = self.near(text, limit).get(name)
        return found if found is not None and found <= limit else None

    def within(self, texts: Sequence[str], name: int, limit: int) -> bool:
        """`edits(text, name, limit)` is not None for some text: every text exactly first (a hash
        each), then within `limit` (a caller reading every run of words near a postcode asks it
        of dozens)."""
        exact = self._exact  # the runs before neighbouring postcodes are mostly the same runs
        missing = [text for text in texts if text not in exact]
        if missing:
            if len(exact) >= _EXACT_KEPT:
                exact.clear()
            exact.update(zip(missing, self._hashes([NAME + text for text in missing]), strict=True))
        if any(exact[text] == name for text in texts):
            return True
        if limit <= 0:
            return False
        seen, over = self._seen, limit + 1
        for text in texts:  # `near` inlined where it only reads what it remembered
            done, found = seen.get(text, (-1, None))
            if found is None or done < limit:
                found = self.near(text, limit)
            if found.get(name, over) <= limit:
                return True
        return False

    def near(self, text: str, tier: int) -> dict[int, int]:
        """Names within `tier` edits of `text` (found by its variants of up to `tier` deletions),
        each with its edits, as far as each name tolerates: remembered per text string and
        extended when a later question allows more."""
        done, found = self._seen.get(text, (-1, {}))
        if done >= tier:
            return found
        if len(self._seen) >= 16384:
            self._seen.clear()
        looked = None
        if self._native is not None:  # None for a string it leaves to Python (not ASCII, very long)
            looked = self._native.near(text, tier, done, VARIANT, self._keys, self._names, self._bits)
        if looked is None:
            looked = self._search(text, tier, done)
        count, pairs = looked
        budget.current().tick(count)  # each variant is hashed (a long string has hundreds at two deletions)
        for name, edits in pairs:
            if edits < found.get(name, 3):
                found[name] = edits
        self._seen[text] = (tier, found)
        return found

    def _search(self, text: str, tier: int, done: int) -> tuple[int, list[tuple[int, int]]]:
        """(variants hashed, (name, edits) of each table entry found) of the deletion variants of
        `text` with more than `done` and at most `tier` deletions."""
        variants = [(v, d) for v, d in deletions(text, tier).items() if d > done]
        found: list[tuple[int, int]] = []
        keys, names, n, bits, mask = self._keys, self._names, len(self._keys), self._bits, self._mask
        for (_, d_text), h in zip(variants, self._hashes([VARIANT + v for v, _ in variants]), strict=True):
            b = h & mask
            if not bits[b >> 3] >> (b & 7) & 1:
                continue  # no variant has this hash (most strings of a text)
            i = bisect_left(keys, h << 2)
            while i < n and keys[i] >> 2 == h:
                found.append((names[i], max(d_text, keys[i] & 3)))
                i += 1
        return len(variants), found
