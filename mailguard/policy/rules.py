"""The rules: each a small named class with a description, a scope and one `check` that
returns the reasons it fires for (empty: it does not fire). Built from the rule-file models."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace

from mailguard.detect import unscannable
from mailguard.detect.exposure import HEADERS, Visibility, detect_exposure
from mailguard.organisation.patterns import AddressPatterns
from mailguard.policy.rule_files import (
    Audience,
    ExposureRuleModel,
    ProtectedRuleModel,
    RuleModel,
    SenderOverride,
    UnscannableRuleModel,
)
from mailguard.policy.scan_context import ScanContext
from mailguard.policy.verdict import Action, Reason

MAX_REASONS_PER_RULE = 20  # a spreadsheet of mentions must not become thousands of reasons


class Rule(ABC):
    detector: str = ""

    def __init__(self, model: RuleModel, action: Action) -> None:
        self.name = model.name
        self.description = model.description
        self.action = action
        self.split = False
        self._senders = AddressPatterns(model.senders)
        self._recipients = AddressPatterns(model.recipients)

    def recipients(self, ctx: ScanContext) -> tuple[str, ...]:
        """The envelope recipients this rule considers (its recipient scope)."""
        if not self._recipients:
            return ctx.recipients
        return tuple(r for r in ctx.recipients if self._recipients.match(r))

    def applies(self, ctx: ScanContext) -> bool:
        return not self._senders or self._senders.match(ctx.sender)

    @abstractmethod
    def check(self, ctx: ScanContext) -> list[Reason]: ...

    def describe(self) -> list[str]:
        """Plain lines for `mailguard rules check`."""
        lines = [f"{self.name} [{self.detector}] -> {self.action.value}" + (" (or split)" if self.split else "")]
        if self.description:
            lines.append(f"  {self.description}")
        if self._senders:
            lines.append(f"  only mail from: {self._describe_patterns(self._senders)}")
        if self._recipients:
            lines.append(f"  only recipients: {self._describe_patterns(self._recipients)}")
        return lines + [f"  {line}" for line in self.parameters()]

    def parameters(self) -> list[str]:
        return []

    @staticmethod
    def _describe_patterns(patterns: AddressPatterns) -> str:
        items = sorted(patterns.addresses) + [f"@{d}" for d in sorted(patterns.domains)] + patterns.globs
        return ", ".join(items)

    def reason(self, detail: str, action: Action | None = None, **extra: object) -> Reason:
        return Reason(rule=self.name, detector=self.detector, detail=detail, action=action or self.action, **extra)  # type: ignore[arg-type]


_OVERRIDE_WORDS = {"never": "never", "justify": "with a written justification", "allow": "yes"}


class ExposureRule(Rule):
    """Members of the public visible to each other, or a mass mailing to many organisations."""

    detector = "exposure"

    def __init__(
        self,
        model: ExposureRuleModel,
        action: Action,
        threshold: int,
        org_threshold: int,
        sender_override: SenderOverride = "justify",
    ) -> None:
        super().__init__(model, action)
        self.sender_override: SenderOverride = model.sender_override or sender_override
        self.visible = tuple(model.visible)
        # Bcc or one copy each hides recipients; an address list written in the content stays
        self.recipient_fixable = Visibility.LISTED not in self.visible
        self.threshold = threshold
        self.org_threshold = org_threshold
        self.count_recipient = model.count_recipient
        self.min_external_recipients = model.min_external_recipients
        self.split = model.split
        self.ignore_roles = model.ignore_role_addresses

    def check(self, ctx: ScanContext) -> list[Reason]:
        outside = {r: p for r in self.recipients(ctx) if (p := ctx.organisation.party(r)) is not None}
        parties = set(outside.values())
        if len(parties) < self.min_external_recipients:
            return []  # nobody outside receives it: nothing is exposed to anyone
        found = detect_exposure(
            ctx.content.addresses,
            ctx.organisation,
            self.visible,
            self.threshold,
            self.org_threshold,
            recipient_parties=sorted(parties),
            count_recipient=self.count_recipient,
            ignore_roles=self.ignore_roles,
        )
        if found is None:
            return []
        found = replace(found, recipient_addresses=tuple(outside))
        return [self.reason(found.describe(recipients=parties))]

    def parameters(self) -> list[str]:
        where = ", ".join(v.value for v in self.visible)
        lines = [
            f"fires at {self.threshold} or more members of the public (each consumer mailbox a person), "
            f"or {self.org_threshold} or more organisations, visible together in: {where}",
            "professionals working together, with or without one member of the public, do not fire it",
        ]
        if self.count_recipient:
            lines.append("each external recipient counts itself among the parties it is shown")
        if self.ignore_roles:
            lines.append("shared mailboxes (info@, help@, enquiries@, ...) do not count")
        if self.min_external_recipients > 1:
            lines.append(f"only when sent to {self.min_external_recipients} or more external parties")
        if self.action.strength >= Action.HOLD.strength:
            as_is = _OVERRIDE_WORDS[self.sender_override]
            fixes = (
                "Bcc or one copy each where that ends the exposure" if self.recipient_fixable else "no Bcc or copies"
            )
            lines.append(f"sender's link: {fixes}; as it is: {as_is}")
        if set(self.visible) <= HEADERS and self.action is Action.REWRITE:
            lines.append("rewrite: To/Cc recipients are moved to Bcc")
        return lines


def _audience(
    ctx: ScanContext, audience: Audience, recipients: tuple[str, ...], flagged: Callable[[str], bool]
) -> list[str]:
    if audience == "anyone":
        return list(recipients)
    if audience == "external":
        return [r for r in recipients if ctx.is_external(r) or flagged(r)]
    return [r for r in recipients if flagged(r)]


def _audience_words(audience: Audience) -> str:
    return {"flagged": "flagged recipient", "external": "external recipient", "anyone": "recipient"}[audience]


class ProtectedRule(Rule):
    """A protected person's address, phone or email going to someone who must not have it."""

    detector = "protected"

    def __init__(self, model: ProtectedRuleModel, action: Action) -> None:
        super().__init__(model, action)
        self.when_sent_to: Audience = model.when_sent_to
        self.kinds = frozenset(model.kinds)
        self.min_score = model.min_score

    def check(self, ctx: ScanContext) -> list[Reason]:
        reasons: list[Reason] = []
        done: set[str] = set()
        scope = self.recipients(ctx)
        for mention in ctx.mentions:  # best first within each register row
            if mention.register_id in done or mention.kind not in self.kinds or mention.score < self.min_score:
                continue
            targets = _audience(
                ctx, self.when_sent_to, scope, lambda r, rid=mention.register_id: ctx.is_flagged_for(rid, r)
            )
            if not targets:
                continue
            done.add(mention.register_id)
            detail = (
                f"{mention.label} of a protected person in {mention.snippet.where}, "
                f"sent to {_audience_words(self.when_sent_to)} {', '.join(targets[:3])}"
                + (f" and {len(targets) - 3} more" if len(targets) > 3 else "")
            )
            reasons.append(self.reason(detail, register_id=mention.register_id, snippet=mention.snippet))
            if len(reasons) >= MAX_REASONS_PER_RULE:
                break
        return reasons

    def parameters(self) -> list[str]:
        lines = [
            f"when sent to: {_audience_words(self.when_sent_to)}s"
            + (" (for that person, or on the global flagged list)" if self.when_sent_to == "flagged" else "")
        ]
        lines.append(f"matches: {', '.join(sorted(self.kinds))}")
        if self.min_score:
            lines.append(f"minimum match score: {self.min_score}")
        return lines


class UnscannableRule(Rule):
    """Parts we could not read cannot be cleared: fail closed for the recipients that matter."""

    detector = "unscannable"

    def __init__(self, model: UnscannableRuleModel, action: Action) -> None:
        super().__init__(model, action)
        self.when_sent_to: Audience = model.when_sent_to
        self.per_reason = {reason: Action(a) for reason, a in model.reasons.items()}

    def check(self, ctx: ScanContext) -> list[Reason]:
        if not ctx.content.unscanned:
            return []
        targets = _audience(ctx, self.when_sent_to, self.recipients(ctx), ctx.is_flagged)
        if not targets:
            return []
        reasons = []
        for why, parts in unscannable.by_reason(ctx.content.unscanned).items():
            action = self.per_reason.get(why, self.action)
            if action is Action.PASS:
                continue
            detail = f"{unscannable.describe(why, parts)}; sent to {_audience_words(self.when_sent_to)} " + ", ".join(
                targets[:3]
            )
            reasons.append(self.reason(detail, action=action))
        return reasons

    def parameters(self) -> list[str]:
        lines = [f"when sent to: {_audience_words(self.when_sent_to)}s"]
        lines += [f"{reason.value}: {action.value}" for reason, action in sorted(self.per_reason.items())]
        return lines
