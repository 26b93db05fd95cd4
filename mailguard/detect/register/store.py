"""The compiled register on disk: one file per CSV content, memory-mapped on open.

Keyed by the SHA-256 of the CSV bytes (and the image format), so a changed register is
recompiled and an unchanged one opens in milliseconds with no parsing: the relay maps the
file and pages in only what lookups touch. Written to a temporary name, fsynced, renamed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mmap
import os
from pathlib import Path

from mailguard.detect.register.index import MAGIC, CompiledIndex
from mailguard.detect.register.model import RegisterError

log = logging.getLogger(__name__)
FORMAT = "7"  # bump when the matcher's keys, the address parsing or the record layout change
_PREFIX = "register-"


def csv_digest(path: Path) -> str:
    h = hashlib.sha256(MAGIC + FORMAT.encode())
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        raise RegisterError(f"cannot read register {path}: {exc.strerror or exc}") from None
    return h.hexdigest()


def cache_file(cache_dir: Path, digest: str) -> Path:
    return cache_dir / f"{_PREFIX}{digest[:40]}.idx"


def load(cache_dir: Path, digest: str) -> CompiledIndex | None:
    """The compiled index for this CSV content, or None when there is none (or it is unusable)."""
    path = cache_file(cache_dir, digest)
    try:
        with path.open("rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        index = CompiledIndex(mapped)
    except RegisterError:
        log.warning("compiled register cache %s is unusable; rebuilding", path.name)
        mapped.close()
        return None
    if index.meta.get("sha256") != digest:
        index.release()
        return None
    return index


def save(cache_dir: Path, digest: str, image: bytes) -> Path:
    """Write atomically, then remove compiled files of older CSV versions."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_file(cache_dir, digest)
    _write_durably(path, image)
    for old in cache_dir.glob(f"{_PREFIX}*.idx"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()  # an open mapping of it stays valid until closed
    return path


def register_dir(data_dir: Path) -> Path:
    """Where `register import` keeps its copy of the CSV and the compiled index."""
    return data_dir / "register"


def imported_csv(data_dir: Path) -> Path:
    return register_dir(data_dir) / "register.csv"


def install_copy(source: Path, data_dir: Path) -> Path:
    """Copy an imported CSV into the data dir (atomically, owner-only: it is protected data)."""
    target = imported_csv(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_durably(target, source.read_bytes(), mode=0o600)
    return target


def _write_durably(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write beside `path`, fsync, rename over it: readers see the old file or the new, whole."""
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
