"""`policy.default`, with each header object built once.

`email` builds a new header object every time a header is read, and reading a part's
Content-Type (its type, its charset, its name, whether it is multipart) reads it five times;
across messages, the same few Content-Type, MIME-Version and Date values come again and
again. A header object is immutable and a function of its name and value alone, so one
object per (name, value) serves every reader: a bounded cache, of short values only."""

from __future__ import annotations

from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from functools import lru_cache

_CACHED_VALUE_CHARS = 1024  # a long value (an address list) is rarely read twice


class _BuiltOnce(HeaderRegistry):
    def __init__(self) -> None:
        super().__init__()
        self._built = lru_cache(maxsize=4096)(super().__call__)

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > _CACHED_VALUE_CHARS:
            return super().__call__(name, value)
        return self._built(name, value)


POLICY = policy.default.clone(header_factory=_BuiltOnce())
