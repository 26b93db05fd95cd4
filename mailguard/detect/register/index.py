"""The compiled register: a compact candidate index that loads in O(1) from a buffer.

One sorted array of 64-bit words `hash40(key) << 24 | row` serves every lookup (postcode,
house number + street word, house number + street type, phone, email, id, flagged address,
flagged domain), where hash40 is the register key's HMAC (see `keys`). A 40-bit hash
collision only adds a candidate, and every candidate is verified against its row, so
collisions cost time, never correctness. Each row's verification record is sealed (AES-GCM)
in one blob with an offset array, opened only when the row is a candidate. The street words
and towns a scan asks about are two more sorted arrays of keyed hashes. At 1 M rows this is
about 9 words per row of index plus ~130 bytes of sealed blob: ~200 MB, no Python object per row.
Nothing in the image is register text.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from mailguard.detect.register.bilingual import street_forms
from mailguard.detect.register.keys import Keyring
from mailguard.detect.register.towns import UK_TOWNS, place_key
from mailguard.detect.register.ukforms import (
    STREET_TYPES,
    designator_forms,
    named_street_key,
    postcode_key,
    skeleton,
)
from mailguard.detect.register.values import Entry, RegisterError
from mailguard.organisation.mailbox import canonical_domain, canonical_mailbox

MAGIC = b"MGREG\x00v2"
ROW_BITS = 24
MAX_ROWS = 1 << ROW_BITS
_ROW_MASK = MAX_ROWS - 1
_FS, _RS = "\x1f", "\x1e"


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


@dataclass(frozen=True, slots=True)
class Row:
    """A register row as the matcher needs it (decoded on demand from the blob)."""

    id: str
    flat: str
    number: str
    house_name: tuple[str, ...]
    street: tuple[str, ...]
    places: tuple[tuple[str, ...], ...]
    postcode: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]


def _record(e: Entry) -> str:
    a = e.address
    places = _RS.join(" ".join(p) for p in a.places)
    fields = (
        e.id,
        a.flat,
        a.number,
        " ".join(a.house_name),
        " ".join(a.street),
        places,
        e.postcode,
        ";".join(e.phones),
        ";".join(e.emails),
    )
    return _FS.join(fields)


def _decode(rec: str) -> Row:
    # every candidate row of a scan passes here: no generator where an empty field says it all
    # (_record never writes an empty place, phone or email between separators)
    rid, flat, number, name, street, places, pc, phones, emails = rec.split(_FS)
    return Row(
        rid,
        flat,
        number,
        tuple(name.split()),
        tuple(street.split()),
        tuple([tuple(p.split()) for p in places.split(_RS)]) if places else (),
        pc,
        tuple(phones.split(";")) if phones else (),
        tuple(emails.split(";")) if emails else (),
    )


def type_keys(number: str, kind: str, first_word: str) -> tuple[str, str]:
    """Keys for a street whose name is mistyped: number + type + the name's first or last letter
    (a typo rarely hits both), so a lookup returns a handful of rows, not every "14 … Road"."""
    return f"t:{number}:{kind}:{first_word[:1]}", f"u:{number}:{kind}:{first_word[-1:]}"


def entry_keys(e: Entry) -> Iterator[str]:
    a = e.address
    yield "i:" + e.id
    yield "p:" + postcode_key(e.postcode)
    if not a.number and a.house_name:
        named = named_street_key(a.street)
        if named:
            yield named
    if a.number:
        for street in street_forms(a.street, e.postcode):  # the street and its Welsh/English forms
            yield f"n:{a.number}:{skeleton(street[0])}"
            if len(street) > 1 and street[-1] in STREET_TYPES:
                yield from type_keys(a.number, street[-1], skeleton(street[0]))
    for phone in e.phones:
        yield "ph:" + phone
    for email in e.emails:
        yield "e:" + email
    for rcpt in e.flagged:  # as the provider delivers: `ex.partner+x@googlemail.com` is `expartner@gmail.com`
        yield ("d:" + canonical_domain(rcpt[1:])) if rcpt.startswith("@") else ("r:" + canonical_mailbox(rcpt))


def compile_entries(entries: Iterable[Entry], meta: Callable[[], dict[str, object]], keys: Keyring) -> bytes:
    """Serialise entries into the image `CompiledIndex` reads (the cache file's content).

    Entries are consumed as they come (1 M parsed rows never sit in memory together);
    `meta()` is called afterwards, so it may report what was learnt while reading."""
    packed: list[int] = []
    pending: list[str] = []  # keys whose hashes are computed in bulk (one C call each, no per-key frame)
    owners: list[int] = []  # the row of each pending key
    salt = os.urandom(16)
    seal = keys.sealer(salt).seal
    offsets = array("Q", [0])
    blob = bytearray()
    first_words: set[str] = set()
    towns: set[str] = set()
    designators: set[str] = set()  # street designators of named houses: what the matcher looks for
    postcodes: set[str] = set()
    counts = [0] * 7  # rows, with phone, email, flat, house name; flagged addresses, domains

    def flush() -> None:
        packed.extend([h << ROW_BITS | r for h, r in zip(keys.hashes(pending), owners, strict=True)])
        pending.clear()
        owners.clear()

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
        blob += seal(row, _record(e).encode())
        offsets.append(len(blob))
        first_words.update(skeleton(street[0]) for street in street_forms(a.street, e.postcode))
        named = not a.number and bool(a.house_name)
        if named and named_street_key(a.street):
            designators.update(designator_forms(a.street))
        towns.update(map(place_key, a.places))
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
    words = array("Q", sorted(set(keys.hashes([_STREET_WORD + w for w in first_words] + [_TOWN + t for t in towns]))))
    vocab_b = words.tobytes() + "\n".join(sorted(designators)).encode()  # designators: the public street types
    sizes = {
        "n_rows": stats["rows"],
        "n_keys": len(table),
        "blob_len": len(blob),
        "vocab_len": len(vocab_b),
        "n_words": len(words),
    }
    header = dict(meta(), stats=stats, key_id=keys.key_id, salt=salt.hex(), **sizes)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    parts = [
        MAGIC,
        struct.pack("<Q", len(head)),
        head,
        table.tobytes(),
        offsets.tobytes(),
        blob,  # joined as it is: no copy of the largest part
        vocab_b,
    ]
    return b"".join(parts)


class CompiledIndex:
    """Read-only view over a compiled image (bytes or an mmap): nothing is copied per row."""

    def __init__(self, buf: bytes | memoryview | mmap.mmap, keys: Keyring) -> None:
        view = memoryview(buf)
        try:
            pos, meta = self._header(view)
            n_keys, n_rows, blob_len = meta["n_keys"], meta["n_rows"], meta["blob_len"]
            end = pos + 8 * n_keys + 8 * (n_rows + 1) + blob_len + meta["vocab_len"]
            if end != len(view):
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
        self._open = keys.sealer(bytes.fromhex(meta["salt"])).open
        self.meta: dict = meta
        self._keys = view[pos : pos + 8 * n_keys].cast("Q")
        pos += 8 * n_keys
        self._offsets = view[pos : pos + 8 * (n_rows + 1)].cast("Q")
        pos += 8 * (n_rows + 1)
        self._blob = view[pos : pos + blob_len]
        pos += blob_len
        n_words = meta["n_words"]
        words = view[pos : pos + 8 * n_words].cast("Q")
        designators = bytes(view[pos + 8 * n_words : pos + meta["vocab_len"]]).decode()
        self._words = words
        self.street_words = HashedWords(words, keys, _STREET_WORD)
        self.towns = HashedWords(words, keys, _TOWN, UK_TOWNS)
        self.n_rows: int = n_rows
        self.has_phones = bool(self.meta["stats"]["with_phone"])
        self.has_emails = bool(self.meta["stats"]["with_email"])
        self.designators: tuple[str, ...] = tuple(d for d in designators.split("\n") if d)
        self.row = lru_cache(maxsize=65536)(self._row)

    @staticmethod
    def _header(view: memoryview) -> tuple[int, dict]:
        if len(view) < 16 or view[:8].tobytes() != MAGIC:
            raise ValueError("wrong format")
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

    def _row(self, i: int) -> Row:
        return _decode(str(self._open(i, self._blob[self._offsets[i] : self._offsets[i + 1]]), "utf-8"))

    def release(self) -> None:
        """Drop the views so an underlying mmap can be closed."""
        self.row.cache_clear()
        for v in (self._keys, self._offsets, self._blob, self._words):
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
