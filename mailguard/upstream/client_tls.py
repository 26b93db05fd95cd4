"""The TLS context for the upstream: the system CAs or a private CA file, and the client
certificate a certificate-based inbound connector (Exchange Online) knows us by."""

from __future__ import annotations

import ssl

from mailguard.settings import Settings, SettingsError


def client_context(settings: Settings) -> ssl.SSLContext:
    """The context for the upstream: verified against the system CAs (or a private CA file)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if settings.upstream_ca_file is not None:
        try:
            context.load_verify_locations(cafile=settings.upstream_ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise SettingsError(
                f"cannot load MAILGUARD_UPSTREAM_CA_FILE ({settings.upstream_ca_file}): {failure_reason(exc)}"
            ) from None
    if not settings.upstream_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if settings.upstream_client_cert_file is not None and settings.upstream_client_key_file is not None:
        # A certificate-based inbound connector (Exchange Online) knows us by this certificate.
        try:
            context.load_cert_chain(settings.upstream_client_cert_file, settings.upstream_client_key_file)
        except (OSError, ssl.SSLError) as exc:
            raise SettingsError(
                "cannot load MAILGUARD_UPSTREAM_CLIENT_CERT_FILE/KEY_FILE "
                f"({settings.upstream_client_cert_file}): {failure_reason(exc)}"
            ) from None
    return context


def failure_reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
