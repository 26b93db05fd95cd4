"""The register's keyed hash is HMAC-SHA256 (RFC 2104), computed from the key's two saved states,
in C (`_native.c`) or, where that was not built, in Python: the two give the same hashes."""

from __future__ import annotations

import hmac
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st
from support.native import need_native

from mailguard.detect.register.keys import Keyring, hmac_states


def _hmac40(key: bytes, part: str) -> int:
    return int.from_bytes(hmac.digest(key, part.encode(), "sha256")[:5], "big")


@settings(max_examples=300, derandomize=True)
@given(st.binary(min_size=16, max_size=200), st.lists(st.text(max_size=40), max_size=8))
def test_the_hashes_are_hmac_sha256_of_the_derived_key(secret: bytes, parts: list[str]) -> None:
    for keys in (Keyring(secret), Keyring(secret, native=False)):
        expected = [_hmac40(keys._mac, part) for part in parts]
        assert [keys.hash(part) for part in parts] == expected
        assert [keys.hash_once(part) for part in parts] == expected
        assert keys.hashes(parts) == expected
        assert pickle.loads(pickle.dumps(keys)).hashes(parts) == expected  # as the compile's workers get it


def test_the_compiled_hmac_is_built() -> None:
    """`pip install` builds `_native` wherever a C compiler is (CI has one): the Python fallback
    is ten times slower per hash, so a silently failed build would be a slow relay, not a red test."""
    need_native()
    keys = Keyring(b"k" * 32)
    assert keys.native is not None
    assert pickle.loads(pickle.dumps(keys)).native is not None
    assert Keyring(b"k" * 32, native=False).native is None


@settings(max_examples=100, derandomize=True)
@given(st.binary(max_size=200), st.binary(max_size=100))
def test_the_saved_states_give_hmac_for_a_key_of_any_length(key: bytes, message: bytes) -> None:
    inner, outer = hmac_states(key)
    inner.update(message)
    outer.update(inner.digest())
    assert outer.digest() == hmac.digest(key, message, "sha256")
