"""Inbound AUTH (PLAIN, LOGIN; offered only over TLS) against a users file.

The file has one `user:hash` line per user (blank lines and `#` comments ignored), where hash is
`pbkdf2_sha256$<iterations>$<salt, base64>$<key, base64>`; make one with
`python -m mailguard.relay.auth USER` (asks for the password).
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import logging
import secrets
import sys
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import AuthResult, LoginPassword

from mailguard.relay.errors import StartupError

log = logging.getLogger(__name__)

SCHEME = "pbkdf2_sha256"
DEFAULT_ITERATIONS = 200_000


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


class Authenticator:
    """aiosmtpd authenticator. Successful checks are remembered (by a keyed digest of the
    password) so a busy client does not cost a full PBKDF2 run on every connection."""

    def __init__(self, users: dict[str, str]) -> None:
        self._users = users
        self._pepper = secrets.token_bytes(16)
        self._verified: set[tuple[str, bytes]] = set()

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        encoded = self._users.get(user)
        if encoded is None:
            log.info("auth failed: unknown user (mechanism %s)", mechanism)
            return AuthResult(success=False, handled=False)
        token = (user, hmac.digest(self._pepper, auth_data.password + encoded.encode(), "sha256"))
        if token not in self._verified:
            if not verify_password(auth_data.password, encoded):
                log.info("auth failed for %s (mechanism %s)", user, mechanism)
                return AuthResult(success=False, handled=False)
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified.add(token)
        return AuthResult(success=True, auth_data=user)


def main() -> None:  # pragma: no cover - a tiny interactive helper
    user = sys.argv[1] if len(sys.argv) > 1 else input("user: ")
    print(f"{user}:{hash_password(getpass.getpass('password: '))}")


if __name__ == "__main__":  # pragma: no cover
    main()
