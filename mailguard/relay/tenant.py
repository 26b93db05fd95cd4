"""Exchange Online shares its sending addresses and its TLS certificate across every tenant, so
an address allow-list lets any Microsoft 365 tenant relay through us. On connections it applies
to, the gate requires what only our tenant's mail has:

- at MAIL FROM: a verified client certificate naming one of MAILGUARD_TLS_CLIENT_CERT_NAMES;
- at the end of DATA: `X-MS-Exchange-CrossTenant-Id` equal to one of MAILGUARD_EXO_TENANT_IDS,
  and no other tenant's id in another copy of that field.

It applies to clients in MAILGUARD_EXO_NETWORKS, or, when that is empty, to every client that
relays by address; authenticated clients are never subject to it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from mailguard.relay.tls import certificate_names, name_matches
from mailguard.settings import Settings

_END_OF_HEADERS = re.compile(rb"\r?\n\r?\n")
_TENANT = re.compile(rb"^x-ms-exchange-crosstenant-id[ \t]*:[ \t]*([^\r\n]*)", re.I | re.M)

REFUSED_CERTIFICATE = "550 5.7.1 Relaying requires the client certificate of an accepted tenant"
REFUSED_TENANT = "550 5.7.1 Relaying denied: message is not from an accepted tenant"


class TenantGate:
    def __init__(self, settings: Settings) -> None:
        self.cert_names = list(settings.tls_client_cert_names)
        self.tenant_ids = frozenset(settings.exo_tenant_ids)
        self.networks = [ipaddress.ip_network(n, strict=False) for n in settings.exo_networks]

    @property
    def active(self) -> bool:
        return bool(self.cert_names or self.tenant_ids)

    def applies(self, client_ip: str, authenticated: bool) -> bool:
        if not self.active or authenticated:
            return False
        if not self.networks:
            return True
        try:
            address = ipaddress.ip_address(client_ip)
        except ValueError:
            return True  # an address we cannot read is treated as Microsoft's: fail closed
        return any(address in net for net in self.networks)

    def mail_refusal(self, peercert: dict[str, Any] | None) -> str | None:
        """The reply refusing MAIL FROM, or None: the certificate check."""
        if not self.cert_names:
            return None
        presented = certificate_names(peercert)
        if any(name_matches(name, presented) for name in self.cert_names):
            return None
        return REFUSED_CERTIFICATE

    def data_refusal(self, data: bytes) -> str | None:
        """The reply refusing the message at end of DATA, or None: the tenant id check."""
        if not self.tenant_ids:
            return None
        end = _END_OF_HEADERS.search(data)
        head = data[: end.start()] if end else data
        ids = {m.group(1).strip().lower().decode("latin-1") for m in _TENANT.finditer(head)}
        if ids and ids <= self.tenant_ids:
            return None
        return REFUSED_TENANT
