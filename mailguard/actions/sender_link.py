"""The link in a sender's notice about an exposure hold: signed, expiring, for one hold.

`/sender/<token>` where the token is `<item id>.<expiry, hex seconds>.<HMAC-SHA256>` keyed by
MAILGUARD_SENDER_LINK_KEY, else _KEY_FILE, else `sender-link.key` in the data folder (created
on first use, 0600; instances sharing a store must share it). The token is the only credential
the sender's page asks for, so the MAC covers the id and the expiry together; it is used once
because the hold it names can be decided once (the store's transaction sees to that).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from mailguard.keyfile import configured_secret
from mailguard.settings import Settings

KEY_FILE = "sender-link.key"
PATH = "/sender/"
_TOKEN = re.compile(r"^(Q[A-Z2-7]{1,15})\.([0-9a-f]{1,12})\.([A-Za-z0-9_-]{43})$")


class LinkInvalid(Exception):
    """Not a link we made (mistyped, cut short or altered)."""


class LinkExpired(Exception):
    """A link we made, past its time."""


@dataclass(frozen=True, slots=True)
class SenderLink:
    url: str
    expires: float


class SenderLinks:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def _key(self) -> bytes:
        """Read on first use: a relay that never holds for exposure creates no key file."""
        settings = self._settings
        secret = configured_secret(
            settings.sender_link_key, settings.sender_link_key_file, Path(settings.data_dir) / KEY_FILE
        )
        if len(secret) < 16:
            raise ValueError("the sender link key must be at least 16 bytes")
        return hmac.new(secret, b"mailguard sender link", hashlib.sha256).digest()

    def _mac(self, item_id: str, expires: int) -> str:
        digest = hmac.new(self._key, f"{item_id}\x00{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def token(self, item_id: str, expires: float) -> str:
        seconds = int(expires)
        return f"{item_id}.{seconds:x}.{self._mac(item_id, seconds)}"

    def link(self, item_id: str, now: float, hold_ends: float) -> SenderLink | None:
        """The link for a new hold (never past the hold's own expiry), or None without
        MAILGUARD_ADMIN_PUBLIC_URL: there is no address a sender's browser could use."""
        base = self._settings.admin_public_url
        if not base:
            return None
        expires = min(now + self._settings.sender_link_hours * 3600, hold_ends)
        return SenderLink(base.rstrip("/") + PATH + self.token(item_id, expires), int(expires))

    def check(self, token: str, now: float) -> str:
        """The hold's id; LinkInvalid (not ours) or LinkExpired (ours, too late)."""
        found = _TOKEN.match(token)
        if found is None:
            raise LinkInvalid
        item_id, expires = found.group(1), int(found.group(2), 16)
        if not hmac.compare_digest(self._mac(item_id, expires), found.group(3)):
            raise LinkInvalid
        if now >= expires:
            raise LinkExpired
        return item_id
