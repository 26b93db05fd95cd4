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
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from mailguard.detect.register import fuzzy
from mailguard.detect.register.bilingual import street_forms
from mailguard.detect.register.keys import Keyring
from mailguard.detect.register.probe import EMAIL, PHONE, POSTCODE, Probe
from mailguard.detect.register.record import Recorder, Row, decode
from mailguard.detect.register.towns import UK_TOWNS
from mailguard.detect.register.ukforms import (
    STREET_TYPES,
    designator_forms,
    named_street_key,
    postcode_key,
    skeleton,
)
from mailguard.detect.register.values import Entry, RegisterError
from mailguard.organisation.mailbox import canonical_domain, canonical_mailbox

MAGIC = b"MGREG\x00v3"
ROW_BITS = 24
MAX_ROWS = 1 << ROW_BITS
_ROW_MASK = MAX_ROWS - 1


_STREET_WORD, _TOWN = "sw:", "tw:"
_BATCH = 1 << 16  # keys hashed per bulk call while compiling
_STAT_NAMES = (
    "rows",
    "with_phone",
    "with_email",
    "with_flat",
    "with_house_name",
    "flagged_addresses",
    "flagged_domains",
)


def type_keys(number: str, kind: str, first_word: str) -> tuple[str, str]:
    """Keys for a street whose name is mistyped: number + type + the name's first or last letter
    (a typo rarely hits both), so a lookup returns a handful of rows, not every "14 … Road"."""
    return f"t:{number}:{kind}:{first_word[:1]}", f"u:{number}:{kind}:{first_word[-1:]}"


def entry_keys(e: Entry) -> Iterator[str]:
    """The look-up keys of a row but its postcode, phones and emails (its record holds those
    hashes too: `compile_entries` hashes them once for both)."""
    a = e.address
    yield "i:" + e.id
    if not a.number and a.house_name:
        named = named_street_key(a.street)
        if named:
            yield named
    if a.number:
        for street in street_forms(a.street, e.postcode):  # the street and its Welsh/English forms
            yield f"n:{a.number}:{skeleton(street[0])}"
            if len(street) > 1 and street[-1] in STREET_TYPES:
                yield from type_keys(a.number, street[-1], skeleton(street[0]))
    for rcpt in e.flagged:  # as the provider delivers: `ex.partner+x@googlemail.com` is `expartner@gmail.com`
        yield ("d:" + canonical_domain(rcpt[1:])) if rcpt.startswith("@") else ("r:" + canonical_mailbox(rcpt))


