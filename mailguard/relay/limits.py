"""Who may connect and relay, and how much: client networks, connection caps, the in-flight byte budget."""

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


class ByteBudget:
    """Message bytes held in memory by all sessions of one relay process (`max_inflight_bytes`).

    A transaction takes its share through a `Reservation` while its DATA is read and keeps it
    until the end-of-data work is over. 0 means no limit. A transaction alone may always take
    what it needs (within the message size limit), so a budget smaller than one message slows
    the relay down to one such message at a time but never refuses a message forever.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0

    def take(self, amount: int, held: int = 0) -> bool:
        """Take `amount` more for a transaction that already holds `held`; False when it does
        not fit and other transactions hold some of the budget."""
        others = self.used - held
        if self.capacity and others and self.used + amount > self.capacity:
            return False
        self.used += amount
        return True

    def give_back(self, amount: int) -> None:
        self.used -= amount

    def reservation(self) -> Reservation:
        return Reservation(self)


class Reservation:
    """One transaction's share of a `ByteBudget`; `release()` is idempotent."""

    def __init__(self, budget: ByteBudget) -> None:
        self._budget = budget
        self.held = 0

    def grow_to(self, total: int) -> bool:
        """Hold at least `total` bytes; False (and nothing more taken) when the budget is spent."""
        extra = total - self.held
        if extra <= 0:
            return True
        if not self._budget.take(extra, self.held):
            return False
        self.held = total
        return True

    def release(self) -> None:
        held, self.held = self.held, 0
        if held:
            self._budget.give_back(held)
