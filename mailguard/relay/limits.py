"""Who may connect and relay: client networks, connection caps."""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def in_networks(ip: str, networks: Sequence[Network]) -> bool:
    """True when `ip` (v4, v6 or v4-mapped v6) lies in one of `networks`."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in net for net in networks)


class ConnectionLimiter:
    """Counts open connections, in total and per client address."""

    def __init__(self, max_total: int, max_per_client: int) -> None:
        self.max_total = max_total
        self.max_per_client = max_per_client
        self._per_client: Counter[str] = Counter()
        self.total = 0

    def admit(self, ip: str) -> bool:
        """Take a slot for `ip`; False (and nothing taken) when a cap is reached."""
        if self.total >= self.max_total or self._per_client[ip] >= self.max_per_client:
            return False
        self.total += 1
        self._per_client[ip] += 1
        return True

    def release(self, ip: str) -> None:
        self.total -= 1
        self._per_client[ip] -= 1
        if self._per_client[ip] <= 0:
            del self._per_client[ip]
