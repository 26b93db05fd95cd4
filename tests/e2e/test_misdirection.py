"""The misdirection guard through the real relay: delivered mail teaches a case its recipients,
mail about the case to a stranger is held with a reviewer's explanation, the release teaches
the case the new recipient, and the next mail to them passes. SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.pg import empty
from support.stack import Stack, bearer

from .conftest import REVIEWER
from .mail import INTERNAL, REPO_RULES, SENDER, marker, text_of

HELD = re.compile(rb"2\.0\.0 Ok: held for review as (Q[A-Z0-9]+)$")
MUM, STRANGER = "mum.family@gmail.com", "wrong.person@gmail.com"
CASES_YAML = """observe: false
patterns:
  - name: case-management
    regex: 'CM-\\d{4}-[A-Z]{2}'
"""


def about_case(word: str, ref: str, to: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = SENDER, to, f"{word} {ref}: home visit"
    msg.set_content(f"Dear family,\n\nFollowing the visit (our ref {ref}) here are the next steps.\n")
    return msg.as_bytes()


def _rules(tmp_path: Path, cases: str) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    (rules / "cases.yaml").write_text(cases)
    return rules


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def guarded(request: pytest.FixtureRequest, settings: dict[str, Any], tmp_path: Path) -> Iterator[Stack]:
    rules = _rules(tmp_path, CASES_YAML)
    settings = settings | {"rules_dir": rules, "affinity_min_days": 0, "affinity_key": "e2e-affinity-key-0123456789"}
    if request.param == "postgres":
        settings |= {"database_url": request.getfixturevalue("pg_database")}
    with Stack(**settings) as running:
        running.call(empty(running.runtime.store))
        yield running


def _learnt(stack: Stack) -> None:
    """What the relay queued is written (the background task does it within a second)."""
    assert stack.runtime is not None and stack.runtime.learner is not None
    stack.call(stack.runtime.learner.flush())  # type: ignore[attr-defined]


def test_a_stranger_is_held_and_the_release_teaches_the_case(guarded: Stack) -> None:
    stack, word, ref = guarded, marker(), "CM-2555-QC"
    for _ in range(3):
        assert stack.send(about_case(word, ref, MUM), SENDER, [MUM])[0] == 250
    _learnt(stack)

    code, text = stack.send(about_case(word, ref, STRANGER), SENDER, [STRANGER, f"lee@{INTERNAL}"])
    found = HELD.match(text)
    assert code == 250 and found, (code, text)
    item_id = found.group(1).decode()
    api = stack.api()
    [reason] = api.get(f"/api/quarantine/{item_id}").json()["reasons"]
    assert reason["rule"] == "misdirected-recipient" and reason["detector"] == "misdirection"
    assert reason["detail"] == (
        f"case {ref}: first mail to {STRANGER}; earlier mail about this case went to 1 other external address"
    )
    assert reason["reviewer_note"] == f"earlier recipients: {MUM}"  # reviewers only
    with stack.api(token=None) as browser:  # the review page explains the rule
        form = browser.get("/review/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        assert browser.post("/review/login", data={"csrf": csrf, "token": REVIEWER}).status_code == 303
        page = browser.get(f"/review/item/{item_id}").text
        assert f"earlier recipients: {MUM}" in page and "Releasing adds the new recipient to the case" in page
    [notice] = stack.wait_for(lambda m: m.mail_from in ("", "<>") and word in text_of(m.data))
    assert "has not been part of that case before" in " ".join(text_of(notice.data).split())
    assert MUM not in text_of(notice.data)  # the case's other recipients are for reviewers only

    answer = api.post(f"/api/quarantine/{item_id}/release", json={"comment": "new foster carer"},
                      headers=bearer(REVIEWER))  # fmt: skip
    assert answer.status_code == 200
    stack.outbox_idle()
    _learnt(stack)
    assert stack.send(about_case(word, ref, STRANGER), SENDER, [STRANGER])[0] == 250
    assert not HELD.match(stack.send(about_case(word, ref, STRANGER), SENDER, [STRANGER])[1])

    stack.call(stack.runtime.learner.refresh_gauge())  # type: ignore[union-attr]
    metrics = httpx.get(f"{stack.admin_url}/metrics").text
    assert re.search(r"^mailguard_affinity_keys 1\.0$", metrics, re.M), metrics
    assert re.search(r'^mailguard_affinity_would_hold_total\{rule="misdirected-recipient"\} [1-9]', metrics, re.M)


def test_observing_counts_the_would_be_hold_and_delivers(settings: dict[str, Any], tmp_path: Path) -> None:
    rules = _rules(tmp_path, CASES_YAML.replace("observe: false", "observe: true"))
    with Stack(**settings | {"rules_dir": rules, "affinity_min_days": 0}) as stack:
        word, ref = marker(), "CM-7777-ZZ"
        for _ in range(3):
            stack.send(about_case(word, ref, MUM), SENDER, [MUM])
        _learnt(stack)
        before = _would_hold(stack)
        code, text = stack.send(about_case(word, ref, STRANGER), SENDER, [STRANGER])
        assert code == 250 and not HELD.match(text)  # delivered: the guard only observes
        stack.wait_for(lambda m: m.rcpt_tos == (STRANGER,) and word.encode() in m.data)
        assert _would_hold(stack) == before + 1


def _would_hold(stack: Stack) -> float:
    metrics = httpx.get(f"{stack.admin_url}/metrics").text
    found = re.search(r'^mailguard_affinity_would_hold_total\{rule="misdirected-recipient"\} (\S+)$', metrics, re.M)
    return float(found.group(1)) if found else 0.0
