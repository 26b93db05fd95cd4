"""`mailguard serve` as a real subprocess that a test may start, SIGKILL and restart.

    proc = ServeProcess(log_path, listen=f"127.0.0.1:{port}", upstream_port=up, ...)
    proc.start()            # waits until the relay port answers
    proc.kill9()            # SIGKILL the whole process group (relay and its extraction workers)
    proc.start()            # same settings, same database
    proc.stop()             # SIGTERM, wait for exit 0

Settings are keyword arguments named like the Settings fields (`upstream_port=...`); they become
MAILGUARD_* variables, and nothing else of the caller's MAILGUARD_* environment leaks in.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any


def serve_env(**settings: object) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILGUARD_")}
    env["MAILGUARD_RELAY_WORKERS"] = "1"  # one process unless a test asks (the default is one per CPU)
    env.update({f"MAILGUARD_{k.upper()}": str(v) for k, v in settings.items()})
    env["PYTHONWARNINGS"] = "ignore"
    return env


def wait_port(host: str, port: int, timeout: float, alive: Any = None) -> None:
    """Wait until something accepts on host:port; `alive()` False means give up at once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError(f"process exited before listening on {host}:{port}")
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listening on {host}:{port} after {timeout} s")


class ServeProcess:
    def __init__(self, log_path: Path, *, preexec: Any = None, **settings: object) -> None:
        self.settings = settings
        self.log_path = log_path
        self.host, port = str(settings["listen"]).rsplit(":", 1)
        self.port = int(port)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._preexec = preexec
        self._log: IO[bytes] | None = None
        self._drain: threading.Thread | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 30.0, wait: bool = True) -> None:
        assert not self.alive()
        self._log = self.log_path.open("ab")
        self._log.write(f"--- start {self.starts} ---\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mailguard", "serve"],
            env=serve_env(**self.settings),
            # Through a pipe that this process copies to the log: the relay itself writes no
            # file but its database (a test may limit its file size with RLIMIT_FSIZE).
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill9() takes the workers too
            preexec_fn=self._preexec,
        )
        self.starts += 1
        self._drain = threading.Thread(target=self._copy, args=(self.process.stdout, self._log), daemon=True)
        self._drain.start()
        if wait:
            wait_port(self.host, self.port, timeout, self.alive)

    @staticmethod
    def _copy(source: IO[bytes], log: IO[bytes]) -> None:
        for line in source:
            log.write(line)
            log.flush()
        source.close()

    def kill9(self) -> None:
        """What a crash does: no shutdown code runs, in the relay or its workers."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)
        self._close_log()

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (graceful) and wait; returns the exit code (SIGKILL after `timeout`)."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._reap_group()
        self._close_log()
        return self.process.returncode

    def _reap_group(self) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # stragglers only; the leader has exited
        except (ProcessLookupError, PermissionError):
            pass

    def _close_log(self) -> None:
        if self._drain is not None:
            self._drain.join(10)
            self._drain = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""
