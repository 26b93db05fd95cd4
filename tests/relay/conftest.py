"""Fixtures for the relay tests: a relay with a recording upstream, per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.relay import RelayHarness


@pytest.fixture
def relay() -> Iterator[RelayHarness]:
    with RelayHarness() as harness:
        yield harness
