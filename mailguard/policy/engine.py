"""The policy: rule files plus environment settings, turned into rules; and the decision for
one message (the strongest action of all rules that fired; every reason recorded)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mailguard.detect.cases import CaseFinder, CasePattern
from mailguard.organisation.organisation import Organisation
from mailguard.organisation.patterns import AddressPatterns
from mailguard.policy.loader import RuleFiles, load_rule_files
from mailguard.policy.rule_files import SENDER_OVERRIDES, SenderOverride
from mailguard.policy.rules import ExposureRule, ProtectedRule, Rule, UnscannableRule
from mailguard.policy.scan_context import ScanContext
from mailguard.policy.verdict import Action, Reason, strongest
from mailguard.settings import Settings


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reasons: list[Reason]
    split: bool = False  # the hold can be resolved by one copy per recipient


@dataclass
class Policy:
    rules: list[Rule]
    organisation: Organisation
    flagged: AddressPatterns
    split_invites: bool = False
    from_environment: dict[str, str] = field(default_factory=dict)  # setting -> value that won
    files_read: tuple[str, ...] = ()
    disabled: list[str] = field(default_factory=list)
    cases: CaseFinder | None = None  # misdirection guard: None when cases.yaml has no rule on
    sender_override: SenderOverride = "justify"  # exposure.yaml's, for rules no longer in it

    @classmethod
    def build(cls, files: RuleFiles, settings: Settings) -> Policy:
        explicit = settings.model_fields_set  # only what the environment/.env really set wins
        env: dict[str, str] = {}

        def wins(name: str, file_value: object) -> object:
            if name in explicit:
                value = getattr(settings, name)
                env[name] = ",".join(value) if isinstance(value, list) else str(getattr(value, "value", value))
                return value
            return file_value

        org, exp = files.organisation, files.exposure
        internal = list(wins("internal_domains", org.internal_domains))  # type: ignore[call-overload]
        consumer = list(dict.fromkeys([*org.consumer_domains, *settings.consumer_domains]))
        threshold = int(wins("exposure_threshold", exp.threshold))  # type: ignore[call-overload]
        org_threshold = int(wins("exposure_org_threshold", exp.org_threshold))  # type: ignore[call-overload]
        exposure_action = Action(str(getattr(a := wins("exposure_action", exp.action), "value", a)))
        split = bool(wins("split_invites", exp.split_invites))

        rules: list[Rule] = []
        disabled: list[str] = []
        for model in exp.rules:
            if model.enabled:
                own = model.threshold if "exposure_threshold" not in explicit else None
                own_org = model.org_threshold if "exposure_org_threshold" not in explicit else None
                action = Action(model.action) if model.action else exposure_action
                rules.append(
                    ExposureRule(model, action, own or threshold, own_org or org_threshold, exp.sender_override)
                )
            else:
                disabled.append(model.name)
        for pmodel in files.protected.rules:
            if pmodel.enabled:
                rules.append(ProtectedRule(pmodel, Action(pmodel.action or files.protected.action)))
            else:
                disabled.append(pmodel.name)
        for umodel in files.unscannable.rules:
            if umodel.enabled:
                rules.append(UnscannableRule(umodel, Action(umodel.action or files.unscannable.action)))
            else:
                disabled.append(umodel.name)
        organisation = Organisation.of(internal, consumer, org.professional_domains, org.subaddress_domains)
        cases = _add_misdirection(files, settings, rules, disabled)
        return cls(
            rules=rules,
            organisation=organisation,
            flagged=AddressPatterns(org.flagged_recipients, organisation.subaddress_domains),
            split_invites=split,
            from_environment=env,
            files_read=files.read,
            disabled=disabled,
            cases=cases,
            sender_override=exp.sender_override,
        )

    def decide(self, ctx: ScanContext) -> Decision:
        reasons: list[Reason] = []
        splittable: set[str] = set()
        for rule in self.rules:
            if not rule.applies(ctx):
                continue
            fired = rule.check(ctx)
            reasons.extend(fired)
            if fired and rule.split:
                splittable.add(rule.name)
        action = strongest([r.action for r in reasons])
        split = (
            self.split_invites
            and action is Action.HOLD
            and all(r.rule in splittable for r in reasons if r.action.strength >= Action.HOLD.strength)
        )
        return Decision(action, reasons, split)

    def sender_may_fix(self, rules: Iterable[str]) -> bool:
        """Whether moving recipients (Bcc, one copy each) can end an exposure held by these
        rules: not when one of them counts addresses written in the content (a list stays in
        every copy), nor for a rule gone from the files."""
        by_name = {r.name: r.recipient_fixable for r in self.rules if isinstance(r, ExposureRule)}
        return all(by_name.get(name, False) for name in rules)

    def sender_may_send_as_is(self, rules: Iterable[str]) -> SenderOverride:
        """Whether the sender of a hold for these exposure rules may send it as it is: the
        strictest of their `sender_override` (a rule gone from the files counts as the file's)."""
        by_name = {r.name: r.sender_override for r in self.rules if isinstance(r, ExposureRule)}
        found = {by_name.get(name, self.sender_override) for name in rules} or {self.sender_override}
        return next(o for o in SENDER_OVERRIDES if o in found)

    def describe(self) -> list[str]:
        """The effective policy in plain lines (`mailguard rules check`)."""
        lines = ["organisation:", *self.organisation.describe()]
        lines.append(f"  globally flagged recipients: {len(self.flagged)}")
        lines.append(f"  split invites and lists per recipient: {'yes' if self.split_invites else 'no'}")
        lines.append("rules:")
        for rule in self.rules:
            lines += [f"  {line}" for line in rule.describe()]
        if self.disabled:
            lines.append(f"disabled: {', '.join(self.disabled)}")
        if self.from_environment:
            lines.append("set by the environment (wins over the files):")
            lines += [f"  MAILGUARD_{k.upper()}={v}" for k, v in sorted(self.from_environment.items())]
        return lines


def _add_misdirection(
    files: RuleFiles, settings: Settings, rules: list[Rule], disabled: list[str]
) -> CaseFinder | None:
    """Add the misdirection rules of cases.yaml to `rules` (the switched-off ones to `disabled`);
    return the finder of the case keys they and learning use, None when every one is off."""
    from mailguard.policy.misdirection import MisdirectedRecipientRule
    from mailguard.quarantine.affinity.keyring import LazyKeyring

    cases = files.cases
    enabled = [m for m in cases.rules if m.enabled]
    disabled.extend(m.name for m in cases.rules if not m.enabled)
    for model in enabled:
        rules.append(
            MisdirectedRecipientRule(
                model,
                Action(model.action or cases.action),
                min_messages=settings.affinity_min_messages,
                min_days=settings.affinity_min_days,
                observe=cases.observe,
            )
        )
    if not enabled:
        return None
    patterns = [CasePattern.compile(p.name, p.regex, p.ignore_case) for p in cases.patterns]
    return CaseFinder(patterns, cases.register_rows, LazyKeyring(settings).case)


def load_policy(settings: Settings, rules_dir: Path | None = None) -> Policy:
    """Read the rule files and apply the environment. A missing default `./rules` means the
    built-in defaults; a directory that was asked for must exist."""
    directory = rules_dir if rules_dir is not None else settings.rules_dir
    must_exist = rules_dir is not None or "rules_dir" in settings.model_fields_set
    return Policy.build(load_rule_files(directory, must_exist=must_exist), settings)
