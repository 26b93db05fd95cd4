"""deploy/upstream/recorder.py really records what it is sent."""

from __future__ import annotations

import json
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

from .paths import DEPLOY


def test_records_message_and_envelope(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(DEPLOY / "upstream" / "recorder.py"),
            "--listen",
            "127.0.0.1:0",
            "--spool",
            str(spool),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("listening "), proc.stderr.read() if proc.stderr else line
        port = int(line.split()[1])
        data = b"From: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nhello\r\n"
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            refused = client.sendmail("a@example.org", ["b@example.net", "c@example.net"], data)
        assert refused == {}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    (eml,) = spool.glob("*.eml")
    assert eml.read_bytes() == data
    meta = json.loads(eml.with_suffix(".json").read_text())
    assert meta["mail_from"] == "a@example.org" and meta["rcpt_tos"] == ["b@example.net", "c@example.net"]


def test_stops_at_once_with_a_pooled_client_connected(tmp_path: Path) -> None:
    """Issue 14, defect 7: a relay's pooled connection held the stop for 10 s, then SIGKILL."""
    proc = subprocess.Popen(
        [sys.executable, str(DEPLOY / "upstream" / "recorder.py"), "--listen", "127.0.0.1:0", "--spool", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        port = int(line.split()[1])
        pooled = smtplib.SMTP("127.0.0.1", port, timeout=10)
        pooled.ehlo("relay.example")  # idle, as a pooled upstream connection is
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - started < 3
        pooled.close()
    finally:
        proc.kill()
