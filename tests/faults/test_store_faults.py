"""Store faults against the real `mailguard serve` (real rules and register): the quarantine
database full (SQLite, a real EFBIG through RLIMIT_FSIZE on the relay process) or unreachable
(a PostgreSQL database of our own that stops taking connections).

Pass criteria: a message to be held answers 4xx and is not acknowledged; passing mail keeps
flowing; when the store is back, holds work again on the same relay process (no restart).
"""

from __future__ import annotations

import resource
import smtplib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from support.crash import message, policy_relay, tokens_in
from support.pg import private_database, run_admin
from support.serveproc import ServeProcess
from support.upstream import RecordingUpstream, serving


def send(relay: ServeProcess, token: str, kind: str) -> str:
    """The reply code to one message ("250", "451", ...)."""
    mail_from, rcpts, data = message(token, kind)
    try:
        with smtplib.SMTP(relay.host, relay.port, timeout=30) as client:
            client.sendmail(mail_from, rcpts, data)
    except smtplib.SMTPResponseException as exc:
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    return "250"


@pytest.fixture
def upstream() -> Iterator[RecordingUpstream]:
    with serving(RecordingUpstream()) as up:
        yield up


def serve(tmp_path: Path, upstream: RecordingUpstream, database_url: str) -> ServeProcess:
    return policy_relay(tmp_path, upstream.port, database_url=database_url, shutdown_grace=5)


def delivered(upstream: RecordingUpstream) -> set[str]:
    return {t for m in upstream.messages for t in tokens_in(m.data)}


def test_sqlite_full_holds_4xx_passing_flows_and_recovers(tmp_path: Path, upstream: RecordingUpstream) -> None:
    db = tmp_path / "var" / "mailguard.db"
    relay = serve(tmp_path, upstream, f"sqlite:///{db}")
    relay.start()
    try:
        assert send(relay, "before", "held").startswith("250")
        # The disk is full for this process: no file of it may grow past 8 KiB (a real EFBIG).
        resource.prlimit(relay.pid, resource.RLIMIT_FSIZE, (8192, resource.RLIM_INFINITY))
        for n in range(3):
            reply = send(relay, f"full{n}", "held")
            assert reply.startswith("451 4.3.0"), reply
        assert send(relay, "clean-while-full", "clean") == "250"
        assert send(relay, "rewrite-while-full", "rewrite") == "250"
        resource.prlimit(relay.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        assert send(relay, "after", "held").startswith("250")  # same process: recovered by itself
        assert relay.stop() == 0
    finally:
        relay.kill9()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        held = {t for (data,) in conn.execute("SELECT data FROM quarantine_items") for t in tokens_in(data)}
    assert held == {"before", "after"}
    assert {"clean-while-full", "rewrite-while-full"} <= delivered(upstream)
    assert "Traceback" not in relay.log_text().split("hold failed")[0]  # no crash before the logged failure


@pytest.fixture
def pg_url() -> Iterator[str]:
    with private_database() as url:
        yield url


def set_connections(url: str, allowed: bool) -> None:
    """Let the database take connections again, or stop it and cut the ones it had (a failover)."""
    name = make_url(url).database
    run_admin(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}')
    if not allowed:
        run_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")


@pytest.mark.postgres
def test_postgres_unreachable_holds_4xx_passing_flows_and_recovers(
    tmp_path: Path, upstream: RecordingUpstream, pg_url: str
) -> None:
    relay = serve(tmp_path, upstream, pg_url)
    relay.start()
    try:
        assert send(relay, "before", "held").startswith("250")
        set_connections(pg_url, False)
        for n in range(2):
            reply = send(relay, f"down{n}", "held")
            assert reply.startswith("451 4.3.0"), reply
        assert send(relay, "clean-while-down", "clean") == "250"
        set_connections(pg_url, True)
        assert send(relay, "after", "held").startswith("250")
        assert relay.stop() == 0
    finally:
        relay.kill9()
    assert "clean-while-down" in delivered(upstream)
    assert not {"down0", "down1", "before", "after"} & delivered(upstream)  # held ones never went out


@pytest.mark.postgres
def test_postgres_down_at_start_relays_clean_mail_and_holds_once_it_is_back(
    tmp_path: Path, upstream: RecordingUpstream, pg_url: str
) -> None:
    """A database that is down when the relay starts is not a reason to stop clean mail: the relay
    starts, answers holds with 4xx, and takes holds again once the store answers (no restart)."""
    set_connections(pg_url, False)
    relay = serve(tmp_path, upstream, pg_url)
    relay.start()
    try:
        assert send(relay, "clean-at-start", "clean") == "250"
        assert send(relay, "held-at-start", "held").startswith("451 4.3.0")
        set_connections(pg_url, True)
        deadline = time.monotonic() + 30  # the relay retries after 1, 2, 4, ... seconds
        while (reply := send(relay, "held-later", "held")).startswith("451") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert reply.startswith("250"), reply
        assert relay.stop() == 0
    finally:
        relay.kill9()
    assert "clean-at-start" in delivered(upstream)
    assert "unreachable" in relay.log_text() and "Traceback" not in relay.log_text()
