"""The rule files, as pydantic models. Every field has the shipped default, so a missing file
(or key) means the documented default; unknown keys are errors (a typo must not pass silently)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mailguard.detect.exposure import Visibility
from mailguard.message.model import UnscannedReason

RuleAction = Literal["pass", "rewrite", "hold", "reject"]
# May the sender of an exposure hold send it as it is, from the link in their notice?
SenderOverride = Literal["never", "justify", "allow"]
SENDER_OVERRIDES: tuple[SenderOverride, ...] = ("never", "justify", "allow")  # strictest first
Audience = Literal["flagged", "external", "anyone"]
NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


def _check_patterns(values: list[str]) -> list[str]:
    out = []
    for value in values:
        value = value.strip().lower()
        if "@" not in value:
            raise ValueError(f"{value!r} is neither an address nor an @domain")
        out.append(value)
    return out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleModel(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    enabled: bool = True
    action: RuleAction | None = None  # None: the file's default action
    senders: list[str] = []  # only mail from these (addresses, @domains, globs); empty: everyone
    recipients: list[str] = []  # only these envelope recipients count; empty: all

    _patterns = field_validator("senders", "recipients")(_check_patterns)


class ExposureRuleModel(RuleModel):
    visible: list[Visibility] = [Visibility.TO, Visibility.CC]
    threshold: int | None = Field(None, ge=1)  # None: the file's threshold (members of the public)
    org_threshold: int | None = Field(None, ge=1)  # None: the file's org_threshold (organisations)
    count_recipient: bool = False  # each external recipient also sees itself among the parties
    min_external_recipients: int = Field(1, ge=1)  # distinct external recipient parties needed
    split: bool = False  # may be delivered as one copy per recipient when splitting is on
    ignore_role_addresses: bool = False  # info@, help@, ... are published mailboxes, not people
    sender_override: SenderOverride | None = None  # None: the file's sender_override


class ProtectedRuleModel(RuleModel):
    when_sent_to: Audience = "flagged"
    kinds: list[Literal["address", "postcode_number", "postcode", "phone", "email"]] = [
        "address",
        "postcode_number",
        "postcode",
        "phone",
        "email",
    ]
    min_score: float = Field(0.0, ge=0)


class UnscannableRuleModel(RuleModel):
    when_sent_to: Audience = "flagged"
    reasons: dict[UnscannedReason, RuleAction] = {}  # per-reason action, else `action`


class OrganisationFile(_Strict):
    internal_domains: list[str] = []
    consumer_domains: list[str] = []
    flagged_recipients: list[str] = []
    professional_domains: list[str] = []  # built-in consumer domains that are organisations here
    subaddress_domains: list[str] = []  # domains that deliver `local+tag` to `local` too

    _patterns = field_validator("flagged_recipients")(_check_patterns)

    @field_validator("internal_domains", "consumer_domains", "professional_domains", "subaddress_domains")
    @classmethod
    def _domains(cls, values: list[str]) -> list[str]:
        out = []
        for value in values:
            value = value.strip().lower().lstrip("@").rstrip(".")
            if not value or "@" in value or " " in value:
                raise ValueError(f"{value!r} is not a domain")
            out.append(value)
        return out


def _default_exposure_rules() -> list[ExposureRuleModel]:
    return [
        ExposureRuleModel(
            name="exposure-headers",
            description="Members of the public visible to each other in To and Cc, or a mass mailing",
        ),
        ExposureRuleModel(
            name="exposure-invite",
            description="Meeting invite whose attendee list shows external parties to each other",
            visible=[Visibility.CALENDAR],
            count_recipient=True,
            action="hold",
            split=True,
        ),
        ExposureRuleModel(
            name="exposure-address-list",
            description="A list of external people's addresses in a body or attachment, "
            "sent to several external parties",
            visible=[Visibility.LISTED],
            min_external_recipients=2,
            ignore_role_addresses=True,
            action="hold",
        ),
    ]


class ExposureFile(_Strict):
    threshold: int = Field(2, ge=1)  # members of the public visible together
    org_threshold: int = Field(10, ge=1)  # organisations visible together (a mass mailing)
    action: Literal["rewrite", "hold"] = "rewrite"
    split_invites: bool = False
    sender_override: SenderOverride = "justify"  # the sender may send an exposure hold as-is
    rules: list[ExposureRuleModel] = Field(default_factory=_default_exposure_rules)


def _default_protected_rules() -> list[ProtectedRuleModel]:
    return [
        ProtectedRuleModel(
            name="protected-to-flagged",
            description="A protected address, phone or email sent to a recipient flagged for that person",
        ),
        ProtectedRuleModel(
            name="protected-to-external",
            description="A protected address, phone or email sent to anyone outside the organisation",
            enabled=False,
            when_sent_to="external",
        ),
    ]


class ProtectedFile(_Strict):
    action: RuleAction = "hold"
    rules: list[ProtectedRuleModel] = Field(default_factory=_default_protected_rules)


def _default_unscannable_rules() -> list[UnscannableRuleModel]:
    return [
        UnscannableRuleModel(
            name="unscannable-to-flagged",
            description="Parts that could not be read, going to a recipient flagged in the register",
        )
    ]


class UnscannableFile(_Strict):
    action: RuleAction = "hold"
    rules: list[UnscannableRuleModel] = Field(default_factory=_default_unscannable_rules)


CaseKind = Literal["register", "reference"]


class CasePatternModel(_Strict):
    """A case reference: a named regular expression (`CM-\\d{4}-[A-Z]{2}`)."""

    name: str = Field(pattern=NAME_PATTERN)
    regex: str
    ignore_case: bool = False

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        if compiled.match(""):
            raise ValueError("matches the empty text: every message would be about this case")
        return value


class MisdirectionRuleModel(RuleModel):
    kinds: dict[CaseKind, RuleAction] = {}  # per case-key kind action, else `action`
    min_messages: int | None = Field(None, ge=1)  # None: MAILGUARD_AFFINITY_MIN_MESSAGES
    min_days: float | None = Field(None, ge=0)  # None: MAILGUARD_AFFINITY_MIN_DAYS


def _default_misdirection_rules() -> list[MisdirectionRuleModel]:
    return [
        MisdirectionRuleModel(
            name="misdirected-recipient",
            description="Mail about a case going to an outside recipient never associated with that case",
            kinds={"register": "hold", "reference": "hold"},
        )
    ]


class CasesFile(_Strict):
    action: RuleAction = "hold"
    observe: bool = True  # cold start: learn and count would-be holds, hold nothing
    register_rows: bool = True  # a register row the message mentions is a case key
    patterns: list[CasePatternModel] = []
    rules: list[MisdirectionRuleModel] = Field(default_factory=_default_misdirection_rules)

    @field_validator("patterns")
    @classmethod
    def _unique(cls, values: list[CasePatternModel]) -> list[CasePatternModel]:
        names = [p.name for p in values]
        if dup := next((n for n in names if names.count(n) > 1), None):
            raise ValueError(f"pattern name {dup!r} is used twice")
        return values


RULE_FILES: dict[str, type[_Strict]] = {
    "organisation.yaml": OrganisationFile,
    "exposure.yaml": ExposureFile,
    "protected.yaml": ProtectedFile,
    "unscannable.yaml": UnscannableFile,
    "cases.yaml": CasesFile,
}
