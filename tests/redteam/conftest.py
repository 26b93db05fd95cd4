"""Red-team fixtures: a Scanner with a small register of our own and the shipped rules.

Extraction runs in-process (`InlinePool`), so each case costs milliseconds; one test in
test_dlp_evasion.py runs the same cases through the real worker pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from support.scanning import settings_for

from mailguard.envelope import Envelope
from mailguard.message import extract_content
from mailguard.message.extract.bounds import ExtractLimits
from mailguard.message.model import Content
from mailguard.policy.engine import load_policy
from mailguard.policy.scanner import Scanner, open_register
from mailguard.policy.verdict import Verdict
from mailguard.settings import Settings

from .mail import FLAGGED, INTERNAL, REGISTER_CSV, SENDER

Scan = Callable[..., Awaitable[Verdict]]


class InlinePool:
    """The ExtractionPool's interface, extracting in this process (no worker start-up cost)."""

    inline = None  # decided in a thread, as the relay does for larger content

    def __init__(self, limits: ExtractLimits | None = None) -> None:
        self.limits = limits or ExtractLimits(timeout=20.0)

    async def extract(self, data: bytes) -> Content:
        return extract_content(data, self.limits)

    async def aclose(self) -> None:
        return None


def redteam_settings(tmp_path: Path, **extra: object) -> Settings:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER_CSV, encoding="utf-8")
    return settings_for(tmp_path, register, INTERNAL, **extra)


@pytest.fixture
async def scanner(tmp_path: Path) -> AsyncIterator[Scanner]:
    settings = redteam_settings(tmp_path)
    s = Scanner(settings, load_policy(settings), open_register(settings), InlinePool())
    yield s
    await s.aclose()


@pytest.fixture
def scan(scanner: Scanner) -> Scan:
    async def run(data: bytes, rcpt: tuple[str, ...] = (FLAGGED,)) -> Verdict:
        return await scanner(Envelope(SENDER, rcpt), data)

    return run
