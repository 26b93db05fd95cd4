"""The compiled register: a compact candidate index that loads in O(1) from a buffer.

One sorted array of 64-bit words `hash40(key) << 24 | row` serves every lookup (postcode,
house number + street word, house number + street type, phone, email, id, flagged address,
flagged domain), where hash40 is the register key's HMAC (see `keys`). A 40-bit hash
collision only adds a candidate, and every candidate is verified against its row, so
collisions cost time, never correctness. Each row's verification record is a few 64-bit
words of keyed hashes (see `record`) in one array with an offset array; the names they hash
(street names, house names, places) have their typo variants in one shared table (see
`fuzzy`). The street words and towns a scan asks about are two more sorted arrays of keyed
hashes. The row ids (not address data: what reviewers see) are the only text. At 1 M rows
this is about 9 words per row of index and ~15 of record: ~200 MB, no Python object per row.
"""

from __future__ import annotations

import json
import mmap
import struct
from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import lru_cache

from mailguard.detect.register import fuzzy
from mailguard.detect.register.bilingual import forms_of, in_wales
from mailguard.detect.register.keys import Keyring
from mailguard.detect.register.probe import Probe
from mailguard.detect.register.record import HouseName, Place, Row, Street, decode
from mailguard.detect.register.towns import UK_TOWNS
from mailguard.detect.register.ukforms import STREET_TYPES, named_street_key, skeleton
from mailguard.detect.register.values import Entry, RegisterError
from mailguard.organisation.mailbox import canonical_domain, canonical_mailbox

try:
    from mailguard.detect.register._native import Records, directory  # type: ignore[import-not-found]
except ImportError:  # not built (no C compiler at install): `decode` and `bisect_left` do the same
    Records = directory = None

MAGIC = b"MGREG\x00v6"
ROW_BITS = 24
MAX_ROWS = 1 << ROW_BITS
_ROW_MASK = MAX_ROWS - 1


STREET_WORD, TOWN = "sw:", "tw:"  # prefixes of the words a scan asks about


def type_keys(number: str, kind: str, first_word: str) -> tuple[str, str]:
    """Keys for a street whose name is mistyped: number + type + the name's first or last letter
    (a typo rarely hits both). Whether any row has them is the cheap first question about a
    first word that is no street word of the register: in a small register most such words
    have none, and nothing more is asked."""
    return f"t:{number}:{kind}:{first_word[:1]}", f"u:{number}:{kind}:{first_word[-1:]}"


def name_key(number: str, name: int) -> str:
    """The key of a numbered row by its house number and a street name's hash (`record.Street.name`):
    a text that misspells the street's first word finds the names within a few edits of what
    it wrote (`probe.near`) and looks up exactly the rows with this number on those streets."""
    return f"nn:{number}:{name:x}"


@lru_cache(maxsize=65536)
def _street_words(street: tuple[str, ...], welsh: bool) -> tuple[tuple[str, str | None], ...]:
    """(the skeleton of its first word, its type when last) of each form of a street (it and
    its Welsh/English forms): what its keys are made of, once per street (a compile asks per row)."""
    forms = forms_of(street, welsh)
    return tuple((skeleton(f[0]), f[-1] if len(f) > 1 and f[-1] in STREET_TYPES else None) for f in forms)


def entry_keys(e: Entry, street_names: Callable[[tuple[str, ...], bool], tuple[int, ...]]) -> list[str]:
    """The look-up keys of a row but its postcode, phones and emails (its record holds those
    hashes too: `build.compile_part` hashes them once for both); `street_names` gives the name
    hashes of a street's forms with a type last (`record.Recorder.typed_names`). A list: a
    compile asks per row."""
    a = e.address
    out = ["i:" + e.id]
    if not a.number and a.house_name:
        named = named_street_key(a.street)
        if named:
            out.append(named)
    if a.number:
        welsh = in_wales(e.postcode)
        for first, kind in _street_words(a.street, welsh):
            out.append(f"n:{a.number}:{first}")
            if kind:
                out += type_keys(a.number, kind, first)
        out += [name_key(a.number, name) for name in street_names(a.street, welsh)]
    for rcpt in e.flagged:  # as the provider delivers: `ex.partner+x@googlemail.com` is `expartner@gmail.com`
        out.append(("d:" + canonical_domain(rcpt[1:])) if rcpt.startswith("@") else ("r:" + canonical_mailbox(rcpt)))
    return out


