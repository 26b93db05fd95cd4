"""`mailguard serve` as a real process: start-up errors, graceful SIGTERM with mail in flight."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.relay import free_port
from support.upstream import Behaviour, RecordingUpstream, serving

MSG = b"Subject: in flight\r\n\r\nbody\r\n"


def serve_env(**settings: object) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILGUARD_")}
    env.update({f"MAILGUARD_{k.upper()}": str(v) for k, v in settings.items()})
    env["PYTHONWARNINGS"] = "ignore"
    return env


def run_serve(**settings: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailguard", "serve"],
        env=serve_env(**settings),
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mailguard: ") and all(n in lines[0] for n in needles), lines[0]


def test_port_in_use() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_serve(listen=f"127.0.0.1:{port}", admin_listen=f"127.0.0.1:{free_port()}")
    assert_one_line_error(result, "cannot listen", str(port))


def test_bad_setting() -> None:
    result = run_serve(max_recipients="lots")
    assert_one_line_error(result, "MAILGUARD_MAX_RECIPIENTS")


def test_unreadable_certificate(tmp_path: Path) -> None:
    result = run_serve(
        listen=f"127.0.0.1:{free_port()}",
        admin_listen=f"127.0.0.1:{free_port()}",
        tls_cert_file=tmp_path / "missing.pem",
        tls_key_file=tmp_path / "missing.key",
    )
    assert_one_line_error(result, "MAILGUARD_TLS_CERT_FILE", "missing.pem")


@pytest.fixture
def slow_upstream() -> Iterator[RecordingUpstream]:
    with serving(RecordingUpstream(Behaviour(data_delay=1.5))) as upstream:
        yield upstream


def wait_listening(port: int, process: subprocess.Popen[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("mailguard serve did not start listening")


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_finishes_message_in_flight(slow_upstream: RecordingUpstream, workers: int) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mailguard", "serve"],
        env=serve_env(
            listen=f"127.0.0.1:{port}",
            admin_listen=f"127.0.0.1:{free_port()}",
            upstream_port=slow_upstream.port,
            upstream_tls="none",
            relay_workers=workers,
        ),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_listening(port, process)
        replies: list[object] = []

        def client() -> None:
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as c:
                replies.append(c.sendmail("a@example.com", ["b@example.org"], MSG))

        sender = threading.Thread(target=client)
        sender.start()
        deadline = time.monotonic() + 30  # wait until the message is with the slow upstream
        while slow_upstream.handler.data_started == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        sender.join(30)
        assert replies == [{}]  # 250: delivered
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        stderr = process.communicate()[1]
    assert len(slow_upstream.messages) == 1, stderr
    assert "Traceback" not in stderr
