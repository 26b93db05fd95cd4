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
    """Counts open connections, in total and per client address, in two classes.

    Insiders (clients in MAILGUARD_CLIENT_NETWORKS, and anyone once authenticated) may use every
    slot. Outsiders (hosts that may not relay until they authenticate) share a small pool of
    their own (`max_outsiders`, at most half of `max_total`; `outsider_per_client` each), so
    however many of them connect, `max_total - max_outsiders` slots always stay for the clients the relay serves:
    the idea of Postfix's postscreen, which keeps zombies away from the real smtpd processes.
    """

    def __init__(
        self, max_total: int, max_per_client: int, max_outsiders: int | None = None, outsider_per_client: int = 5
    ) -> None:
        self.max_total = max_total
        self.max_per_client = max_per_client
        # never more than half of all slots, whatever the settings say: the rest are the clients'
        self.max_outsiders = max(1, min(max_outsiders or max_total, max_total // 2))
        self.outsider_per_client = min(max_per_client, outsider_per_client)
        self._per_client: Counter[str] = Counter()
        self._outsiders_per_client: Counter[str] = Counter()
        self.total = 0
        self.outsiders = 0

    def admit(self, ip: str, outsider: bool = False) -> bool:
        """Take a slot for `ip`; False (and nothing taken) when a cap is reached."""
        if self.total >= self.max_total or self._per_client[ip] >= self.max_per_client:
            return False
        if outsider:
            if self.outsiders >= self.max_outsiders or self._outsiders_per_client[ip] >= self.outsider_per_client:
                return False
            self.outsiders += 1
            self._outsiders_per_client[ip] += 1
        self.total += 1
        self._per_client[ip] += 1
        return True

    def promote(self, ip: str) -> None:
        """An outsider authenticated: its slot moves to the shared pool."""
        self._leave_outsiders(ip)

    def release(self, ip: str, outsider: bool = False) -> None:
        self.total -= 1
        self._per_client[ip] -= 1
        if self._per_client[ip] <= 0:
            del self._per_client[ip]
        if outsider:
            self._leave_outsiders(ip)

    def _leave_outsiders(self, ip: str) -> None:
        self.outsiders -= 1
        self._outsiders_per_client[ip] -= 1
        if self._outsiders_per_client[ip] <= 0:
            del self._outsiders_per_client[ip]


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

    @property
    def spent(self) -> bool:
        """Nothing left for a new transaction (which reserves only as its bytes arrive)."""
        return bool(self.capacity) and self.used >= self.capacity

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
