"""`mailguard demo --no-wait` runs end to end and says what happened to each sample."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_no_wait(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "a-clean.eml").write_bytes(
        b"From: x@example.com\r\nTo: y@example.org\r\nSubject: hi\r\n\r\nhello\r\n"
    )
    (samples / "b-indexed.eml").write_bytes(b"Subject: hi\r\n\r\nno address headers\r\n")
    (samples / "index.json").write_text(
        '[{"file": "b-indexed.eml", "mail_from": "", "rcpt": ["z@example.net"]}]'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILGUARD_")}
    result = subprocess.run(
        [sys.executable, "-m", "mailguard", "demo", "--no-wait", "--samples", str(samples)],
        env={**env, "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "a-clean.eml: delivered unchanged to 1 recipient(s)" in out
    assert "b-indexed.eml: delivered unchanged to 1 recipient(s)" in out
    assert "the upstream received (to " in out  # the first lines of what was delivered
    assert "Review page and API: http://127.0.0.1:" in out
    assert not (tmp_path / "var").exists()  # state went to a temporary folder


def test_bundled_demo_samples_load() -> None:
    from mailguard.cli.demo import PACKAGE_DEMO, load_samples

    samples = load_samples(PACKAGE_DEMO / "samples")
    assert len(samples) >= 2 and all(s.rcpt for s in samples)
