"""Real mail from other projects' test suites extracts without an exception, and the oddest
cases (kept in tests/message/data/realworld) read as a person would read them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mailguard.message import extract_content
from mailguard.message.extract.content import MESSAGE
from mailguard.message.model import AddressSource, UnscannedReason

DATA = Path(__file__).parent / "data" / "realworld"
SHARED = Path(__file__).parents[3] / "shared" / "corpus" / "realworld"


def _check(path: Path) -> None:
    start = time.monotonic()
    content = extract_content(path.read_bytes())
    assert time.monotonic() - start < 10
    for item in content.unscanned:  # a crash of our own code would be "corrupt" for the whole message
        assert not (item.where == MESSAGE[0] and item.reason is UnscannedReason.CORRUPT), (path, item)
        assert "while reading" not in item.detail and "in MIME part" not in item.detail, (path, item)


@pytest.mark.parametrize("path", sorted(DATA.glob("*/*.eml")), ids=lambda p: p.name)
def test_kept_realworld_messages(path: Path) -> None:
    _check(path)


@pytest.mark.skipif(not SHARED.is_dir(), reason="no shared realworld corpus here")
def test_every_shared_realworld_message() -> None:
    files = [p for p in SHARED.rglob("*.eml") if p.is_file()]
    assert files
    for path in files:
        _check(path)


def test_uuencoded_body_becomes_an_attachment() -> None:
    content = extract_content((DATA / "mikel" / "error_emails_content_transfer_encoding_x_uuencode.eml").read_bytes())
    assert content.attachments


def test_iso_2022_jp_body_is_decoded() -> None:
    content = extract_content((DATA / "mikel" / "multi_charset_japanese_iso_2022.eml").read_bytes())
    assert any("\x1b$" not in s.text and any(ord(ch) > 0x3000 for ch in s.text) for s in content.segments)


def test_group_lists_and_odd_to_headers() -> None:
    for name in ("error_emails_empty_group_lists.eml", "error_emails_weird_to_header.eml",
                 "error_emails_new_line_in_to_header.eml"):
        content = extract_content((DATA / "mikel" / name).read_bytes())
        to = [a for a in content.addresses if a.source is AddressSource.TO]
        assert all(a.address == a.address.lower() and "@" in a.address for a in to), name
