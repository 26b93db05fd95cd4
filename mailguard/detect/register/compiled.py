"""The compiled register on disk, memory-mapped on open. Files are written to a temporary
name, fsynced, renamed.

The mapping is populated at open (Linux's MADV_POPULATE_READ: the page tables filled from the
page cache in one call, 4 ms for a 175 MB index of 1,000,000 rows). Look-ups land on random
pages, and a first touch of each page of a fresh mapping costs a fault: about 2,500 faults per
MB of address-dense text, 6 % of its scan. The pages are the page cache's, shared, not the
relay's own memory; an index over 1 GB is left to fault in as look-ups touch it.

- A CSV named by MAILGUARD_REGISTER is compiled into a cache file per CSV content (keyed by
  the SHA-256 of its bytes and the image format), so an unchanged one opens in milliseconds.
- `register import` writes one compiled index (`register.idx` in the data dir, or `--out`
  anywhere): no copy of the CSV is kept. MAILGUARD_REGISTER may name such an index.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mmap
import os
import sys
from pathlib import Path

from mailguard.detect.register.index import MAGIC, CompiledIndex
from mailguard.detect.register.keys import Keyring
from mailguard.detect.register.values import RegisterError

log = logging.getLogger(__name__)
_POPULATE_READ = 22  # MADV_POPULATE_READ (Linux 5.14); Python's mmap module does not name it
_POPULATE_MAX = 1 << 30
FORMAT = "11"  # bump when the matcher's keys, the address parsing or the record layout change
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


def is_index(path: Path) -> bool:
    """The file is a compiled index (not a CSV)."""
    try:
        with Path(path).open("rb") as f:
            return f.read(len(MAGIC))[:6] == MAGIC[:6]
    except OSError:
        return False


def _map(path: Path) -> mmap.mmap:
    """The file mapped read-only, populated (see the module's note) where the kernel can."""
    with Path(path).open("rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if sys.platform == "linux" and len(mapped) <= _POPULATE_MAX:
        with contextlib.suppress(OSError):  # an older kernel: pages fault in as they are touched
            mapped.madvise(_POPULATE_READ)
    return mapped


def open_index(path: Path, keys: Keyring) -> CompiledIndex:
    """A compiled index file; RegisterError when it is unreadable, damaged or of another key."""
    try:
        mapped = _map(path)
    except (OSError, ValueError) as exc:
        raise RegisterError(f"cannot read compiled register {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return CompiledIndex(mapped, keys)
    except RegisterError as exc:
        mapped.close()
        raise RegisterError(f"{path}: {exc}") from None


def load(cache_dir: Path, digest: str, keys: Keyring) -> CompiledIndex | None:
    """The compiled index for this CSV content, or None when there is none (or it is unusable)."""
    path = cache_file(cache_dir, digest)
    try:
        mapped = _map(path)
    except (OSError, ValueError):
        return None
    try:
        index = CompiledIndex(mapped, keys)
    except RegisterError:
        log.warning("compiled register cache %s is unusable or of another key; rebuilding", path.name)
        mapped.close()
        return None
    if index.meta.get("sha256") != digest:
        index.release()
        return None
    return index


def save(cache_dir: Path, digest: str, image: bytes) -> Path:
    """Write atomically, then remove compiled files of older CSV versions."""
    cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = cache_file(cache_dir, digest)
    _write_durably(path, image, mode=0o600)
    for old in cache_dir.glob(f"{_PREFIX}*.idx"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()  # an open mapping of it stays valid until closed
    return path


def register_dir(data_dir: Path) -> Path:
    """Where `register import` keeps the compiled index (and the compiled caches of a CSV)."""
    return data_dir / "register"


def imported_index(data_dir: Path) -> Path:
    return register_dir(data_dir) / "register.idx"


def legacy_csv(data_dir: Path) -> Path:
    """Where older versions kept a plain copy of the imported CSV (removed by the next import)."""
    return register_dir(data_dir) / "register.csv"


def install_index(image: bytes, target: Path) -> Path:
    """Write a compiled index atomically, owner-only."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_durably(target, image, mode=0o600)
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
