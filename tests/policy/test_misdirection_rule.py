"""The misdirection rule against a real store (SQLite): established sets, organisations,
consumer-mail people, and a case named two ways (a reference and a court number) in earlier
mail. The policy runs in a worker thread, as the Scanner runs it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mailguard.envelope import Envelope
from mailguard.message.model import Content, Segment
from mailguard.policy.engine import Policy, load_policy
from mailguard.policy.scan_context import ScanContext
from mailguard.policy.verdict import Action
from mailguard.quarantine import QuarantineStore
from mailguard.quarantine.affinity import AffinityService, Delivery, open_affinity
from mailguard.settings import Settings

DAY = 86400.0
T0 = 1_790_000_000.0
CASES = """observe: false
patterns:
  - name: cm
    regex: 'CM-\\d{4}-[A-Z]{2}'
  - name: court
    regex: 'CFA/\\d{4}/\\d{4}'
"""


@pytest.fixture
async def guard(tmp_path: Path) -> AsyncIterator[tuple[Policy, AffinityService]]:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "cases.yaml").write_text(CASES)
    (rules / "organisation.yaml").write_text("internal_domains: [council.example]\n")
    settings = Settings(rules_dir=rules, data_dir=tmp_path / "var", affinity_key="k" * 32)
    store = await QuarantineStore.open(settings)
    policy = load_policy(settings)
    service = open_affinity(store, lambda: policy.organisation)
    yield policy, service
    await service.aclose()
    await store.aclose()


async def _learn(service: AffinityService, keys: list[str], rcpts: list[str], *days: float) -> None:
    digests = tuple(service.keyring.case(f"reference:{k.replace('-', '').replace('/', '')}") for k in keys)
    external = {r: (None if "gmail" in r else r.split("@")[1]) for r in rcpts}
    await service.store.record([Delivery(digests, external, T0 + d * DAY) for d in days])


async def _decide(policy: Policy, service: AffinityService, text: str, rcpts: list[str]) -> list[str]:
    content = Content(subject="update", segments=[Segment(text, "body")])
    ctx = ScanContext(
        Envelope("sw@council.example", tuple(rcpts)), content, policy.organisation, cases=policy.cases, affinity=service
    )
    decision = await asyncio.to_thread(policy.decide, ctx)
    return [r.detail for r in decision.reasons if r.rule == "misdirected-recipient" and r.action is Action.HOLD]


async def test_an_established_case_holds_a_stranger_but_not_its_people(guard: tuple[Policy, AffinityService]) -> None:
    policy, service = guard
    await _learn(service, ["CM-1000-AA"], ["mum@gmail.com", "pc.a@force.example"], 0, 1, 3)
    text = "Re CM-1000-AA: the plan"
    assert await _decide(policy, service, text, ["mum@gmail.com", "colleague@council.example"]) == []
    assert await _decide(policy, service, text, ["pc.b@force.example"]) == []  # a colleague at a known force
    [detail] = await _decide(policy, service, text, ["dad@gmail.com", "mum@gmail.com"])
    assert detail == (
        "case CM-1000-AA: first mail to dad@gmail.com; earlier mail about this case went to 2 other external addresses"
    )
    assert await _decide(policy, service, "no case here", ["dad@gmail.com"]) == []


async def test_a_case_is_established_by_messages_over_days(guard: tuple[Policy, AffinityService]) -> None:
    policy, service = guard
    await _learn(service, ["CM-2000-BB"], ["mum@gmail.com"], 0, 0.5, 1)  # 3 messages over 1 day
    await _learn(service, ["CM-3000-CC"], ["mum@gmail.com"], 0, 5)  # 2 messages over 5 days
    for ref in ("CM-2000-BB", "CM-3000-CC"):
        assert await _decide(policy, service, ref, ["stranger@gmail.com"]) == []


async def test_a_case_named_two_ways_is_one_case(guard: tuple[Policy, AffinityService]) -> None:
    policy, service = guard
    await _learn(service, ["CM-4000-DD"], ["mum@gmail.com"], 0, 2, 4)  # established by reference
    await _learn(service, ["CM-4000-DD", "CFA/2026/0001"], ["solicitor@law.example"], 5)  # named together once
    court = "In CFA/2026/0001 the hearing"
    assert await _decide(policy, service, court, ["mum@gmail.com"]) == []  # the reference's people
    [detail] = await _decide(policy, service, court, ["stranger@gmail.com"])  # established through the link
    assert detail.startswith("case CFA/2026/0001: first mail to stranger@gmail.com")
