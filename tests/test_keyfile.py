"""A secret file created on first use is never seen empty, however many create it at once."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

from mailguard.keyfile import read_or_create


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
