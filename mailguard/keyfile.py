"""A random secret kept in a file (owner-only), created on first use.

The file appears whole or not at all: the secret is written to a private temporary file and
hard-linked into place, so a process or thread that races the creator never reads it empty,
and when two create at once the first link wins and both use that one.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def read_or_create(path: Path) -> bytes:
    """The secret in `path` (stripped), creating 32 random bytes (hex) there when absent.

    Raises OSError when the file cannot be read or created; callers word it for their setting.
    """
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_hex(32).encode() + b"\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another creator won: use theirs
            pass
    finally:
        os.unlink(tmp)
    return path.read_bytes().strip()
