"""The TLS context for the upstream: the system CAs or a private CA file, and the client
certificate a certificate-based inbound connector (Exchange Online) knows us by."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

from mailguard.environment import SettingsError
from mailguard.settings import Settings


def client_context(settings: Settings) -> ssl.SSLContext:
    """The context for the upstream: verified against the system CAs (or a private CA file)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if (ca_file := settings.upstream_ca_file) is not None:
        load_tls_file("MAILGUARD_UPSTREAM_CA_FILE", ca_file, lambda: context.load_verify_locations(cafile=ca_file))
    if not settings.upstream_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    cert, key = settings.upstream_client_cert_file, settings.upstream_client_key_file
    if cert is not None and key is not None:
        # A certificate-based inbound connector (Exchange Online) knows us by this certificate.
        load_tls_file("MAILGUARD_UPSTREAM_CLIENT_CERT_FILE/KEY_FILE", cert, lambda: context.load_cert_chain(cert, key))
    return context


def load_tls_file(setting: str, path: Path, load: Callable[[], object]) -> None:
    """Run `load`; a file that cannot be read is a setting to fix, in one line."""
    try:
        load()
    except (OSError, ssl.SSLError) as exc:
        raise SettingsError(f"cannot load {setting} ({path}): {failure_reason(exc)}") from None


def failure_reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
