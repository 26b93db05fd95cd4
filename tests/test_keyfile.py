"""A secret file created on first use is never seen empty, however many create it at once."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from pydantic import SecretStr

from mailguard.keyfile import configured_secret, read_or_create


def test_created_once_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "some.key"
    first = read_or_create(path)
    assert len(first) == 64
    assert read_or_create(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["some.key"]  # no temporary left behind


def test_racing_creators_agree_and_never_read_empty(tmp_path: Path) -> None:
    for attempt in range(20):
        path = tmp_path / f"race{attempt}.key"
        seen: list[bytes] = []
        start = threading.Barrier(8)

        def create(path: Path = path, seen: list[bytes] = seen, start: threading.Barrier = start) -> None:
            start.wait()
            seen.append(read_or_create(path))

        threads = [threading.Thread(target=create) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(seen)) == 1 and len(seen[0]) == 64


def test_a_configured_secret_comes_from_the_value_then_its_file_then_the_default(tmp_path: Path) -> None:
    (tmp_path / "given.key").write_bytes(b"from-the-file-0123456789\n")
    default = tmp_path / "var" / "made.key"
    assert configured_secret(SecretStr("set-in-env"), tmp_path / "given.key", default) == b"set-in-env"
    assert configured_secret(None, tmp_path / "given.key", default) == b"from-the-file-0123456789"
    assert not default.exists()
    assert configured_secret(None, None, default) == read_or_create(default)
    with pytest.raises(OSError) as missing:
        configured_secret(None, tmp_path / "absent.key", default)
    assert missing.value.filename == str(tmp_path / "absent.key")
