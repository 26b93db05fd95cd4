"""TLS contexts: inbound STARTTLS (our certificate) and outbound (verifying the upstream's)."""

from __future__ import annotations

import ssl

from mailguard.relay.errors import StartupError
from mailguard.settings import Settings


def server_context(settings: Settings) -> ssl.SSLContext | None:
    """The inbound STARTTLS context, or None when no certificate is configured."""
    if settings.tls_cert_file is None or settings.tls_key_file is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(settings.tls_cert_file, settings.tls_key_file)
    except (OSError, ssl.SSLError) as exc:
        raise StartupError(
            f"cannot load MAILGUARD_TLS_CERT_FILE/KEY_FILE ({settings.tls_cert_file}): {_reason(exc)}"
        ) from None
    return context


def client_context(settings: Settings) -> ssl.SSLContext:
    """The context for the upstream: verified against the system CAs (or a private CA file)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if settings.upstream_ca_file is not None:
        try:
            context.load_verify_locations(cafile=settings.upstream_ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise StartupError(
                f"cannot load MAILGUARD_UPSTREAM_CA_FILE ({settings.upstream_ca_file}): {_reason(exc)}"
            ) from None
    if not settings.upstream_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
