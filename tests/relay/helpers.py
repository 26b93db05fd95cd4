"""Small helpers for the relay tests: a raw SMTP client for byte-level (hostile) sessions."""

from __future__ import annotations

import socket


class RawClient:
    """Talks SMTP over a plain socket, so a test can send any bytes at all."""

    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        self.greeting = self.reply()

    def reply(self) -> str:
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("closed")
            lines.append(line.decode("ascii", "replace").rstrip("\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                return "\n".join(lines)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def cmd(self, line: str | bytes) -> str:
        self.send((line.encode() if isinstance(line, str) else line) + b"\r\n")
        return self.reply()

    def envelope(self, mail_from: str = "a@example.com", rcpts: tuple[str, ...] = ("b@example.org",)) -> None:
        assert self.cmd("EHLO client.test").startswith("250")
        assert self.cmd(f"MAIL FROM:<{mail_from}>").startswith("250")
        for rcpt in rcpts:
            assert self.cmd(f"RCPT TO:<{rcpt}>").startswith("250")

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
