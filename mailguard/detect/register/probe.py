"""The relay's side of every comparison: what the text says, hashed with the register key.

A row's record holds keyed hashes only (see `record`), so verification hashes the text's
house number, flat, postcode, street type and names the same way and compares hashes. The
one fuzzy question, whether a text string is a name of the register within a few edits, goes
to the deletion-variant table (`fuzzy.Near`). Text strings are the only plaintext here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from mailguard.detect.register.fuzzy import Near
from mailguard.detect.register.keys import Keyring
from mailguard.detect.register.ukforms import LEADING_TYPES, STREET_TYPES, canon_flat

NUMBER, NUMBER_BASE, FLAT, KIND = "hn:", "hb:", "hf:", "ty:"
POSTCODE, OUTWARD, INWARD, PREFIX = "p:", "po:", "pi:", "pf:"
PHONE, EMAIL = "ph:", "e:"
_SUFFIXES = "abcdefghijklmnopqrstuvwxyz"
# the characters of a postcode key (`ukforms.postcode_key` folds 0, 1, 5, 8 away)
_PC_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234679"
_REMEMBERED = 4096
_TYPES = STREET_TYPES | LEADING_TYPES
_TYPE_LIST = sorted(_TYPES)  # for rapidfuzz's one-call comparison with each


def number_base(number: str) -> str:
    """A house number without its letter ("14a" -> "14")."""
    return number.rstrip(_SUFFIXES)


class Probe:
    """Hashes of what the text says, for comparing with a row's record."""

    __slots__ = ("_near", "_neighbours", "hash", "hashes", "kinds")

    def __init__(self, keys: Keyring, near: Near) -> None:
        self.hash: Callable[[str], int] = keys.hash
        self.hashes = keys.hashes
        self._near = near
        self._neighbours: dict[str, frozenset[int]] = {}
        self.kinds = lru_cache(maxsize=4096)(self._kinds)

    def number(self, number: str | None) -> int:
        return self.hash(NUMBER + number) if number else -1

    def flat(self, flat: str) -> int:
        return self.hash(FLAT + canon_flat(flat))

    def postcode(self, key: str) -> int:
        """A postcode key (`ukforms.postcode_key`) as rows hold it (it is also its look-up key)."""
        return self.hash(POSTCODE + key)

    def name(self, text: str) -> int:
        return self._near.name(text)

    def edits(self, text: str, name: int, limit: int) -> int | None:
        """Edits between a text string (`fuzzy.name_form`) and a register name, if at most `limit`."""
        return self._near.edits(text, name, limit)

    def within(self, texts: Sequence[str], name: int, limit: int) -> bool:
        """Some of the text strings is the register name `name`, or within `limit` edits of it."""
        return self._near.within(texts, name, limit)

    def near(self, text: str, tier: int) -> dict[int, int]:
        """The register names within `tier` edits of a text string (`fuzzy.name_form`), with
        their edits: name hash -> edits."""
        return self._near.near(text, tier)

    def _kinds(self, word: str) -> frozenset[int]:
        """The street types (English or a leading Welsh one) a canonical text word may stand for:
        itself, or the types it is a slip of when it is no type itself (public words: compared
        in the clear)."""
        if word in _TYPES:
            return frozenset({self.hash(KIND + word)})
        # one C call compares it with all 70 types (2.5 us, against 18 us for a Python loop of ratios)
        near = process.extract(word, _TYPE_LIST, scorer=fuzz.ratio, score_cutoff=75, limit=None)
        return frozenset(self.hash(KIND + kind) for kind, _, _ in near)

    def slip(self, written: str, outward: int, inward: int, postcode: int) -> int:
        """Whether the postcode key `written` is a row's postcode (its hashes given) with one
        character mistyped or two neighbours swapped: 0 no, 1 in the inward code or across
        the halves, 2 in the district (the outward code)."""
        out, inw = written[:-3], written[-3:]
        same_out, same_in = self.hash(OUTWARD + out) == outward, self.hash(INWARD + inw) == inward
        if same_out and not same_in:
            return int(inward in self._close(INWARD, inw))
        if same_in and not same_out:
            return 2 * (outward in self._close(OUTWARD, out))
        across = out[:-1] + inw[0] + out[-1] + inw[1:]
        return int(not same_in and self.postcode(across) == postcode)

    def _close(self, prefix: str, part: str) -> frozenset[int]:
        """Hashes of every string one substitution or one swap of neighbours from `part`."""
        key = prefix + part
        found = self._neighbours.get(key)
        if found is None:
            forms = {part[:i] + c + part[i + 1 :] for i in range(len(part)) for c in _PC_CHARS}
            forms |= {part[:i] + part[i + 1] + part[i] + part[i + 2 :] for i in range(len(part) - 1)}
            forms.discard(part)
            if len(self._neighbours) >= _REMEMBERED:
                self._neighbours.clear()
            found = self._neighbours[key] = frozenset(self.hashes([prefix + f for f in forms]))
        return found
