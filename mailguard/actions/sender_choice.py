"""The sender's own choice for an exposure hold (the page behind the link in their notice):
which ways of sending it they are offered, and the check that the chosen way ends the exposure.

Bcc and one copy each are offered only where the rules that held it can be satisfied by moving
recipients (not a list of addresses written in the message: it stays in every copy), and every
copy they would deliver passes the relay's own scan again, so a sender never sends what the
relay would hold.
Sending it as it is depends on `sender_override` in rules/exposure.yaml.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mailguard.actions.held_message import HeldMessage
from mailguard.actions.release.modes import Plan, ReleaseMode, ReleaseRefused, ReleaseRequest
from mailguard.envelope import Envelope
from mailguard.policy.rule_files import SenderOverride
from mailguard.policy.verdict import Action, Verdict
from mailguard.settings import TwoPersonRelease

FIXES = (ReleaseMode.BCC, ReleaseMode.SPLIT)  # the ways that may end an exposure
CHOICES = (*FIXES, ReleaseMode.AS_IS)
MAX_JUSTIFICATION = 2000

if TYPE_CHECKING:
    from mailguard.policy.engine import Policy

Planner = Callable[[bytes, list[str], ReleaseRequest], Awaitable[Plan]]
Scan = Callable[[Envelope, bytes], Awaitable[Verdict]]


class ChoiceRefused(ReleaseRefused):
    """The chosen way is not open to the sender; the message says why, in the sender's words."""


@dataclass(frozen=True, slots=True)
class Offer:
    fixes: tuple[ReleaseMode, ...]  # Bcc / one copy each, where that ends the exposure
    as_is: SenderOverride  # never, justify (with a written justification) or allow

    @property
    def modes(self) -> tuple[ReleaseMode, ...]:
        return self.fixes + ((ReleaseMode.AS_IS,) if self.as_is != "never" else ())


async def clean(held: HeldMessage, plan: Plan, scan: Scan | None) -> bool:
    """Every copy of `plan` passes the relay's scan (no scanner here: nothing can be shown clean)."""
    if scan is None or not plan.copies:
        return False
    for rcpts, data in plan.copies:
        verdict = await scan(Envelope(held.mail_from, tuple(rcpts)), data)
        if verdict.action is not Action.PASS:
            return False
    return True


async def _fixing_plan(held: HeldMessage, mode: ReleaseMode, planner: Planner, scan: Scan | None) -> Plan | None:
    try:
        plan = await planner(held.data, list(held.rcpt), ReleaseRequest(mode))
    except ReleaseRefused:  # e.g. nothing to move to Bcc
        return None
    return plan if await clean(held, plan, scan) else None


@dataclass(frozen=True, slots=True)
class Allowed:
    """What the rules that held the message allow its sender (Policy.sender_may_*)."""

    fix: bool  # moving recipients can end the exposure (not for a list written in the content)
    as_is: SenderOverride


def allowed_by(policy: Policy, rules: Sequence[str], two_person: TwoPersonRelease) -> Allowed:
    """What the rules allow, and never sending as it is where every release needs a second
    reviewer (MAILGUARD_TWO_PERSON_RELEASE=all): a sender alone must not do what one reviewer may not."""
    as_is = policy.sender_may_send_as_is(rules) if two_person is not TwoPersonRelease.ALL else "never"
    return Allowed(policy.sender_may_fix(rules), as_is)


async def offer(held: HeldMessage, allowed: Allowed, planner: Planner, scan: Scan | None) -> Offer:
    fixes = [m for m in FIXES if allowed.fix and await _fixing_plan(held, m, planner, scan) is not None]
    return Offer(tuple(fixes), allowed.as_is)


async def plan_choice(
    held: HeldMessage,
    mode: ReleaseMode,
    justification: str,
    allowed: Allowed,
    planner: Planner,
    scan: Scan | None,
) -> tuple[ReleaseRequest, Plan]:
    """The request and plan for the sender's choice; ChoiceRefused when it is not open to them."""
    justification = " ".join(justification.split())[:MAX_JUSTIFICATION]
    if mode is ReleaseMode.AS_IS:
        if allowed.as_is == "never":
            raise ChoiceRefused("Sending it as it is is not allowed for this message.")
        if allowed.as_is == "justify" and not justification:
            raise ChoiceRefused("Sending it as it is needs a written reason.")
        request = ReleaseRequest(mode, justification=justification)
        return request, await planner(held.data, list(held.rcpt), request)
    if mode not in FIXES:
        raise ChoiceRefused("That is not one of the choices.")
    plan = await _fixing_plan(held, mode, planner, scan) if allowed.fix else None
    if plan is None:
        raise ChoiceRefused("Sent that way, it would still show the recipients' addresses to each other.")
    return ReleaseRequest(mode, justification=justification), plan


def rule_names(held: HeldMessage) -> Sequence[str]:
    return [r.rule for r in held.reasons]
