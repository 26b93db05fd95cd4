"""MIME that a scanner and a mail client could read differently is reported as ambiguous_mime."""

from __future__ import annotations

from mailguard.message import extract_content
from mailguard.message.model import UnscannedReason

HEAD = b"To: a@a.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n"


def _ambiguous(raw: bytes) -> list[str]:
    return [u.detail for u in extract_content(raw).unscanned if u.reason is UnscannedReason.AMBIGUOUS_MIME]


def test_duplicate_boundary_parameter() -> None:
    raw = HEAD + (
        b'Content-Type: multipart/mixed; boundary="one"; boundary="two"\r\n\r\n'
        b"--one\r\nContent-Type: text/plain\r\n\r\nvisible\r\n"
        b"--two\r\nContent-Type: text/plain\r\n\r\nhidden 14 Acacia Avenue\r\n--two--\r\n--one--\r\n"
    )
    assert _ambiguous(raw) == ["duplicate boundary parameter"]


def test_duplicate_content_type_and_cte() -> None:
    raw = HEAD + b"Content-Type: text/plain\r\nContent-Type: text/html\r\n\r\nx\r\n"
    assert _ambiguous(raw) == ["duplicate content-type header"]
    raw = HEAD + b"Content-Transfer-Encoding: base64\r\nContent-Transfer-Encoding: 7bit\r\n\r\neA==\r\n"
    assert _ambiguous(raw) == ["duplicate content-transfer-encoding header"]


def test_missing_start_boundary_still_reads_the_text() -> None:
    raw = HEAD + b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\nno boundary here 14 Acacia Avenue\r\n'
    c = extract_content(raw)
    assert [u.reason for u in c.unscanned] == [UnscannedReason.AMBIGUOUS_MIME]
    assert any("14 Acacia Avenue" in s.text for s in c.segments)


def test_clean_multipart_is_not_ambiguous() -> None:
    raw = HEAD + (
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Type: text/plain\r\n\r\ntwo\r\n--b--\r\n"
    )
    assert extract_content(raw).unscanned == []


def test_message_partial_and_encrypted() -> None:
    raw = HEAD + b'Content-Type: message/partial; id="x"; number=1; total=2\r\n\r\nFrom: a\r\n\r\nx\r\n'
    assert [u.reason for u in extract_content(raw).unscanned] == [UnscannedReason.UNKNOWN_FORMAT]
    raw = HEAD + (
        b'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n--b--\r\n"
    )
    assert [u.reason for u in extract_content(raw).unscanned] == [UnscannedReason.ENCRYPTED]
