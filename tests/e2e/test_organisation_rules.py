"""Internal domains set only in rules/organisation.yaml: the rewrite, the split and the Bcc
release ask the same Organisation as the rules, so a colleague is never moved to Bcc or
counted among the outside parties (the bug: they used the environment's list only)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from support.stack import Stack, bearer

from mailguard.envelope import Envelope
from mailguard.policy.verdict import Action, Reason, Verdict

from .conftest import REVIEWER
from .mail import COLLEAGUE, INTERNAL, PUBLIC, SENDER, exposed, invite, marker, subject_of, visible

STAGED = re.compile(rb"2\.0\.0 Ok: queued as (S[A-Z0-9]+)$")


@pytest.fixture
def yaml_only_stack(settings: dict[str, Any], tmp_path: Path) -> Any:
    rules = tmp_path / "rules"
    shutil.copytree(settings["rules_dir"], rules)
    (rules / "organisation.yaml").write_text(f"internal_domains: [{INTERNAL}]\n", encoding="utf-8")
    values = {k: v for k, v in settings.items() if k != "internal_domains"} | {"rules_dir": rules}
    with Stack(**values) as running:
        yield running


def test_rewrite_keeps_colleagues_from_the_rule_file_in_to(yaml_only_stack: Stack) -> None:
    stack, word = yaml_only_stack, marker()
    assert stack.send(exposed(word), SENDER, [*PUBLIC, COLLEAGUE])[0] == 250
    [got] = stack.wait_for(lambda m: word in subject_of(m.data))
    assert visible(got.data) == {COLLEAGUE}
    assert b"X-Mailguard-Rewritten" not in got.data  # the copy goes outside too: no note of ours


def test_split_gives_the_colleague_one_copy_showing_only_colleagues(yaml_only_stack: Stack) -> None:
    stack, word = yaml_only_stack, marker()
    code, text = stack.send(invite(word), SENDER, [*PUBLIC, COLLEAGUE])
    assert code == 250 and STAGED.match(text), text
    copies = stack.wait_for(lambda m: word in subject_of(m.data), count=len(PUBLIC) + 1)
    assert sorted(c.rcpt_tos for c in copies) == sorted([(p,) for p in PUBLIC] + [(COLLEAGUE,)])
    for copy in copies:
        assert visible(copy.data) == {copy.rcpt_tos[0], COLLEAGUE}


def test_bcc_release_keeps_the_colleague(yaml_only_stack: Stack) -> None:
    stack, word = yaml_only_stack, marker()
    store = stack.runtime.store
    assert store is not None
    reason = Reason(rule="exposure-headers", detector="exposure", detail="held", action=Action.HOLD)
    verdict = Verdict(Action.HOLD, reasons=[reason])
    item_id = stack.call(store.hold(Envelope(SENDER, (*PUBLIC, COLLEAGUE)), exposed(word), verdict))
    release = {"comment": "checked", "mode": "bcc"}
    answer = stack.api().post(f"/api/quarantine/{item_id}/release", json=release, headers=bearer(REVIEWER))
    assert answer.status_code == 200, answer.text
    [got] = stack.wait_for(lambda m: word in subject_of(m.data))
    assert visible(got.data) == {COLLEAGUE}
