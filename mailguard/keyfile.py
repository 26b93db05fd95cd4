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

from pydantic import SecretStr


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


def configured_secret(value: SecretStr | None, file: Path | None, default: Path) -> bytes:
    """A secret setting: its value, else the content of its `_FILE` setting, else `default`
    (created on first use). OSError, naming the file, when a file cannot be read or created."""
    if value is not None:
        return value.get_secret_value().encode()
    if file is not None:
        return Path(file).read_bytes().strip()
    return read_or_create(default)
