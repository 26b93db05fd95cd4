"""rules/cases.yaml: validated like the other rule files (FILE:LINE errors), and the case keys
a message yields: register rows it mentions and references however they are written."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.detect.cases import CaseFinder, CasePattern
from mailguard.message.model import Content, Segment
from mailguard.policy.engine import load_policy
from mailguard.policy.loader import RulesError, load_rule_files
from mailguard.policy.misdirection import MisdirectedRecipientRule
from mailguard.quarantine.affinity.keyring import AffinityKeyring
from mailguard.settings import Settings

KEYRING = AffinityKeyring(b"k" * 32)
PATTERN = CasePattern.compile("cm", r"CM[-/ ]?\d{4}[-/ ]?[A-Z]{2}\b", ignore_case=True)


def _error(tmp_path: Path, text: str) -> RulesError:
    (tmp_path / "cases.yaml").write_text(text)
    with pytest.raises(RulesError) as info:
        load_rule_files(tmp_path)
    return info.value


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("patterns:\n  - name: cm\n    regex: 'CM-(\\d{4}'\n", 3, "not a regular expression"),
        ("patterns:\n  - name: any\n    regex: '\\d*'\n", 3, "matches the empty text"),
        ("observe: false\nobserv: true\n", 2, "unknown key 'observ'"),
        ("patterns:\n  - name: a\n    regex: x\n  - name: a\n    regex: y\n", 1, "used twice"),
        ("rules:\n  - name: misdirected-recipient\n    kinds: {register: maybe}\n", 3, "kinds.register"),
        ("rules:\n  - name: misdirected-recipient\n    min_days: -1\n", 3, "min_days"),
        ("rules:\n  - name: exposure-headers\n", 2, "already used in exposure.yaml"),
    ],
)
def test_a_bad_cases_file_is_a_line_numbered_error(tmp_path: Path, text: str, line: int, words: str) -> None:
    error = _error(tmp_path, text)
    assert error.path.endswith("cases.yaml") and error.line == line and words in error.problem, error


def test_the_policy_takes_actions_thresholds_and_observe_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "cases.yaml").write_text(
        "observe: false\npatterns:\n  - name: cm\n    regex: 'CM-\\d{4}-[A-Z]{2}'\n"
        "rules:\n  - name: misdirected-recipient\n    kinds: {register: pass, reference: reject}\n    min_days: 5\n"
    )
    policy = load_policy(Settings(rules_dir=tmp_path, affinity_min_messages=4, data_dir=tmp_path / "var"))
    [rule] = [r for r in policy.rules if isinstance(r, MisdirectedRecipientRule)]
    assert (rule.min_messages, rule.min_days, rule.observe) == (4, 5.0, False)
    assert {k: a.value for k, a in rule.per_kind.items()} == {"register": "pass", "reference": "reject"}
    assert policy.cases is not None and not (tmp_path / "var").exists()  # no key file until needed


def test_switching_the_rule_off_stops_case_keys(tmp_path: Path) -> None:
    (tmp_path / "cases.yaml").write_text("rules:\n  - name: misdirected-recipient\n    enabled: false\n")
    policy = load_policy(Settings(rules_dir=tmp_path))
    assert policy.cases is None and "misdirected-recipient" in policy.disabled


def _keys(text: str, register_ids: tuple[str, ...] = ()) -> list[str]:
    finder = CaseFinder([PATTERN], True, KEYRING.case)
    return [k.digest for k in finder.find(Content(subject="", segments=[Segment(text, "body")]), register_ids)]


def test_register_rows_and_references_are_keys_and_labels_are_for_reviewers() -> None:
    finder = CaseFinder([PATTERN], True, KEYRING.case)
    content = Content(subject="CM-2555-QC: visit", segments=[Segment("see cm 2555 qc and CM-1000-AB", "body")])
    keys = finder.find(content, ["P000123"])
    assert [(k.kind, k.label) for k in keys] == [
        ("register", "register row P000123"),
        ("reference", "CM-2555-QC"),
        ("reference", "CM-1000-AB"),
    ]
    assert all(len(k.digest) == 32 and "2555" not in k.digest for k in keys)
    assert CaseFinder([PATTERN], False, KEYRING.case).find(content, ["P000123"])[0].kind == "reference"


@settings(max_examples=60, derandomize=True)
@given(
    digits=st.from_regex(r"\d{4}", fullmatch=True),
    letters=st.from_regex(r"[A-Z]{2}", fullmatch=True),
    sep=st.sampled_from(["-", " ", "/", ""]),
    lower=st.booleans(),
    before=st.sampled_from(["", "Our ref: ", "(case ", "\n"]),
)
def test_one_reference_however_written_is_one_case(
    digits: str, letters: str, sep: str, lower: bool, before: str
) -> None:
    written = f"CM{sep}{digits}{sep}{letters}"
    written = written.lower() if lower else written
    assert _keys(f"{before}{written} follows") == _keys(f"CM-{digits}-{letters}")
