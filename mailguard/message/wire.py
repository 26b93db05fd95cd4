"""How a worker hands a `Content` back: columns of plain strings instead of one pickled object
per segment.

A 50,000-row spreadsheet is 50,000 segments and as many listed addresses. Pickling the frozen
slotted dataclasses goes through `dataclasses`' Python-level __getstate__/__setstate__ for
each one (about 0.35 s each way for 70 k segments); lists of str pickle in C, and rebuilding
the objects in the parent costs a plain constructor call each.
"""

from __future__ import annotations

import pickle
from dataclasses import fields

from mailguard.memory import gc_paused
from mailguard.message.model import (
    AddressSource,
    Content,
    Segment,
    SegmentKind,
    VisibleAddress,
)

_VERSION = 1
_SMALL = 64 * 1024  # packed bytes below which an unpack makes too few objects to matter
_KIND = {k.value: k for k in SegmentKind}
_SOURCE = {s.value: s for s in AddressSource}
_COLUMNS = ("segments", "addresses")
# Every other field of Content (few small objects) goes as it is, so a field added to the
# model travels without a change here.
_OTHER = tuple(f.name for f in fields(Content) if f.name not in _COLUMNS)


def pack(content: Content) -> bytes:
    segments = content.segments
    addresses = content.addresses
    packed = (
        _VERSION,
        {name: getattr(content, name) for name in _OTHER},
        [s.text for s in segments],
        [s.where for s in segments],
        [s.kind.value for s in segments],
        [a.address for a in addresses],
        [a.source.value for a in addresses],
        [a.where for a in addresses],
        [a.display_name for a in addresses],
    )
    return pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(data: bytes) -> Content:
    """The `Content` that `pack` was given. Raises ValueError on anything else."""
    if len(data) < _SMALL:
        return _unpack(data)
    with gc_paused():  # a big result's 100,000+ objects all live on: no walk would find garbage
        return _unpack(data)


def _unpack(data: bytes) -> Content:
    packed = pickle.loads(data)
    if not isinstance(packed, tuple) or len(packed) != 9 or packed[0] != _VERSION:
        raise ValueError("not a packed Content")
    _, other, texts, wheres, kinds, addresses, sources, address_wheres, names = packed
    kind, source = _KIND, _SOURCE
    return Content(
        segments=[Segment(t, w, kind[k]) for t, w, k in zip(texts, wheres, kinds, strict=True)],
        addresses=[
            VisibleAddress(a, source[s], w, n)
            for a, s, w, n in zip(addresses, sources, address_wheres, names, strict=True)
        ],
        **other,
    )
