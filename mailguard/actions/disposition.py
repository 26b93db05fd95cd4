"""One disposition component: a verdict and a message become an `Outcome` -- deliver these
bytes to these recipients, deliver these copies, hold for review, or refuse. The relay carries
an Outcome out over its one upstream transaction; `mailguard check` prints the same Outcome, so
a dry run shows rewrites and splits exactly as they would be sent.

Every copy mailguard changed (rewrite, split) is DKIM-signed here when a signer is set.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from mailguard.actions.dkim import DkimSigner, sign_change
from mailguard.actions.rewrite import REWRITTEN_HEADER, rewrite_to_bcc
from mailguard.actions.split import SplitError, split_copies
from mailguard.envelope import Envelope
from mailguard.organisation.organisation import Organisation
from mailguard.policy.verdict import Action, Verdict

log = logging.getLogger(__name__)


class Disposition(StrEnum):
    DELIVER = "deliver"  # one copy to every envelope recipient (as sent, or rewritten)
    COPIES = "copies"  # several copies, each to its own recipients (a split), via the outbox
    HOLD = "hold"  # into quarantine for review
    REFUSE = "refuse"  # not accepted: rejected by policy, or a temporary failure


@dataclass(frozen=True, slots=True)
class Delivery:
    recipients: tuple[str, ...]
    data: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    disposition: Disposition
    deliveries: tuple[Delivery, ...] = ()  # DELIVER: exactly one; COPIES: one per copy
    rewritten: bool = False  # DELIVER: mailguard moved recipients to Bcc (the sender is told)
    permanent: bool = False  # REFUSE: 5xx (policy) rather than 4xx (try again)
    why: str = ""  # plain words for logs and `check`: never addresses or content

    def describe(self) -> list[str]:
        """Who gets what, for `mailguard check`."""
        if self.disposition is Disposition.HOLD:
            return ["held for review: nothing is delivered until a reviewer releases it"]
        if self.disposition is Disposition.REFUSE:
            return [f"refused ({'5xx' if self.permanent else '4xx, the client retries'}): {self.why}"]
        lines = []
        for n, copy in enumerate(self.deliveries, 1):
            label = "delivered" if self.disposition is Disposition.DELIVER else f"copy {n}"
            shown = _shown_note(copy.data)
            lines.append(f"{label} to {', '.join(copy.recipients) or '(no recipients)'}{shown}")
        return lines


def _shown_note(data: bytes) -> str:
    head = data.partition(b"\r\n\r\n")[0]
    for line in head.split(b"\r\n"):
        if line.lower().startswith(REWRITTEN_HEADER.lower().encode() + b":"):
            return f" ({line.partition(b':')[2].strip().decode('ascii', 'replace')})"
    return ""


def dispose(
    envelope: Envelope,
    data: bytes,
    verdict: Verdict,
    organisation: Organisation,
    *,
    observe_only: bool = False,
    dkim: DkimSigner | None = None,
) -> Outcome:
    """The Outcome of `verdict` for `data` (no I/O). A change that cannot be made safely is a
    hold (split) or a temporary refusal (rewrite), never the unchanged message."""
    rcpts = tuple(envelope.rcpt_tos)
    action = Action.PASS if observe_only else verdict.action
    # The policy sets `split` only when every hold-level reason can be resolved by one copy per
    # recipient (an invite's attendee list), so a split hold is delivered as copies, not held.
    if action in (Action.REWRITE, Action.HOLD) and verdict.split:
        try:
            copies = split_copies(data, envelope, organisation.is_internal)
            signed = [Delivery(tuple(r), sign_change(dkim, data, copy, body=True)) for r, copy in copies]
        except SplitError as exc:  # a structure we can't prune safely: a reviewer decides instead
            return Outcome(Disposition.HOLD, why=f"cannot split ({exc})")
        except Exception as exc:
            log.error("split failed (%s)", type(exc).__name__, exc_info=exc)
            return Outcome(Disposition.REFUSE, why="the split failed")
        return Outcome(Disposition.COPIES, tuple(signed), why="one copy per recipient")
    if action is Action.PASS:
        return Outcome(Disposition.DELIVER, (Delivery(rcpts, data),), why="unchanged")
    if action is Action.REWRITE:
        try:
            hidden = sign_change(dkim, data, rewrite_to_bcc(data, organisation.is_internal))
        except Exception as exc:
            log.error("rewrite failed (%s)", type(exc).__name__, exc_info=exc)
            return Outcome(Disposition.REFUSE, why="the rewrite failed")
        return Outcome(Disposition.DELIVER, (Delivery(rcpts, hidden),), rewritten=True, why="To/Cc moved to Bcc")
    if action is Action.HOLD:
        return Outcome(Disposition.HOLD, why="held by policy")
    if action is Action.REJECT:
        return Outcome(Disposition.REFUSE, permanent=True, why="refused by policy")
    return Outcome(Disposition.REFUSE, why="temporary failure")


def recipients_of(deliveries: Sequence[Delivery]) -> list[str]:
    return [r for d in deliveries for r in d.recipients]
