"""The register key: every part of the compiled index is a keyed hash of normalised text, so
a stolen relay disk shows no register text.

- Look-up keys (postcode, number + street word, phone, email, flagged recipient, …) are the
  first 40 bits of HMAC-SHA256(index key, part). The relay hashes what it reads with the same
  key and looks it up; without the key, a hash says nothing.
- The words a scan asks about (street first words, the register's towns) are kept as hashes too.
- What verification compares (house number, flat, street and house names, places, postcode) is
  each row's record of such hashes (`record`), and the typo variants of its names are hashes
  in one shared table (`fuzzy`): the relay compares hashes of the text with them and never
  holds a row's text, and there is no ciphertext to open.

The key comes from MAILGUARD_REGISTER_KEY or MAILGUARD_REGISTER_KEY_FILE. Without either,
a random key is kept beside the compiled cache (`index.key`, owner-only): nothing is readable
in the index alone, but a copy of the whole data directory is; set the key to keep it apart.
An index carries its key's id (a hash of the key), and one built with another key is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from mailguard.detect.register.values import RegisterError
from mailguard.keyfile import read_or_create

try:  # the same HMAC in C (`_native.c`): about ten times less CPU per part
    from mailguard.detect.register._native import Hasher
except ImportError:  # built without a C compiler: the Python below does the work
    Hasher = None

LOCAL_KEY = "index.key"
_MIN_KEY = 16  # bytes


class Keyring:
    """The keys one compiled index is built and read with, derived from the register key."""

    def __init__(self, secret: bytes, *, native: bool = True) -> None:
        if len(secret) < _MIN_KEY:
            raise RegisterError(f"the register key is too short (at least {_MIN_KEY} bytes)")
        self._derived(hmac.digest(secret, b"mailguard register index v1", "sha256"), native)
        self.key_id = hmac.digest(secret, b"mailguard register key id", "sha256")[:8].hex()

    def _derived(self, mac: bytes, native: bool) -> None:
        self._mac = mac
        self._inner, self._outer = hmac_states(mac)
        # the compiled HMAC when built (`native=False`: this module's Python, as the tests compare)
        self.native = Hasher(mac) if native and Hasher is not None else None
        if self.native is not None:
            self.hash_once = self.hash = self.native.hash  # cheaper than a cache's look-up
        else:
            self.hash_once = self._hash  # uncached: compiling asks most parts once
            self.hash = lru_cache(maxsize=65536)(self._hash)  # scanning asks for the same keys again and again

    def __reduce__(self) -> tuple:
        """Pickled as the derived keys (for the compile's worker processes), not the secret."""
        return _restored, (self._mac, self.key_id, self.native is not None)

    def _hash(self, part: str) -> int:
        inner, outer = self._inner.copy(), self._outer.copy()
        inner.update(part.encode())
        outer.update(inner.digest())
        return int.from_bytes(outer.digest()[:5], "big")

    def hashes(self, parts: Sequence[str]) -> list[int]:
        """`hash` of each part, uncached (compiling asks each key once): `_hash` inlined."""
        if self.native is not None:
            return self.native.hashes(parts)
        inner, outer, big = self._inner.copy, self._outer.copy, int.from_bytes
        out = []
        for part in parts:
            i, o = inner(), outer()
            i.update(part.encode())
            o.update(i.digest())
            out.append(big(o.digest()[:5], "big"))
        return out


def hmac_states(key: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    """HMAC-SHA256's two hash states after its padded key (RFC 2104): copying them and hashing
    the message is the same HMAC, without hashing the key twice per message as `hmac.digest`
    does (0.6 us a part instead of 1.6; a compile hashes millions, a scan thousands)."""
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in block)), hashlib.sha256(bytes(b ^ 0x5C for b in block))


def _restored(mac: bytes, key_id: str, native: bool) -> Keyring:
    keys = Keyring.__new__(Keyring)
    keys._derived(mac, native)
    keys.key_id = key_id
    return keys


def secret_from(key: str | None, key_file: Path | None) -> bytes | None:
    """The configured register key (MAILGUARD_REGISTER_KEY, else the file's first line)."""
    if key:
        return key.encode()
    if key_file is not None:
        try:
            data = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise RegisterError(f"cannot read MAILGUARD_REGISTER_KEY_FILE {key_file}: {exc.strerror}") from None
        if not data:
            raise RegisterError(f"MAILGUARD_REGISTER_KEY_FILE {key_file} is empty")
        return data
    return None


def local_secret(directory: Path) -> bytes:
    """A random key kept (owner-only) in `directory`, created on first use."""
    return read_or_create(directory / LOCAL_KEY)


def ephemeral() -> Keyring:
    """A key for an index that lives in memory only."""
    return Keyring(hashlib.sha256(os.urandom(32)).hexdigest().encode())
