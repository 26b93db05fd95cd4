"""When the quarantine store fails, a message that must be held gets a 4xx (the client keeps it
and retries) while clean mail keeps flowing: SQLite made unwritable, a PostgreSQL database
dropped under the running relay."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from support.pg import drop_database, private_database
from support.stack import Stack

from .mail import COLLEAGUE, EX_PARTNER, PUBLIC, SENDER, clean, exposed, marker, protected_attachment, subject_of

TEMPFAIL = (451, b"4.3.0 Temporary local problem, try again later")


@contextlib.contextmanager
def unwritable(paths: list[Path]) -> Iterator[None]:
    """No process may write these files. Root ignores permission bits, so root makes them
    immutable (chattr +i, which also stops writes through descriptors already open)."""
    as_root = os.geteuid() == 0
    for path in paths:
        if as_root:
            subprocess.run(["chattr", "+i", str(path)], check=True, capture_output=True)
        else:
            path.chmod(0o444)
    try:
        for path in paths:
            with pytest.raises(PermissionError):
                path.open("r+b").close()
        yield
    finally:
        for path in paths:
            if as_root:
                subprocess.run(["chattr", "-i", str(path)], check=False, capture_output=True)
            else:
                path.chmod(0o644)


def assert_store_down_but_clean_mail_flows(stack: Stack) -> None:
    assert stack.send(protected_attachment(marker()), SENDER, [EX_PARTNER]) == TEMPFAIL
    word = marker()
    assert stack.send(clean(word), SENDER, [COLLEAGUE])[0] == 250
    assert stack.send(exposed(f"{word} rewritten"), SENDER, [*PUBLIC, COLLEAGUE])[0] == 250  # notice: best effort
    delivered = stack.wait_for(lambda m: word in subject_of(m.data), count=2)
    assert sorted(m.rcpt_tos for m in delivered) == sorted([(COLLEAGUE,), (*PUBLIC, COLLEAGUE)])


def test_sqlite_store_unwritable(settings: dict[str, Any]) -> None:
    with Stack(**settings) as stack:
        assert stack.send(protected_attachment(marker()), SENDER, [EX_PARTNER])[1].startswith(b"2.0.0 Ok: held")
        stack.outbox_idle()
        db = Path(make_url(stack.settings.effective_database_url).database or "")
        files = [p for p in (db, db.with_name(db.name + "-wal")) if p.exists()]
        with unwritable(files):
            assert_store_down_but_clean_mail_flows(stack)
        # writable again: holds work again, no restart needed
        assert stack.send(protected_attachment(marker()), SENDER, [EX_PARTNER])[1].startswith(b"2.0.0 Ok: held")


@pytest.mark.postgres
def test_postgresql_database_dropped(settings: dict[str, Any]) -> None:
    with private_database() as url, Stack(**settings, database_url=url) as stack:
        assert stack.send(protected_attachment(marker()), SENDER, [EX_PARTNER])[1].startswith(b"2.0.0 Ok: held")
        drop_database(make_url(url).database or "")
        assert_store_down_but_clean_mail_flows(stack)
