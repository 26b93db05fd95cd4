"""DKIM-sign what mailguard changed (MAILGUARD_DKIM_DOMAIN, _SELECTOR, _KEY_FILE).

Exchange Online signs before mail reaches us, and its signature covers To and Cc. Moving
recipients to Bcc, splitting an invite or redacting on release changes signed bytes, and with a
DMARC `p=reject` domain the receiver then refuses or junks the copy. ARC does not help outbound
mail (trusted sealers are the receiver's choice), so the organisation's own key signs the copy
mailguard changed.

What happens to the sender's signature (decided, docs/exchange.md): it is kept. RFC 6376 §6.1
makes a signature that fails verification count as no signature, so keeping it harms nothing,
and where our change did not touch what it covers it still verifies. Ours is added on top, aligned
with the From domain, so DMARC passes. Without a key the copy leaves with a broken signature; that
is counted (`mailguard_dkim_changes_total{kind="left_broken"}`) so an administrator sees the cost.

Canonicalisation and hashing are dkimpy's (a kept library); nothing here re-implements them.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path

import dkim

from mailguard.actions.header_block import split_message
from mailguard.metrics import DKIM_CHANGES
from mailguard.settings import Settings

# PKCS#8 wrapping of a raw Ed25519 private key (RFC 8410): this fixed prefix, then the 32-byte seed.
_ED25519_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
_PEM = re.compile(rb"-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----", re.S)
# What our signature covers: the fields a receiver shows or threads by. dkimpy signs only those present.
SIGNED_FIELDS = (
    b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"reply-to", b"in-reply-to",
    b"references", b"mime-version", b"content-type", b"content-transfer-encoding", b"resent-to",
    b"resent-cc",
)  # fmt: skip
# Fields mailguard may change; a signature covering one of them may break.
CHANGED_FIELDS = frozenset({"to", "cc", "resent-to", "resent-cc", "content-type"})


class DkimKeyError(ValueError):
    """The key file cannot be used; the message says why (never the key)."""


@dataclass(frozen=True, slots=True)
class DkimSigner:
    domain: str
    selector: str
    algorithm: bytes  # b"rsa-sha256" or b"ed25519-sha256"
    key: bytes  # PEM for RSA, base64 seed for Ed25519 (what dkimpy takes)

    @classmethod
    def from_file(cls, domain: str, selector: str, path: Path) -> DkimSigner:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DkimKeyError(f"DKIM key file {path}: {exc.strerror}") from exc
        algorithm, key = _parse_key(raw)
        return cls(domain.strip().lower(), selector.strip(), algorithm, key)

    def sign(self, data: bytes) -> bytes:
        """`data` with our DKIM-Signature field prepended (line ends as the message has them)."""
        linesep = b"\r\n" if b"\r\n" in data[:4096] else b"\n"
        field = dkim.sign(
            data,
            self.selector.encode(),
            self.domain.encode(),
            self.key,
            canonicalize=(b"relaxed", b"relaxed"),
            signature_algorithm=self.algorithm,
            include_headers=list(SIGNED_FIELDS),
            linesep=linesep,
        )
        return field + data


def signer_from_settings(settings: Settings) -> DkimSigner | None:
    """The organisation's signer, or None when MAILGUARD_DKIM_* is not set; DkimKeyError when
    the key cannot be used (the start stops with that one line)."""
    if settings.dkim_domain is None or settings.dkim_selector is None or settings.dkim_key_file is None:
        return None
    return DkimSigner.from_file(settings.dkim_domain, settings.dkim_selector, settings.dkim_key_file)


def sign_change(signer: DkimSigner | None, original: bytes, changed: bytes, *, body: bool = False) -> bytes:
    """A copy mailguard changed, signed with our key when one is configured. A copy whose
    sender's signature our change breaks, sent without ours, is counted as `left_broken`."""
    if signer is not None:
        DKIM_CHANGES.labels(kind="resigned").inc()
        return signer.sign(changed)
    if breaks_signature(original, body=body):
        DKIM_CHANGES.labels(kind="left_broken").inc()
    return changed


def _parse_key(raw: bytes) -> tuple[bytes, bytes]:
    """An RSA PEM key (PKCS#1 or PKCS#8), an Ed25519 PKCS#8 PEM key (`openssl genpkey -algorithm
    ed25519`), or a bare base64 Ed25519 seed (dkimpy's `dknewkey --ktype ed25519`)."""
    pem = _PEM.search(raw)
    if pem is None:
        try:
            seed = base64.b64decode(raw.strip(), validate=True)
        except binascii.Error as exc:
            raise DkimKeyError("DKIM key file holds neither a PEM key nor a base64 Ed25519 key") from exc
        if len(seed) != 32:
            raise DkimKeyError("DKIM key file: a bare Ed25519 key must be 32 bytes of base64")
        return b"ed25519-sha256", base64.b64encode(seed)
    label, body = pem.group(1), pem.group(2)
    if label not in (b"PRIVATE KEY", b"RSA PRIVATE KEY"):
        raise DkimKeyError(f"DKIM key file: unsupported PEM block {label.decode()!r}")
    try:
        der = base64.b64decode(b"".join(body.split()))
    except binascii.Error as exc:
        raise DkimKeyError("DKIM key file: PEM body is not base64") from exc
    if label == b"PRIVATE KEY" and der.startswith(_ED25519_PKCS8_PREFIX) and len(der) == 48:
        return b"ed25519-sha256", base64.b64encode(der[len(_ED25519_PKCS8_PREFIX) :])
    return b"rsa-sha256", pem.group(0)


def breaks_signature(data: bytes, fields: frozenset[str] = CHANGED_FIELDS, body: bool = False) -> bool:
    """Whether a DKIM-Signature in `data` covers one of `fields` (or the body, when `body`
    changes too), so that changing them breaks it."""
    for field in split_message(data).find("dkim-signature"):
        tags = dict(_tags(field.value))
        signed = {h.strip().lower() for h in tags.get("h", "").split(":")}
        if signed & fields or body:
            return True
    return False


def _tags(value: str) -> list[tuple[str, str]]:
    pairs = []
    for item in value.split(";"):
        name, sep, tag_value = item.partition("=")
        if sep:
            pairs.append((name.strip().lower(), "".join(tag_value.split())))
    return pairs
