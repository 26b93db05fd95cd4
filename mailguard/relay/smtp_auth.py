"""Inbound AUTH (PLAIN, LOGIN; offered only over TLS) against a users file.

The file has one `user:hash` line per user (blank lines and `#` comments ignored), where hash is
`pbkdf2_sha256$<iterations>$<salt, base64>$<key, base64>`; make one with
`python -m mailguard.relay.smtp_auth USER` (asks for the password).

The PBKDF2 check runs in a small thread pool of its own (hashlib releases the GIL), so other
sessions are served while it runs, and a password spray queues behind itself rather than behind
the scanner's threads.
"""

from __future__ import annotations

import asyncio
import base64
import getpass
import hashlib
import hmac
import logging
import secrets
import sys
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import AuthResult, LoginPassword

from mailguard.metrics import AUTH_FAILURES
from mailguard.relay.startup import StartupError

log = logging.getLogger(__name__)

SCHEME = "pbkdf2_sha256"
DEFAULT_ITERATIONS = 200_000
CHECK_THREADS = 2  # concurrent PBKDF2 checks per process: about the cores of a small box

_checks = ThreadPoolExecutor(max_workers=CHECK_THREADS, thread_name_prefix="mailguard-auth")


def hash_password(password: str, *, iterations: int = DEFAULT_ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{SCHEME}${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def verify_password(password: bytes, encoded: str) -> bool:
    try:
        scheme, iterations, salt, key = encoded.split("$")
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(key)
        actual = hashlib.pbkdf2_hmac("sha256", password, base64.b64decode(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def load_users(path: Path) -> dict[str, str]:
    """user -> encoded hash; a malformed line is a start-up error naming its line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StartupError(f"cannot read MAILGUARD_AUTH_USERS_FILE ({path}): {exc.strerror}") from None
    users: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, encoded = line.partition(":")
        if not sep or not user or not encoded.startswith(SCHEME + "$") or encoded.count("$") != 3:
            raise StartupError(f"{path}:{number}: expected 'user:{SCHEME}$iterations$salt$key'")
        users[user] = encoded
    return users


class AuthThrottle:
    """Failed AUTH attempts per client address in a sliding window (brute-force defence).

    Each failure earns a growing pause before the session reads its next command (a tarpit:
    `delay_step` per earlier failure, at most `max_delay`); from `max_failures` in `window`
    seconds on, AUTH from that address is answered 421 4.7.0 and the connection closed, before
    any password is checked. A success clears the address. Failures are counted in
    `mailguard_auth_failures_total`. Per relay process (several workers each count their own).
    """

    MAX_TRACKED = 10_000  # addresses remembered; the stalest are dropped past this

    def __init__(
        self,
        max_failures: int = 10,
        window: float = 900.0,
        delay_step: float = 0.5,
        max_delay: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.delay_step = delay_step
        self.max_delay = max_delay
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def failures(self, ip: str) -> int:
        times = self._failures.get(ip)
        if times is None:
            return 0
        cutoff = self.clock() - self.window
        while times and times[0] < cutoff:
            times.popleft()
        if not times:
            del self._failures[ip]
            return 0
        return len(times)

    def blocked(self, ip: str) -> bool:
        return self.failures(ip) >= self.max_failures

    def failed(self, ip: str) -> float:
        """Record a failure (and count it in the metric); return how long to wait before replying."""
        AUTH_FAILURES.inc()
        count = self.failures(ip)
        if ip not in self._failures and len(self._failures) >= self.MAX_TRACKED:
            del self._failures[next(iter(self._failures))]  # the address tracked longest
        self._failures.setdefault(ip, deque()).append(self.clock())
        return min(self.max_delay, self.delay_step * count)

    def succeeded(self, ip: str) -> None:
        self._failures.pop(ip, None)


@dataclass(frozen=True, slots=True)
class PendingCheck:
    """Credentials aiosmtpd has parsed but not yet checked (see `RelaySMTP._authenticate`)."""

    mechanism: str
    credentials: Any


async def verify_password_async(password: bytes, encoded: str) -> bool:
    """`verify_password` off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_checks, verify_password, password, encoded)


class Authenticator:
    """Checks AUTH credentials against the users file. Successful checks are remembered (by a
    keyed digest of the password) so a busy client does not cost a full PBKDF2 run on every
    connection."""

    def __init__(self, users: dict[str, str]) -> None:
        self._users = users
        self._pepper = secrets.token_bytes(16)
        self._verified: set[tuple[str, bytes]] = set()
        # Checked for unknown users, at the users' own cost, so the reply time does not tell
        # which user names exist.
        iterations = next((int(e.split("$")[1]) for e in users.values()), DEFAULT_ITERATIONS)
        self._dummy = hash_password(secrets.token_urlsafe(16), iterations=iterations)

    async def check(self, session: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        encoded = self._users.get(user)
        if encoded is None:
            await verify_password_async(auth_data.password, self._dummy)  # same cost as a known user's
            log.info("auth failed: unknown user (mechanism %s)", mechanism)
            return _refused(session)
        token = (user, hmac.digest(self._pepper, auth_data.password + encoded.encode(), "sha256"))
        if token not in self._verified:
            if not await verify_password_async(auth_data.password, encoded):
                log.info("auth failed for %s (mechanism %s)", user, mechanism)
                return _refused(session)
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified.add(token)
        return AuthResult(success=True, auth_data=user)


def _refused(session: Any) -> AuthResult:
    """A refusal, noted on the session so the relay's AUTH throttle counts it."""
    if hasattr(session, "auth_failures"):
        session.auth_failures += 1
    return AuthResult(success=False, handled=False)


def main() -> None:  # pragma: no cover - a tiny interactive helper
    user = sys.argv[1] if len(sys.argv) > 1 else input("user: ")
    print(f"{user}:{hash_password(getpass.getpass('password: '))}")


if __name__ == "__main__":  # pragma: no cover
    main()
