"""Compiling register rows into the image `index.CompiledIndex` reads, in batches: a `Part` is
the compiled form of consecutive rows numbered from 0 (made here or in a worker process, see
`parallel`), and `Image` joins parts in row order, renumbering their rows, then builds the
shared typo-variant table and sorts the look-up keys."""

from __future__ import annotations

import json
import struct
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor

from mailguard.detect.register import fuzzy
from mailguard.detect.register.index import MAGIC, MAX_ROWS, ROW_BITS, STREET_WORD, TOWN, entry_keys
from mailguard.detect.register.keys import Keyring
from mailguard.detect.register.probe import EMAIL, PHONE, POSTCODE
from mailguard.detect.register.record import Recorder
from mailguard.detect.register.ukforms import designator_forms, named_street_key, postcode_key
from mailguard.detect.register.values import Entry, RegisterError

_BATCH = 1 << 16  # keys hashed per bulk call
_SPLIT = 61  # keys are sorted in 8 ranges of their top bits (in parallel, see `parallel`)
_STAT_NAMES = (
    "rows",
    "with_phone",
    "with_email",
    "with_flat",
    "with_house_name",
    "flagged_addresses",
    "flagged_domains",
)


def sorted_keys(keys: array) -> array:
    """A range of keys sorted (as Python ints: ~40 bytes a key while it is)."""
    return array("Q", sorted(keys))


class Part:
    """Consecutive rows compiled: sorted look-up keys `hash << ROW_BITS | row` (rows from 0), records
    with their offsets, ids with theirs, and what the whole image needs from them: the names
    their records hash (with the edits each tolerates), street first words, towns, designators
    of named houses, postcodes and counts. Plain data: it crosses process boundaries."""

    def __init__(self) -> None:
        self.rows = 0
        self.keys = array("Q")  # in Image: empty (its keys are in ranges)
        self.offsets, self.records = array("Q", [0]), array("Q")
        self.ids, self.id_offsets = bytearray(), array("Q", [0])
        self.names: dict[str, tuple[int, int]] = {}
        self.first_words: set[str] = set()
        self.towns: set[str] = set()
        self.designators: set[str] = set()
        self.postcodes: set[str] = set()
        self.counts = [0] * len(_STAT_NAMES)


def compile_part(entries: Iterable[Entry], keys: Keyring, recorder: Recorder) -> Part:
    """The part of `entries`. The recorder may be one kept across parts (its made parts are
    reused): its names, first words and towns learnt since the last part are handed to this
    one (`Image.add` keeps, per name, the first most tolerant form, as one recorder would)."""
    part = Part()
    records, counts = part.records, part.counts
    pending: list[str] = []  # keys hashed in bulk (one C call each, no per-key frame)
    owners: list[int] = []  # the row of each pending key
    # keys that are record words too (postcode, phones, emails): their rows, and the word each fills
    shared: list[str] = []
    shared_rows: list[int] = []
    slots: list[int] = []

    def flush() -> None:
        part.keys.extend([h << ROW_BITS | r for h, r in zip(keys.hashes(pending), owners, strict=True)])
        hashes = keys.hashes(shared)
        part.keys.extend([h << ROW_BITS | r for h, r in zip(hashes, shared_rows, strict=True)])
        for slot, h in zip(slots, hashes, strict=True):
            records[slot] |= h
        for done in (pending, owners, shared, shared_rows, slots):
            done.clear()

    for row, e in enumerate(entries):
        if row >= MAX_ROWS - 1:
            raise RegisterError(f"register has more than {MAX_ROWS - 1} rows; that is not supported")
        a = e.address
        part.postcodes.add(e.postcode)
        own = entry_keys(e, recorder.typed_names)
        pending += own
        owners += [row] * len(own)
        if len(pending) >= _BATCH:
            flush()
        at = len(records)
        records.extend(recorder.record(e))
        part.offsets.append(len(records))
        shared.append(POSTCODE + postcode_key(e.postcode))
        slots.append(at)  # a record starts with its postcode, ends with its phones and emails
        if e.phones or e.emails:
            contacts = [PHONE + p for p in e.phones] + [EMAIL + m for m in e.emails]
            shared.extend(contacts)
            slots.extend(range(len(records) - len(contacts), len(records)))
            shared_rows.extend([row] * len(contacts))
        shared_rows.append(row)
        part.ids += e.id.encode()
        part.id_offsets.append(len(part.ids))
        named = not a.number and bool(a.house_name)
        if named and named_street_key(a.street):
            part.designators.update(designator_forms(a.street))
        domains = [r[:1] for r in e.flagged].count("@")
        counts[0] += 1
        counts[1] += bool(e.phones)
        counts[2] += bool(e.emails)
        counts[3] += bool(a.flat)
        counts[4] += named
        counts[5] += len(e.flagged) - domains
        counts[6] += domains
    flush()
    part.keys = array("Q", sorted(part.keys))  # sorted runs: the whole is sorted faster
    part.rows = counts[0]
    part.names, part.first_words, part.towns = recorder.names, recorder.first_words, recorder.towns
    recorder.names, recorder.first_words, recorder.towns = {}, set(), set()
    return part


