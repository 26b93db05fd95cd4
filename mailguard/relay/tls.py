"""TLS contexts: inbound STARTTLS (our certificate) and outbound (verifying the upstream's)."""

from __future__ import annotations

import ssl
from typing import Any

from mailguard.settings import Settings
from mailguard.upstream.client_tls import load_tls_file


def server_context(settings: Settings) -> ssl.SSLContext | None:
    """The inbound STARTTLS context, or None when no certificate is configured."""
    if settings.tls_cert_file is None or settings.tls_key_file is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    cert, key = settings.tls_cert_file, settings.tls_key_file
    load_tls_file("MAILGUARD_TLS_CERT_FILE/KEY_FILE", cert, lambda: context.load_cert_chain(cert, key))
    if settings.tls_client_cert_names:
        # Ask for a client certificate (Exchange Online presents one); a client without one may
        # still connect, and the tenant gate decides. A certificate that does not verify fails
        # the handshake.
        context.verify_mode = ssl.CERT_OPTIONAL
        if (ca_file := settings.tls_client_ca_file) is not None:
            trust = lambda: context.load_verify_locations(cafile=ca_file)  # noqa: E731
            load_tls_file("MAILGUARD_TLS_CLIENT_CA_FILE", ca_file, trust)
    return context


def certificate_names(peercert: dict[str, Any] | None) -> set[str]:
    """The DNS names a verified peer certificate carries: subjectAltName DNS entries, else its
    subject common names (lower case)."""
    if not peercert:
        return set()
    names = {value.lower() for kind, value in peercert.get("subjectAltName", ()) if kind == "DNS"}
    if not names:
        names = {value.lower() for rdn in peercert.get("subject", ()) for key, value in rdn if key == "commonName"}
    return names


def name_matches(wanted: str, presented: set[str]) -> bool:
    """RFC 6125: exact, or a certificate wildcard in the left-most label only."""
    wanted = wanted.lower().rstrip(".")
    if wanted in presented:
        return True
    _, dot, parent = wanted.partition(".")
    return bool(dot) and f"*.{parent}" in presented
