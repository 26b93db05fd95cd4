"""`mailguard` as a real subprocess: settings as MAILGUARD_* variables, `serve` started and
stopped with SIGTERM, and one-shot commands (`check`, `quarantine release`).

    with ServeProcess(env) as proc:             # waits for the relay port and /healthz
        send(proc.host, proc.smtp_port, ...)
    assert proc.returncode == 0
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import httpx

from .relay import free_port


def as_env(settings: Mapping[str, Any]) -> dict[str, str]:
    """MAILGUARD_* variables for settings given as keywords (lists comma-joined)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILGUARD_") or k.startswith("MAILGUARD_TEST_")}
    env["MAILGUARD_RELAY_WORKERS"] = "1"  # one process unless a test asks (the default is one per CPU)
    for key, value in settings.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[f"MAILGUARD_{key.upper()}"] = str(value)
    return env | {"PYTHONWARNINGS": "ignore"}


def mailguard(*args: str, env: Mapping[str, str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run one `mailguard` command to completion."""
    return subprocess.run(
        [sys.executable, "-m", "mailguard", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class ServeProcess:
    """`mailguard serve` on free loopback ports; `log` holds its stderr once it has exited."""

    def __init__(self, env: Mapping[str, str], cwd: Path, name: str = "serve") -> None:
        self.host = "127.0.0.1"
        self.smtp_port, self.admin_port = free_port(), free_port()
        self.env = dict(env) | {
            "MAILGUARD_LISTEN": f"{self.host}:{self.smtp_port}",
            "MAILGUARD_ADMIN_LISTEN": f"{self.host}:{self.admin_port}",
        }
        self.cwd = cwd
        self._log_path = cwd / f"{name}.log"
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None

    @property
    def admin_url(self) -> str:
        return f"http://{self.host}:{self.admin_port}"

    @property
    def log(self) -> str:
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""

    def start(self) -> ServeProcess:
        self._log = self._log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mailguard", "serve"],
            env=self.env,
            cwd=self.cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"mailguard serve exited with {self.process.returncode}:\n{self.log}")
            try:
                with socket.create_connection((self.host, self.smtp_port), timeout=1):
                    pass
                if httpx.get(f"{self.admin_url}/healthz", timeout=1).status_code == 200:
                    return
            except (OSError, httpx.HTTPError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"mailguard serve not ready after {timeout} s:\n{self.log}")

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM, then wait for the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.returncode = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.returncode = self.process.wait()
            raise AssertionError(f"mailguard serve ignored SIGTERM for {timeout} s:\n{self.log}") from None
        finally:
            if self._log is not None:
                self._log.close()
        return self.returncode

    def __enter__(self) -> ServeProcess:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.terminate()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.returncode is None:
            self.terminate()
