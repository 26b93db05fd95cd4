"""Rules change while the relay runs: an edited rule file takes effect without a restart, and a
broken one is refused while the relay keeps the rules it had."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from support.passthrough import strip_trace
from support.stack import Stack

from .mail import PUBLIC, SENDER, exposed, marker


def verdict_of(stack: Stack, subject: str) -> bytes:
    """pass or rewrite, by what arrived (an outsider's copy names no verdict): a rewritten copy
    no longer shows the outside parties in To."""
    [got] = stack.wait_for(lambda m: subject.encode() in m.data and SENDER not in m.rcpt_tos)
    return b"pass" if PUBLIC[1].encode() in strip_trace(got.data) else b"rewrite"


def verdict_after_change(stack: Stack, expected: bytes, timeout: float = 15.0) -> bytes:
    """Send the same kind of message until the verdict is `expected` (the watcher polls)."""
    deadline = time.monotonic() + timeout
    while True:
        subject = marker()
        assert stack.send(exposed(subject), SENDER, ["ann.brown@outlook.com"])[0] == 250
        got = verdict_of(stack, subject)
        if got == expected or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


def test_rule_file_edits_apply_and_a_broken_file_keeps_the_old_rules(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(settings["rules_dir"], rules)
    exposure = rules / "exposure.yaml"
    with Stack(**settings | {"rules_dir": rules}, poll_interval=0.2) as stack:
        assert verdict_after_change(stack, b"rewrite") == b"rewrite"

        exposure.write_text(exposure.read_text().replace("threshold: 2", "threshold: 9"))
        assert verdict_after_change(stack, b"pass") == b"pass"  # three parties < 9: no exposure now

        exposure.write_text("threshold: [not a number\n")  # broken YAML: refused, rules kept
        time.sleep(1.0)
        assert verdict_after_change(stack, b"pass", timeout=2.0) == b"pass"
