"""What the policy decides for one message: the action and every reason for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mailguard.message.model import Attachment, Snippet, Unscanned


class Action(StrEnum):
    PASS = "pass"
    REWRITE = "rewrite"
    HOLD = "hold"
    REJECT = "reject"
    TEMPFAIL = "tempfail"  # we could not decide (store down, internal error): 4xx, client retries

    @property
    def strength(self) -> int:
        return _STRENGTH[self]


_STRENGTH = {Action.PASS: 0, Action.REWRITE: 1, Action.HOLD: 2, Action.REJECT: 3, Action.TEMPFAIL: 4}


def strongest(actions: list[Action]) -> Action:
    return max(actions, key=lambda a: a.strength, default=Action.PASS)


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str  # the rule's name in rules/*.yaml
    detector: str  # exposure | protected | unscannable | …
    detail: str  # plain words, no register data beyond the matched text
    register_id: str | None = None
    snippet: Snippet | None = None
    action: Action = Action.PASS  # what this rule asked for
    reviewer_note: str = ""  # for reviewers only, never in a sender notice (misdirection: earlier recipients)

    def record(self) -> dict[str, Any]:
        """Every field, as the quarantine stores it: the one serialised form of a Reason."""
        out: dict[str, Any] = {
            "rule": self.rule,
            "detector": self.detector,
            "detail": self.detail,
            "action": self.action.value,
        }
        if self.register_id:
            out["register_id"] = self.register_id
        if self.reviewer_note:
            out["reviewer_note"] = self.reviewer_note
        if self.snippet:
            s = self.snippet
            out["snippet"] = {"where": s.where, "before": s.before, "match": s.match, "after": s.after}
        return out

    def as_json(self) -> dict[str, object]:
        """`mailguard check --json`: the public fields, and where the match is and what it is."""
        out = public_reason(self.record())
        if self.snippet:
            out["where"] = self.snippet.where
            out["match"] = self.snippet.match
        return out


def public_reason(record: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a reason record (`Reason.record`, live or stored) that lists and `check`
    show: rule, detector, detail and the register id."""
    out = {k: record[k] for k in ("rule", "detector", "detail") if k in record}
    if record.get("register_id"):
        out["register_id"] = record["register_id"]
    return out


def reason_line(record: Mapping[str, Any]) -> str:
    """One reason as a line of text: `rule: detail`."""
    return f"{record['rule']}: {record['detail']}"


@dataclass(slots=True)
class Verdict:
    action: Action
    reasons: list[Reason] = field(default_factory=list)
    unscanned: list[Unscanned] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    split: bool = False  # deliver one copy per external recipient (invites, exposed lists)
    subject: str = ""
    message_id: str = ""
    scan_seconds: float = 0.0
    case_keys: tuple[str, ...] = ()  # keyed hashes of the cases it is about (misdirection guard)

    @classmethod
    def passed(cls) -> Verdict:
        return cls(Action.PASS)

    def as_json(self) -> dict[str, object]:
        return {
            "verdict": self.action.value,
            "reasons": [r.as_json() for r in self.reasons],
            "unscanned": [{"where": u.where, "reason": u.reason.value} for u in self.unscanned],
        }
