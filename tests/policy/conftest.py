"""Policy fixtures: the shipped policy, one decision, an editable copy of rules/."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import INTERNAL, Decide

from mailguard.envelope import Envelope
from mailguard.message.model import Content
from mailguard.policy.engine import Decision, Policy, load_policy
from mailguard.policy.scan_context import ScanContext
from mailguard.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings(internal_domains=[INTERNAL])


@pytest.fixture
def policy(settings: Settings) -> Policy:
    return load_policy(settings)


@pytest.fixture
def decide(policy: Policy) -> Decide:
    def run(
        content: Content,
        rcpt: list[str],
        mail_from: str = f"me@{INTERNAL}",
        pol: Policy | None = None,
        register: object = None,
    ) -> Decision:
        chosen = pol or policy
        ctx = ScanContext(
            Envelope(mail_from, tuple(rcpt)), content, chosen.organisation, chosen.flagged, register
        )  # type: ignore[arg-type]
        return chosen.decide(ctx)

    return run


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    """A copy of the shipped rules/ to edit."""
    shipped = Path(__file__).resolve().parents[2] / "rules"
    target = tmp_path / "rules"
    target.mkdir()
    for f in shipped.glob("*.yaml"):
        (target / f.name).write_text(f.read_text())
    return target