def compile_entries(entries: Iterable[Entry], meta: Callable[[], dict[str, object]], keys: Keyring) -> bytes:
    """Serialise entries into the image `CompiledIndex` reads (the cache file's content).

    Entries are consumed as they come (1 M parsed rows never sit in memory together);
    `meta()` is called afterwards, so it may report what was learnt while reading."""
    packed: list[int] = []
    pending: list[str] = []  # keys whose hashes are computed in bulk (one C call each, no per-key frame)
    owners: list[int] = []  # the row of each pending key
    # keys that are record words too (postcode, phones, emails): their rows, and the word each fills
    shared: list[str] = []
    shared_rows: list[int] = []
    slots: list[int] = []
    recorder = Recorder(keys.hash_once)
    offsets = array("Q", [0])
    records = array("Q")
    ids, id_offsets = bytearray(), array("Q", [0])  # the row ids, read one by one like the records
    designators: set[str] = set()  # street designators of named houses: what the matcher looks for
    postcodes: set[str] = set()
    counts = [0] * 7  # rows, with phone, email, flat, house name; flagged addresses, domains

    def flush() -> None:
        packed.extend([h << ROW_BITS | r for h, r in zip(keys.hashes(pending), owners, strict=True)])
        hashes = keys.hashes(shared)
        packed.extend([h << ROW_BITS | r for h, r in zip(hashes, shared_rows, strict=True)])
        for slot, h in zip(slots, hashes, strict=True):
            records[slot] |= h
        for done in (pending, owners, shared, shared_rows, slots):
            done.clear()

    for row, e in enumerate(entries):
        if row >= MAX_ROWS - 1:
            raise RegisterError(f"register has more than {MAX_ROWS - 1} rows; that is not supported")
        a = e.address
        postcodes.add(e.postcode)
        before = len(pending)
        pending.extend(entry_keys(e))
        owners.extend([row] * (len(pending) - before))
        if len(pending) >= _BATCH:
            flush()
        at = len(records)
        records.extend(recorder.record(e))
        offsets.append(len(records))
        shared.append(POSTCODE + postcode_key(e.postcode))
        slots.append(at)  # a record starts with its postcode, ends with its phones and emails
        if e.phones or e.emails:
            contacts = [PHONE + p for p in e.phones] + [EMAIL + m for m in e.emails]
            shared.extend(contacts)
            slots.extend(range(len(records) - len(contacts), len(records)))
            shared_rows.extend([row] * len(contacts))
        shared_rows.append(row)
        ids += e.id.encode()
        id_offsets.append(len(ids))
        named = not a.number and bool(a.house_name)
        if named and named_street_key(a.street):
            designators.update(designator_forms(a.street))
        domains = [r[:1] for r in e.flagged].count("@")
        counts[0] += 1
        counts[1] += bool(e.phones)
        counts[2] += bool(e.emails)
        counts[3] += bool(a.flat)
        counts[4] += named
        counts[5] += len(e.flagged) - domains
        counts[6] += domains
    flush()
    stats = dict(zip(_STAT_NAMES, counts, strict=True))
    stats["postcodes"] = len(postcodes)
    packed.sort()
    table = array("Q", packed)
    packed.clear()  # ~40 bytes per key as Python ints, 8 in the array: gone before the image is joined
    variants, variant_names = fuzzy.build(recorder.names, keys.hashes)
    asked = [_STREET_WORD + w for w in recorder.first_words] + [_TOWN + t for t in recorder.towns]
    words = array("Q", sorted(set(keys.hashes(asked))))
    ids += b" " * (-len(ids) % 8)
    vocab_b = words.tobytes() + "\n".join(sorted(designators)).encode()  # designators: the public street types
    sizes = {
        "n_rows": stats["rows"],
        "n_keys": len(table),
        "n_record_words": len(records),
        "ids_len": len(ids),
        "n_variants": len(variants),
        "vocab_len": len(vocab_b),
        "n_words": len(words),
    }
    header = dict(meta(), stats=stats, key_id=keys.key_id, **sizes)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    # the arrays are joined as they are (bytes-like): no second copy of the largest parts
    parts = [
        MAGIC,
        struct.pack("<Q", len(head)),
        head,
        table,
        offsets,
        records,
        id_offsets,
        ids,
        variants,
        variant_names,
        vocab_b,
    ]
    return b"".join(parts)


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
        self.meta: dict = meta
        cuts = []
        for size in sizes:
            cuts.append(view[pos : pos + size])
            pos += size
        keys_b, offsets_b, records_b, id_offsets_b, self._ids, variants_b, names_b, vocab_b = cuts
        n_words = meta["n_words"]
        words_b = vocab_b[: 8 * n_words]
        casts = [b.cast("Q") for b in (keys_b, offsets_b, records_b, id_offsets_b, variants_b, names_b, words_b)]
        self._views = [*cuts, words_b, *casts]  # released in reverse: casts before what they cast
        self._keys, self._offsets, self._records, self._id_offsets, variants, names, words = casts
        self.probe = Probe(keys, fuzzy.Near(variants, names, keys.hash, keys.hashes))
        designators = bytes(vocab_b[8 * n_words :]).decode()
        self.street_words = HashedWords(words, keys, _STREET_WORD)
        self.towns = HashedWords(words, keys, _TOWN, UK_TOWNS)
        self.n_rows: int = n_rows
        self.has_phones = bool(self.meta["stats"]["with_phone"])
        self.has_emails = bool(self.meta["stats"]["with_email"])
        self.designators: tuple[str, ...] = tuple(d for d in designators.split("\n") if d)
        self.row = lru_cache(maxsize=65536)(self._row)

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


class WrongKey(RegisterError):
    """The index was built with another register key."""


class HashedWords:
    """A set of words kept as keyed hashes (`word in words` hashes the word and bisects), plus
    public words kept as they are (the UK towns in code)."""

    __slots__ = ("_hash", "_plain", "_prefix", "_sorted")

    def __init__(self, hashes: memoryview, keys: Keyring, prefix: str, plain: frozenset[str] = frozenset()) -> None:
        self._sorted, self._hash, self._prefix, self._plain = hashes, keys.hash, prefix, plain

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        if word in self._plain:
            return True
        h = self._hash(self._prefix + word)
        i = bisect_left(self._sorted, h)
        return i < len(self._sorted) and self._sorted[i] == h
