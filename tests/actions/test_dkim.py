"""DKIM signing of changed copies: the result verifies with dkimpy against the test key."""

from __future__ import annotations

import base64
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from support.dkimkeys import ed25519_key, rsa_key

from mailguard.actions.dkim import DkimKeyError, DkimSigner, breaks_signature

MESSAGE = (
    b"From: Case Team <team@council.example>\r\n"
    b"To: undisclosed-recipients:;\r\n"
    b"Subject: Consultation\r\n"
    b"Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
    b"Message-ID: <1@council.example>\r\n"
    b"\r\n"
    b"Dear resident,\r\nthe meeting is on Monday.\r\n"
)


def verifies(data: bytes, dns_record: bytes) -> bool:
    return dkim.verify(data, dnsfunc=lambda name, timeout=5: dns_record)


@pytest.mark.parametrize("make_key", [rsa_key, ed25519_key], ids=["rsa", "ed25519"])
def test_signed_copy_verifies(tmp_path: Path, make_key) -> None:
    pem, record = make_key()
    (tmp_path / "dkim.key").write_bytes(pem)
    signer = DkimSigner.from_file("Council.Example", "mg2026", tmp_path / "dkim.key")
    signed = signer.sign(MESSAGE)
    assert signed.endswith(MESSAGE)  # the message itself is untouched; one field is prepended
    assert signed.startswith(b"DKIM-Signature:")
    assert b"d=council.example" in signed and b"s=mg2026" in signed
    assert verifies(signed, record)
    assert not verifies(signed.replace(b"Monday", b"Friday"), record)


def test_bare_base64_ed25519_seed(tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    (tmp_path / "k").write_bytes(base64.b64encode(seed) + b"\n")
    signer = DkimSigner.from_file("council.example", "s", tmp_path / "k")
    assert signer.algorithm == b"ed25519-sha256"
    assert verifies(signer.sign(MESSAGE), b"v=DKIM1; k=ed25519; p=" + base64.b64encode(public))


def test_bare_line_ends_are_kept(tmp_path: Path) -> None:
    pem, record = rsa_key()
    (tmp_path / "k").write_bytes(pem)
    lf = MESSAGE.replace(b"\r\n", b"\n")
    signed = DkimSigner.from_file("council.example", "s", tmp_path / "k").sign(lf)
    assert b"\r" not in signed
    assert verifies(signed, record)


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"not a key", "neither a PEM key"),
        (base64.b64encode(b"short"), "32 bytes"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "unsupported PEM block"),
    ],
)
def test_unusable_key_files_say_why(tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / "k").write_bytes(content)
    with pytest.raises(DkimKeyError, match=reason):
        DkimSigner.from_file("council.example", "s", tmp_path / "k")


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(DkimKeyError, match="No such file"):
        DkimSigner.from_file("council.example", "s", tmp_path / "absent")


def test_which_changes_break_a_signature(tmp_path: Path) -> None:
    pem, _ = rsa_key()
    (tmp_path / "k").write_bytes(pem)
    signed = DkimSigner.from_file("council.example", "s", tmp_path / "k").sign(MESSAGE)
    assert breaks_signature(signed)  # our own signature covers To
    assert not breaks_signature(signed, frozenset({"bcc"}))
    assert breaks_signature(signed, frozenset({"bcc"}), body=True)
    assert not breaks_signature(MESSAGE)  # nothing signed, nothing to break
