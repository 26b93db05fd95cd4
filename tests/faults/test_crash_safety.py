"""kill -9 the real relay while clients send: nothing acknowledged is lost or duplicated.

The short CI version of bench/crash_safety.py (which runs 100 rounds and prints the figures).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from support.crash import Tally, run_round
from support.loop import ThreadLoop


@pytest.mark.slow
def test_kill9_rounds_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261122)
    total = Tally()
    loop = ThreadLoop()
    try:
        for index in range(4):
            total.add(run_round(tmp_path / f"round-{index}", loop, rng, clients=3, kill_window=1.0))
    finally:
        loop.close()
    summary = total.summary() + "\n" + "\n".join(total.details)
    assert total.acknowledged > 50, summary
    assert total.in_quarantine > 0 and total.at_upstream > 0, summary  # both paths were exercised
    assert total.lost == 0 and total.duplicated == 0, summary
    assert total.integrity_errors == 0 and total.bad_exits == 0, summary
    assert total.permanent_refusals == 0, summary  # a crash is never a reason for 5xx
