"""The misdirection guard's secret: case keys and recipients are stored only as HMACs keyed by
it, and the recipients a reviewer may see are sealed with it (AES-GCM), so a copy of the
database alone tells nobody which case went where.

The secret is MAILGUARD_AFFINITY_KEY, else MAILGUARD_AFFINITY_KEY_FILE, else `affinity.key` in
the data folder, created on first use (0600). Several instances sharing one PostgreSQL must
share the secret: set one of the two settings there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mailguard.keyfile import configured_secret
from mailguard.settings import Settings

DIGEST_BYTES = 16  # 128 bits: collisions out of reach for any register or archive
KEY_FILE = "affinity.key"


class KeyringError(Exception):
    """The secret cannot be read or created (one line for the administrator)."""


def _subkey(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"mailguard affinity {purpose}".encode(), hashlib.sha256).digest()


class AffinityKeyring:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise KeyringError("the affinity key must be at least 16 bytes")
        self._case = _subkey(secret, "case")
        self._recipient = _subkey(secret, "recipient")
        self._organisation = _subkey(secret, "organisation")
        self._seal = AESGCM(_subkey(secret, "seal"))

    def _mac(self, key: bytes, value: str) -> str:
        return hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()[:DIGEST_BYTES].hex()

    def case(self, value: str) -> str:
        """`kind:value` of a case key -> its stored form."""
        return self._mac(self._case, value)

    def recipient(self, address: str) -> str:
        return self._mac(self._recipient, address)

    def organisation(self, domain: str) -> str:
        return self._mac(self._organisation, domain)

    def seal(self, address: str) -> str:
        nonce = secrets.token_bytes(12)
        return base64.urlsafe_b64encode(nonce + self._seal.encrypt(nonce, address.encode(), None)).decode()

    def unseal(self, token: str) -> str | None:
        """The address, or None when it was sealed with another secret (rotated key)."""
        try:
            raw = base64.urlsafe_b64decode(token.encode())
            return self._seal.decrypt(raw[:12], raw[12:], None).decode()
        except (InvalidTag, ValueError, UnicodeDecodeError):
            return None


def keyring_from_settings(settings: Settings) -> AffinityKeyring:
    try:
        secret = configured_secret(
            settings.affinity_key, settings.affinity_key_file, Path(settings.data_dir) / KEY_FILE
        )
    except OSError as exc:  # MAILGUARD_AFFINITY_KEY_FILE, or the data folder's key
        raise KeyringError(f"cannot read or create the affinity key {exc.filename}: {exc.strerror}") from None
    return AffinityKeyring(secret)


class LazyKeyring:
    """Loaded on first use, so validating rules (`mailguard rules check`) creates no key file."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def keyring(self) -> AffinityKeyring:
        return keyring_from_settings(self._settings)

    def case(self, value: str) -> str:
        return self.keyring.case(value)
