"""What a sender may choose follows the rule files, and never goes past what one reviewer may do."""

from __future__ import annotations

import pytest

from mailguard.actions.sender_choice import allowed_by
from mailguard.policy.engine import load_policy
from mailguard.settings import Settings, TwoPersonRelease

RULES = ["exposure-headers"]


@pytest.mark.parametrize(
    ("two_person", "as_is"),
    [(TwoPersonRelease.OFF, "justify"), (TwoPersonRelease.PROTECTED, "justify"), (TwoPersonRelease.ALL, "never")],
)
def test_as_is_needs_no_second_person_only_where_a_reviewer_needs_none(
    two_person: TwoPersonRelease, as_is: str
) -> None:
    policy = load_policy(Settings(internal_domains=["council.example"]))
    allowed = allowed_by(policy, RULES, two_person)
    assert allowed.as_is == as_is
    assert allowed.fix  # moving recipients to Bcc still ends a To/Cc exposure
