"""Long pipeline fuzz run (issue 7): hostile MIME trees through extraction and the Scanner.

    .venv/bin/python -m fuzz.fuzz_pipeline [--examples 5000] [--seed N] [--save DIR] [--pool]

Every generated message must give a Content from `extract_content` (never an exception) and
a pass/rewrite/hold/reject verdict from the Scanner (tempfail means something inside raised).
Failures are counted, not fatal: the run goes on, saves each failing input to --save
(default /tmp/mailguard-fuzz) and prints, at the end, the inputs tried, the failures by kind,
and how often extraction reported each unscanned reason. --pool scans through the real
extraction worker pool (slower) instead of in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import hashlib
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

# the red-team fixtures import the tests' `support` package, as pytest's pythonpath makes it
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mailguard.envelope import Envelope
from mailguard.message import extract_content
from mailguard.policy.engine import load_policy
from mailguard.policy.scanner import Scanner, open_register
from mailguard.policy.verdict import Action
from tests.redteam.conftest import InlinePool, redteam_settings
from tests.redteam.mail import FLAGGED, SENDER
from tests.redteam.mime_trees import messages

DECIDED = (Action.PASS, Action.REWRITE, Action.HOLD, Action.REJECT)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--examples", type=int, default=5000)
    p.add_argument("--seed", type=int, default=int(time.time()))
    p.add_argument("--save", type=Path, default=Path(tempfile.gettempdir()) / "mailguard-fuzz")
    p.add_argument("--pool", action="store_true", help="use the real extraction worker pool")
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mg-fuzz-"))
    s = redteam_settings(work)
    loop = asyncio.new_event_loop()
    if a.pool:
        scanner = loop.run_until_complete(Scanner.from_settings(s))
    else:
        scanner = Scanner(s, load_policy(s), open_register(s), InlinePool())
    envelope = Envelope(SENDER, (FLAGGED, "b@outlook.com"))
    tried = 0
    failures: collections.Counter[str] = collections.Counter()
    verdicts: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    sizes: list[int] = []
    started = time.perf_counter()

    def fail(kind: str, data: bytes, detail: str) -> None:
        failures[kind] += 1
        a.save.mkdir(parents=True, exist_ok=True)
        name = a.save / f"{kind}-{hashlib.sha256(data).hexdigest()[:12]}.eml"
        name.write_bytes(data)
        print(f"FAIL {kind}: {name}\n{detail}", file=sys.stderr)

    @seed(a.seed)
    @settings(max_examples=a.examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=messages())
    def run(data: bytes) -> None:
        nonlocal tried
        tried += 1
        sizes.append(len(data))
        try:
            content = extract_content(data)
            for u in content.unscanned:
                reasons[u.reason.value] += 1
        except Exception:
            fail("extract-raised", data, traceback.format_exc(limit=3))
        try:
            verdict = loop.run_until_complete(scanner(envelope, data))
            verdicts[verdict.action.value] += 1
            if verdict.action not in DECIDED:
                fail("scanner-" + verdict.action.value, data, str(verdict.as_json()))
        except Exception:
            fail("scanner-raised", data, traceback.format_exc(limit=3))
        if tried % 500 == 0:
            print(f"... {tried} inputs, {sum(failures.values())} failures", file=sys.stderr)

    run()
    loop.run_until_complete(scanner.aclose())
    wall = time.perf_counter() - started
    print(
        f"seed={a.seed} inputs_tried={tried} failures={sum(failures.values())} wall={wall:.1f}s "
        f"mean_size={sum(sizes) // max(1, len(sizes))}B pool={'worker' if a.pool else 'inline'}"
    )
    print("failures by kind:", dict(failures) or "none")
    print("verdicts:", dict(verdicts))
    print("unscanned reasons reported:", dict(reasons))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