class Image:
    """Parts joined in row order (as they arrive: none is kept), then `image` serialises them."""

    def __init__(self) -> None:
        self._whole = Part()
        self._ranges = [array("Q") for _ in range(1 << 64 - _SPLIT)]  # the keys by their top bits

    def add(self, part: Part) -> None:
        w = self._whole
        base = w.rows
        if base + part.rows >= MAX_ROWS - 1:
            raise RegisterError(f"register has more than {MAX_ROWS - 1} rows; that is not supported")
        # a row number fits below the hash: renumbering adds the rows before the part (order kept)
        keys, start = part.keys, 0
        for top, whole in enumerate(self._ranges):
            end = bisect_left(keys, (top + 1) << _SPLIT)
            whole.extend(array("Q", [k + base for k in keys[start:end]]) if base else keys[start:end])
            start = end
        for whole, its, own in ((w.offsets, part.offsets, w.records), (w.id_offsets, part.id_offsets, w.ids)):
            shift = len(own)
            whole.extend(array("Q", [o + shift for o in its[1:]]) if shift else its[1:])
        w.records.extend(part.records)
        w.ids += part.ids
        for form, (h, edits) in part.names.items():  # the first form of the most edits, as in one recorder
            if edits > w.names.get(form, (0, -1))[1]:
                w.names[form] = (h, edits)
        for mine, theirs in (
            (w.first_words, part.first_words),
            (w.towns, part.towns),
            (w.designators, part.designators),
            (w.postcodes, part.postcodes),
        ):
            mine |= theirs
        w.counts = [a + b for a, b in zip(w.counts, part.counts, strict=True)]
        w.rows += part.rows

    def image(self, keys: Keyring, meta: Callable[[], dict[str, object]], pool: Executor | None = None) -> bytes:
        """The image; `meta()` is called now, so it may report what was learnt reading the rows.
        With a `pool`, its workers make the variant table and sort the keys' ranges meanwhile,
        and it is shut down when they are done."""
        w = self._whole
        stats = dict(zip(_STAT_NAMES, w.counts, strict=True))
        stats["postcodes"] = len(w.postcodes)
        ranges, self._ranges = self._ranges, []
        if pool is None:
            variants, variant_names, present = fuzzy.build(w.names, keys.hashes)
            sorted_ranges: Iterator[array] = map(sorted_keys, ranges)
        else:
            made = pool.submit(fuzzy.build, w.names, keys.hashes)  # the longest task first
            sorted_ranges = pool.map(sorted_keys, ranges)
            variants, variant_names, present = made.result()
        table = array("Q")
        for done in sorted_ranges:
            table.extend(done)
        del ranges, sorted_ranges
        if pool is not None:
            pool.shutdown()  # its work is done: the workers' memory is freed before the image is joined
        asked = [STREET_WORD + x for x in w.first_words] + [TOWN + t for t in w.towns]
        words = array("Q", sorted(set(keys.hashes(asked))))
        ids = w.ids + b" " * (-len(w.ids) % 8)
        vocab_b = words.tobytes() + "\n".join(sorted(w.designators)).encode()  # designators: the public street types
        sizes = {
            "n_rows": stats["rows"],
            "n_keys": len(table),
            "n_record_words": len(w.records),
            "ids_len": len(ids),
            "n_variants": len(variants),
            "variant_bits": 8 * len(present),
            "vocab_len": len(vocab_b),
            "n_words": len(words),
        }
        header = dict(meta(), stats=stats, key_id=keys.key_id, **sizes)
        head = json.dumps(header).encode()
        head += b" " * (-len(head) % 8)
        # the arrays are joined as they are (bytes-like): no second copy of the largest parts
        parts = [MAGIC, struct.pack("<Q", len(head)), head, table, w.offsets, w.records, w.id_offsets, ids]
        return b"".join([*parts, variants, variant_names, present, vocab_b])


def compile_entries(entries: Iterable[Entry], meta: Callable[[], dict[str, object]], keys: Keyring) -> bytes:
    """Serialise entries into the image `CompiledIndex` reads (the cache file's content), in
    this process. Entries are consumed as they come (1 M parsed rows never sit in memory
    together); `meta()` is called afterwards, so it may report what was learnt while reading."""
    whole = Image()
    whole.add(compile_part(entries, keys, Recorder(keys.hash_once)))
    return whole.image(keys, meta)
