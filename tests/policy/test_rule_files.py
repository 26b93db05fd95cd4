"""Rule files: shipped defaults, line-numbered errors, environment precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailguard.policy.engine import load_policy
from mailguard.policy.loader import PolicyError, RuleFiles, RulesError, load_rule_files
from mailguard.settings import Settings

SHIPPED = Path(__file__).resolve().parents[2] / "rules"


def test_shipped_files_equal_built_in_defaults() -> None:
    files = load_rule_files(SHIPPED)
    defaults = RuleFiles()
    assert len(files.read) == 5
    for section in ("organisation", "exposure", "protected", "unscannable", "cases"):
        assert getattr(files, section) == getattr(defaults, section), section


def test_missing_default_dir_means_defaults_but_named_dir_must_exist(tmp_path: Path) -> None:
    assert load_policy(Settings()).rules  # ./rules absent in the test cwd: built-in defaults
    with pytest.raises(PolicyError, match="does not exist"):
        load_policy(Settings(rules_dir=tmp_path / "nope"))


def _error(rules_dir: Path, name: str, text: str) -> RulesError:
    (rules_dir / name).write_text(text)
    with pytest.raises(RulesError) as info:
        load_rule_files(rules_dir)
    return info.value


@pytest.mark.parametrize(
    ("name", "text", "line", "words"),
    [
        ("exposure.yaml", "threshold: 2\naction: rewrite\nthreshhold: 3\n", 3, "unknown key 'threshhold'"),
        ("exposure.yaml", "threshold: 0\n", 1, "greater than or equal to 1"),
        ("exposure.yaml", "action: explode\n", 1, "action"),
        ("exposure.yaml", "rules:\n  - name: a\n  - name: b\n    visible: [to, bcc]\n", 4, "visible[1]"),
        ("exposure.yaml", "rules:\n  - name: a\n    count_recipient: maybe\n", 3, "boolean"),
        ("exposure.yaml", "rules:\n  - description: no name\n", 2, "name"),
        ("exposure.yaml", "threshold: 2\nsender_override: sometimes\n", 2, "sender_override"),
        ("exposure.yaml", "rules:\n  - name: a\n    sender_override: yes\n", 3, "sender_override"),
        ("protected.yaml", "rules:\n  - name: x\n    action: [\n", 4, "not valid YAML"),
        ("protected.yaml", "rules:\n  - name: Bad Name\n", 2, "name"),
        ("protected.yaml", "rules:\n  - name: x\n    when_sent_to: everyone\n", 3, "when_sent_to"),
        ("unscannable.yaml", "rules:\n  - name: x\n    reasons:\n      zipped: pass\n", 4, "zipped"),
        ("unscannable.yaml", "rules:\n  - name: x\n    action: tempfail\n", 3, "action"),
        ("organisation.yaml", "flagged_recipients:\n  - nobody\n", 1, "neither an address"),
        ("organisation.yaml", "internal_domains: [a.org]\ninternal_domains: [b.org]\n", 2, "duplicate key"),
        ("organisation.yaml", "- just\n- a list\n", 1, "mapping"),
        ("protected.yaml", "rules:\n  - name: exposure-headers\n", 2, "already used in exposure.yaml"),
    ],
)
def test_bad_files_name_file_line_and_problem(
    rules_dir: Path, name: str, text: str, line: int, words: str
) -> None:
    err = _error(rules_dir, name, text)
    assert err.path.endswith(name)
    assert err.line == line, str(err)
    assert words in err.problem
    assert str(err).startswith(f"{rules_dir / name}:{line}: ")


def test_unknown_rule_file_is_an_error(rules_dir: Path) -> None:
    err = _error(rules_dir, "exposures.yaml", "threshold: 3\n")
    assert "unknown rule file" in str(err)


def test_empty_file_means_defaults(rules_dir: Path) -> None:
    (rules_dir / "exposure.yaml").write_text("# nothing set\n")
    assert load_rule_files(rules_dir).exposure == RuleFiles().exposure


def test_empty_rules_list_disables_a_detector(rules_dir: Path) -> None:
    (rules_dir / "exposure.yaml").write_text("rules: []\n")
    names = [r.name for r in load_policy(Settings(rules_dir=rules_dir)).rules]
    assert not any(n.startswith("exposure") for n in names)


def test_environment_internal_domains_replace_the_file(
    rules_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (rules_dir / "organisation.yaml").write_text(
        "internal_domains: [file.example]\nconsumer_domains: [isp.example]\n"
    )
    monkeypatch.setenv("MAILGUARD_INTERNAL_DOMAINS", "env.example")
    monkeypatch.setenv("MAILGUARD_CONSUMER_DOMAINS", "other-isp.example")
    pol = load_policy(Settings(rules_dir=rules_dir))
    assert pol.organisation.internal_domains == ("env.example",)
    assert pol.organisation.consumer_domains == ("isp.example", "other-isp.example")  # consumer lists add up
    assert pol.organisation.party("a@file.example") == "file.example"
    assert pol.organisation.party("a@isp.example") == "a@isp.example"


def test_sender_override_strictest_of_the_rules_that_held(rules_dir: Path) -> None:
    (rules_dir / "exposure.yaml").write_text(
        "sender_override: allow\nrules:\n  - name: heads\n  - name: lists\n    visible: [listed]\n"
        "    action: hold\n    sender_override: never\n"
    )
    policy = load_policy(Settings(rules_dir=rules_dir))
    assert policy.sender_may_send_as_is(["heads"]) == "allow"
    assert policy.sender_may_send_as_is(["heads", "lists"]) == "never"
    assert policy.sender_may_send_as_is(["gone-since"]) == "allow"  # the file's own
    assert load_policy(Settings()).sender_may_send_as_is(["exposure-headers"]) == "justify"  # the default
    described = "\n".join(policy.describe())
    assert "as it is: never" in described and "as it is: yes" not in described  # heads only rewrites
