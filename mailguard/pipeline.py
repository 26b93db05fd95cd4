"""The seams between the relay and what decides and disposes of a message.

The relay calls a `Decider` at end of DATA and, for hold and split verdicts, a `Disposer`;
`mailguard check` calls the same `Decider`, so a dry run is exactly what the relay would do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from mailguard.envelope import Envelope
from mailguard.policy.verdict import Verdict

if TYPE_CHECKING:
    from mailguard.actions.notice import NoticeKind


class Decider(Protocol):
    async def __call__(self, envelope: Envelope, data: bytes) -> Verdict: ...


class Disposer(Protocol):
    """Takes durable responsibility for mail the relay does not hand straight upstream."""

    async def hold(self, envelope: Envelope, data: bytes, verdict: Verdict) -> str:
        """Store in quarantine, committed and synced; return the item id. Raise on any failure."""
        ...

    async def stage(
        self, envelope: Envelope, copies: Sequence[tuple[Sequence[str], bytes]], verdict: Verdict
    ) -> str:
        """Durably queue copies (recipients, data) for delivery by the outbox; return a reference."""
        ...

    async def notify(
        self, kind: NoticeKind, envelope: Envelope, data: bytes, verdict: Verdict, reference: str = ""
    ) -> bool:
        """Queue a sender notice about mail that was delivered changed (rewritten); best effort."""
        ...


class Learner(Protocol):
    """Told what was actually delivered, so the misdirection guard learns which recipients each
    case has (quarantine/affinity). Both calls only queue: they never block or raise."""

    def delivered(self, case_keys: Sequence[str], recipients: Sequence[str], at: float | None = None) -> None:
        """The relay passed or rewrote a message about these cases to these recipients."""
        ...

    def released(self, item_id: str, recipients: Sequence[str]) -> None:
        """The outbox delivered a released quarantine item to these recipients."""
        ...

    async def run(self, stop: asyncio.Event, *, housekeeping: bool = True) -> None:
        """Write the queue to the store until `stop`; with `housekeeping`, retention too."""
        ...


async def pass_everything(envelope: Envelope, data: bytes) -> Verdict:
    """The decider when nothing is configured: every message passes."""
    return Verdict.passed()
