"""The misdirection rule: mail about a case going to an outside recipient the case has never
had, once the case has an established set of recipients (rules/cases.yaml)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Protocol

from mailguard import metrics
from mailguard.detect.cases import CaseKey, external_recipients, written_forms
from mailguard.policy.rule_files import MisdirectionRuleModel
from mailguard.policy.rules import MAX_REASONS_PER_RULE, Rule
from mailguard.policy.scan_context import ScanContext
from mailguard.policy.verdict import Action, Reason

log = logging.getLogger(__name__)

_KIND_WORDS = {"register": "register rows", "reference": "case references"}


class HistoryLike(Protocol):
    """What the rule needs to know about one case (quarantine.affinity.table.CaseHistory)."""

    messages: int
    known: set[str]
    known_organisations: set[str]
    others: list[str]
    other_count: int

    def days(self) -> float: ...


class AffinityLookup(Protocol):
    """The store's answer for one message's case keys and external recipients (None: no answer)."""

    def examine(
        self, case_keys: Sequence[str], recipients: Mapping[str, str | None]
    ) -> Mapping[str, HistoryLike] | None: ...

    @property
    def answers_in_thread(self) -> bool:
        """Whether `examine` answers in the calling thread (SQLite); otherwise it waits for the
        event loop (PostgreSQL's async driver), so it must never be called on the loop."""
        ...


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}es" if word.endswith("s") else f"{n} {word}s"


class MisdirectedRecipientRule(Rule):
    detector = "misdirection"

    def __init__(
        self,
        model: MisdirectionRuleModel,
        action: Action,
        *,
        min_messages: int,
        min_days: float,
        observe: bool,
    ) -> None:
        super().__init__(model, action)
        self.per_kind = {kind: Action(a) for kind, a in model.kinds.items()}
        self.min_messages = model.min_messages or min_messages
        self.min_days = model.min_days if model.min_days is not None else min_days
        self.observe = observe

    def check(self, ctx: ScanContext) -> list[Reason]:
        keys = [k for k in ctx.case_keys if self._action(k) is not Action.PASS]
        if not keys or ctx.affinity is None:
            return []
        external = external_recipients(ctx.organisation, self.recipients(ctx))
        if not external:
            return []
        histories = ctx.affinity.examine([k.digest for k in keys], external)
        if not histories:
            return []
        # A message naming one case two ways (its reference and its register row) goes to a
        # recipient that either way has had: known to any of the message's cases is known.
        known = {
            r
            for h in histories.values()
            for r, org in external.items()
            if r in h.known or (org is not None and org in h.known_organisations)
        }
        new = [r for r in external if r not in known]
        if not new:
            return []
        written = written_forms(self.recipients(ctx))
        # A case named another way in earlier mail (its register row beside its reference) is
        # established when either name is.
        own = {k.digest for k in keys}
        linked = any(self.established(h) for digest, h in histories.items() if digest not in own)
        reasons = [
            self._reason(key, [written.get(r, r) for r in new], history)
            for key in keys
            if (history := histories.get(key.digest)) is not None and (linked or self.established(history))
        ][:MAX_REASONS_PER_RULE]
        if not reasons:
            return []
        metrics.AFFINITY_WOULD_HOLD.labels(rule=self.name).inc()  # once per message
        if self.observe:  # cold start: counted and logged (ids only, by the relay), never held
            log.info(
                "misdirection guard observing: would %s a message about %d case(s)",
                reasons[0].action.value,
                len(reasons),
            )
            return []
        return reasons

    def established(self, history: HistoryLike) -> bool:
        return history.messages >= self.min_messages and history.days() >= self.min_days

    def _action(self, key: CaseKey) -> Action:
        return self.per_kind.get(key.kind, self.action)  # type: ignore[call-overload]

    def _reason(self, key: CaseKey, new: list[str], history: HistoryLike) -> Reason:
        more = f" and {len(new) - 3} more" if len(new) > 3 else ""
        detail = (
            f"case {key.label}: first mail to {', '.join(new[:3])}{more}; earlier mail about this case "
            f"went to {_plural(history.other_count, 'other external address')}"
        )
        note = ""
        if history.others:  # reviewers only: never in a notice to the sender
            rest = history.other_count - len(history.others)
            note = "earlier recipients: " + ", ".join(history.others) + (f" and {rest} more" if rest > 0 else "")
        return self.reason(detail, action=self._action(key), reviewer_note=note)

    def parameters(self) -> list[str]:
        lines = [
            f"fires when a case has {self.min_messages} or more delivered messages over "
            f"{self.min_days:g} or more days and an external recipient (and its organisation) is new to it"
        ]
        lines += [f"{_KIND_WORDS.get(k, k)}: {a.value}" for k, a in sorted(self.per_kind.items())]
        if self.observe:
            lines.append("observing only (observe: true): counts would-be holds, holds nothing")
        return lines
