"""Protected mentions through the real register: who is flagged decides."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import INTERNAL, Decide, make_content

from mailguard.detect.register import Register
from mailguard.message.model import Segment, SegmentKind
from mailguard.policy.engine import load_policy
from mailguard.policy.verdict import Action
from mailguard.settings import Settings

DATA = Path(__file__).parent / "data"
MOVED = "Hi,\n\nThe family has moved to 14 High St, Bristol BS1 4AA as of last week.\n"
NEIGHBOUR = "The repairs at 12 High Street, Bristol BS1 4AA are booked for Monday."


@pytest.fixture(scope="module")
def register() -> Register:
    reg, errors = Register.from_csv(DATA / "register.csv")
    assert errors == []
    return reg


def test_mention_to_flagged_recipient_holds(register: Register, decide: Decide) -> None:
    d = decide(make_content(texts=[MOVED]), ["Ex.Partner@gmail.com"], register=register)
    assert d.action is Action.HOLD
    (reason,) = d.reasons
    assert (reason.rule, reason.detector, reason.register_id) == (
        "protected-to-flagged",
        "protected",
        "P000001",
    )
    assert reason.snippet is not None and "14 High St" in reason.snippet.match
    assert reason.snippet.where == "body"
    assert "moved to" in reason.snippet.before
    assert "Jane" not in reason.detail and "Jane" not in str(reason.as_json())  # no register data
    assert reason.as_json()["register_id"] == "P000001"


def test_flagged_domain_covers_subdomains(register: Register, decide: Decide) -> None:
    d = decide(make_content(texts=[MOVED]), ["anyone@mail.bad-org.example"], register=register)
    assert d.action is Action.HOLD


def test_flagged_for_someone_else_passes(register: Register, decide: Decide) -> None:
    # sam.ex is flagged for P000002 only: P000001's address may go to them
    assert (
        decide(make_content(texts=[MOVED]), ["sam.ex@hotmail.co.uk"], register=register).action is Action.PASS
    )


def test_neighbour_and_unflagged_pass(register: Register, decide: Decide) -> None:
    assert (
        decide(make_content(texts=[NEIGHBOUR]), ["ex.partner@gmail.com"], register=register).action
        is Action.PASS
    )
    assert decide(make_content(texts=[MOVED]), ["officer@council.example.org"], register=register).action is (
        Action.PASS
    )
    assert decide(make_content(texts=[MOVED]), [f"x@{INTERNAL}"], register=register).action is Action.PASS


def test_one_flagged_among_many_recipients_holds(register: Register, decide: Decide) -> None:
    rcpt = [f"a@{INTERNAL}", "officer@council.example.org", "ex.partner@gmail.com"]
    d = decide(make_content(texts=[MOVED]), rcpt, register=register)
    assert d.action is Action.HOLD
    assert "ex.partner@gmail.com" in d.reasons[0].detail
    assert "council" not in d.reasons[0].detail  # only the flagged recipient is named


def test_table_row_and_phone(register: Register, decide: Decide) -> None:
    row = make_content()
    row.segments.append(
        Segment("Jane | Flat 2, 7 Mill Lane | Leeds | LS6 2AB", "table 1, row 2", SegmentKind.ROW)
    )
    d = decide(row, ["sam.ex@hotmail.co.uk"], register=register)
    assert d.action is Action.HOLD and d.reasons[0].register_id == "P000002"
    phone = make_content(texts=["You can call her on 0117 496 0123 after six."])
    assert decide(phone, ["ex.partner@gmail.com"], register=register).action is Action.HOLD


def test_strict_option_holds_mentions_to_any_external(
    rules_dir: Path, register: Register, decide: Decide
) -> None:
    text = (rules_dir / "protected.yaml").read_text().replace("    enabled: false\n", "    enabled: true\n")
    (rules_dir / "protected.yaml").write_text(text)
    pol = load_policy(Settings(rules_dir=rules_dir, internal_domains=[INTERNAL]))
    d = decide(make_content(texts=[MOVED]), ["officer@council.example.org"], pol=pol, register=register)
    assert d.action is Action.HOLD and d.reasons[0].rule == "protected-to-external"
    assert decide(make_content(texts=[MOVED]), [f"x@{INTERNAL}"], pol=pol, register=register).action is (
        Action.PASS
    )


def test_global_flagged_list(rules_dir: Path, register: Register, decide: Decide) -> None:
    (rules_dir / "organisation.yaml").write_text("flagged_recipients: ['@tabloid.example']\n")
    pol = load_policy(Settings(rules_dir=rules_dir, internal_domains=[INTERNAL]))
    d = decide(make_content(texts=[MOVED]), ["news@tabloid.example"], pol=pol, register=register)
    assert d.action is Action.HOLD


def test_no_register_means_no_protected_findings(decide: Decide) -> None:
    assert decide(make_content(texts=[MOVED]), ["ex.partner@gmail.com"]).action is Action.PASS
