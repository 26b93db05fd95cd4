"""Unscanned parts fail closed for flagged recipients; per-reason overrides; scopes."""

from __future__ import annotations

from pathlib import Path

from policy_helpers import INTERNAL, Decide, make_content

from mailguard.message.model import Unscanned, UnscannedReason
from mailguard.policy.engine import load_policy
from mailguard.policy.verdict import Action
from mailguard.settings import Settings

ENCRYPTED = Unscanned('attachment "secret.zip"', UnscannedReason.ENCRYPTED)
UNKNOWN = Unscanned('attachment "blob.bin"', UnscannedReason.UNKNOWN_FORMAT)


def _policy(rules_dir: Path, flagged: str = "- ex@gmail.com\n  - '@bad.example'") -> object:
    (rules_dir / "organisation.yaml").write_text(
        f"internal_domains: [{INTERNAL}]\nflagged_recipients:\n  {flagged}\n"
    )
    return load_policy(Settings(rules_dir=rules_dir))


def test_unscanned_to_flagged_holds(rules_dir: Path, decide: Decide) -> None:
    pol = _policy(rules_dir)
    d = decide(make_content(unscanned=[ENCRYPTED]), ["ex@gmail.com"], pol=pol)
    assert d.action is Action.HOLD
    assert d.reasons[0].rule == "unscannable-to-flagged"
    assert "encrypted" in d.reasons[0].detail and "secret.zip" in d.reasons[0].detail
    assert decide(make_content(unscanned=[ENCRYPTED]), ["x@mail.bad.example"], pol=pol).action is Action.HOLD


def test_unscanned_to_others_passes(rules_dir: Path, decide: Decide) -> None:
    pol = _policy(rules_dir)
    assert decide(make_content(unscanned=[ENCRYPTED]), ["friend@gmail.com"], pol=pol).action is Action.PASS
    assert decide(make_content(), ["ex@gmail.com"], pol=pol).action is Action.PASS  # nothing unscanned


def test_per_reason_override(rules_dir: Path, decide: Decide) -> None:
    (rules_dir / "unscannable.yaml").write_text(
        "rules:\n  - name: unscannable-to-flagged\n    reasons:\n"
        "      unknown_format: pass\n      encrypted: reject\n"
    )
    pol = _policy(rules_dir)
    assert decide(make_content(unscanned=[UNKNOWN]), ["ex@gmail.com"], pol=pol).action is Action.PASS
    d = decide(make_content(unscanned=[UNKNOWN, ENCRYPTED]), ["ex@gmail.com"], pol=pol)
    assert d.action is Action.REJECT and len(d.reasons) == 1


def test_external_audience_and_sender_scope(rules_dir: Path, decide: Decide) -> None:
    (rules_dir / "unscannable.yaml").write_text(
        "rules:\n  - name: unscannable-out\n    when_sent_to: external\n"
        "    senders: ['@legal.dept.example.gov.uk']\n"
    )
    pol = _policy(rules_dir)
    content = make_content(unscanned=[ENCRYPTED])
    assert decide(content, ["a@gmail.com"], mail_from=f"x@legal.{INTERNAL}", pol=pol).action is Action.HOLD
    assert decide(content, ["a@gmail.com"], mail_from=f"x@{INTERNAL}", pol=pol).action is Action.PASS
    assert decide(content, [f"b@{INTERNAL}"], mail_from=f"x@legal.{INTERNAL}", pol=pol).action is Action.PASS


def test_every_reason_recorded_strongest_wins(rules_dir: Path, decide: Decide) -> None:
    pol = _policy(rules_dir)
    rcpt = ["ex@gmail.com", "b@icloud.com"]
    d = decide(make_content(to=rcpt, unscanned=[ENCRYPTED]), rcpt, pol=pol)
    assert d.action is Action.HOLD
    assert [r.action for r in d.reasons] == [Action.REWRITE, Action.HOLD]
    assert d.split is False


def test_split_never_covers_a_non_exposure_hold(rules_dir: Path, decide: Decide) -> None:
    (rules_dir / "exposure.yaml").write_text("split_invites: true\n")
    pol = _policy(rules_dir)
    rcpt = ["ex@gmail.com", "b@icloud.com"]
    d = decide(make_content(attendees=rcpt), rcpt, pol=pol)
    assert (d.action, d.split) == (Action.HOLD, True)
    d = decide(make_content(attendees=rcpt, unscanned=[ENCRYPTED]), rcpt, pol=pol)
    assert (d.action, d.split) == (Action.HOLD, False)