class CompiledIndex:
    """Read-only view over a compiled image (bytes or an mmap): nothing is copied per row."""

    def __init__(self, buf: bytes | memoryview | mmap.mmap, keys: Keyring) -> None:
        view = memoryview(buf)
        try:
            pos, meta = self._header(view)
            n_rows, n_variants = meta["n_rows"], meta["n_variants"]
            sizes = (
                8 * meta["n_keys"],
                8 * (n_rows + 1),
                8 * meta["n_record_words"],
                8 * (n_rows + 1),
                meta["ids_len"],
                8 * n_variants,
                8 * n_variants,
                meta["variant_bits"] // 8,
                meta["vocab_len"],
            )
            if pos + sum(sizes) != len(view):
                raise ValueError("size mismatch")
        except (ValueError, KeyError, TypeError, struct.error) as exc:
            view.release()
            raise RegisterError(f"compiled register cache is unusable ({exc})") from None
        if meta.get("key_id") != keys.key_id:
            view.release()
            raise WrongKey(
                "the compiled register was built with another register key: set MAILGUARD_REGISTER_KEY "
                "(or _KEY_FILE) to the key it was built with, or import it again with this key"
            )
        self._hash = keys.hash
        self.hasher = keys.native  # the compiled hasher: hash, bisect and rows in one C call (None: Python)
        self.meta: dict = meta
        cuts = []
        for size in sizes:
            cuts.append(view[pos : pos + size])
            pos += size
        keys_b, offsets_b, records_b, id_offsets_b, self._ids, variants_b, names_b, present, vocab_b = cuts
        n_words = meta["n_words"]
        words_b = vocab_b[: 8 * n_words]
        casts = [b.cast("Q") for b in (keys_b, offsets_b, records_b, id_offsets_b, variants_b, names_b, words_b)]
        self._views = [*cuts, words_b, *casts]  # released in reverse: casts before what they cast
        self._keys, self._offsets, self._records, self._id_offsets, variants, names, words = casts
        self.probe = Probe(keys, fuzzy.Near(variants, names, present, keys))
        designators = bytes(vocab_b[8 * n_words :]).decode()
        self.street_words = HashedWords(words, keys, STREET_WORD)
        self.towns = HashedWords(words, keys, TOWN, UK_TOWNS)
        self.n_rows: int = n_rows
        self.has_phones = bool(self.meta["stats"]["with_phone"])
        self.has_emails = bool(self.meta["stats"]["with_email"])
        self.designators: tuple[str, ...] = tuple(d for d in designators.split("\n") if d)
        # rows decoded in C (`_record.c`) with the compiled hashing; `_row` is the definition
        compiled = None
        if keys.native is not None and Records is not None:
            compiled = Records(
                self._records, self._offsets, self._ids, self._id_offsets, Row, Street, Place, HouseName, self.probe
            )
        self.row = lru_cache(maxsize=65536)(self._row if compiled is None else compiled.row)
        self._key_dir = _directory(self._keys, ROW_BITS, keys)

    @staticmethod
    def _header(view: memoryview) -> tuple[int, dict]:
        if len(view) < 16 or view[:6].tobytes() != MAGIC[:6]:
            raise ValueError("wrong format")
        if view[:8].tobytes() != MAGIC:
            raise ValueError("built by another version of mailguard: import the register again")
        (head_len,) = struct.unpack_from("<Q", view, 8)
        meta = json.loads(bytes(view[16 : 16 + head_len]))
        return 16 + head_len, meta

    def lookup(self, key: str) -> list[int]:
        if self.hasher is not None:
            return self.hasher.find(key, self._keys, ROW_BITS, self._key_dir)
        h = self._hash(key)
        keys = self._keys
        i = bisect_left(keys, h << ROW_BITS)
        out: list[int] = []
        n = len(keys)
        while i < n and keys[i] >> ROW_BITS == h:
            out.append(keys[i] & _ROW_MASK)
            i += 1
        return out

    def lookup_many(self, keys: Iterable[str]) -> set[int]:
        rows: set[int] = set()
        for key in keys:
            rows.update(self.lookup(key))
        return rows

    def row_id(self, i: int) -> str:
        return str(self._ids[self._id_offsets[i] : self._id_offsets[i + 1]], "ascii")

    def _row(self, i: int) -> Row:
        return decode(self._records[self._offsets[i] : self._offsets[i + 1]].tolist(), self.row_id(i), self.probe)

    def release(self) -> None:
        """Drop the views so an underlying mmap can be closed."""
        self.row.cache_clear()
        for v in reversed(self._views):
            v.release()


def _directory(table: memoryview, shift: int, keys: Keyring) -> bytes:
    """Where each bucket of the hashes' top bits starts in a sorted table (`_native.directory`),
    about eight entries a bucket, at most 2**16 buckets: a look-up bisects its bucket only (at a
    million rows, a 57 MB table bisected whole missed the cache a dozen times a look-up). Empty
    where the look-ups are Python's (they bisect the whole table)."""
    if directory is None or keys.native is None:
        return b""
    bits = max(0, min(16, len(table).bit_length() - 3))
    return directory(table, shift, bits)


class WrongKey(RegisterError):
    """The index was built with another register key."""


class HashedWords:
    """A set of words kept as keyed hashes (`word in words` hashes the word and bisects), plus
    public words kept as they are (the UK towns in code)."""

    __slots__ = ("_dir", "_hash", "_native", "_plain", "_prefix", "_sorted")

    def __init__(self, hashes: memoryview, keys: Keyring, prefix: str, plain: frozenset[str] = frozenset()) -> None:
        self._sorted, self._hash, self._prefix, self._plain = hashes, keys.hash, prefix, plain
        self._native = keys.native
        self._dir = _directory(hashes, 0, keys)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        if word in self._plain:
            return True
        if self._native is not None:
            return bool(self._native.find(self._prefix + word, self._sorted, 0, self._dir))
        h = self._hash(self._prefix + word)
        i = bisect_left(self._sorted, h)
        return i < len(self._sorted) and self._sorted[i] == h
