"""The misdirection guard's memory: which outside recipients each case has had mail delivered
to (keyed hashes only), learnt from delivered mail and read by the `misdirected-recipient` rule."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from mailguard.organisation.organisation import Organisation
from mailguard.quarantine.affinity.keyring import KeyringError, keyring_from_settings
from mailguard.quarantine.affinity.service import AffinityService
from mailguard.quarantine.affinity.table import AffinityStore, CaseHistory, Delivery

if TYPE_CHECKING:
    from mailguard.quarantine.store import QuarantineStore

__all__ = ["AffinityService", "AffinityStore", "CaseHistory", "Delivery", "KeyringError", "open_affinity"]


def open_affinity(store: QuarantineStore, classifier: Callable[[], Organisation]) -> AffinityService:
    """The guard's link to an open quarantine store, bound to the running loop (call from it).
    KeyringError when the secret cannot be read or created."""
    settings = store.settings
    service = AffinityService(
        AffinityStore(store, keyring_from_settings(settings)),
        classifier,
        retention_days=settings.affinity_retention_days,
        clock=store.clock,
    )
    service.bind(asyncio.get_running_loop())
    return service
