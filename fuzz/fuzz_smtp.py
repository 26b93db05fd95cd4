"""Long fuzz run: random SMTP command streams against the real relay.

    .venv/bin/python -m fuzz.fuzz_smtp [--examples 5000] [--seed S] [--serve]

By default the relay runs in this process (pass-everything decider, recording upstream), so
its ERROR log lines are caught too; `--serve` fuzzes a real `mailguard serve` subprocess with
the repo's rules, a register and an SQLite store instead (replies and liveness only).
The oracle is tests/support/smtpfuzz.py: always an answer, never aiosmtpd's exception reply
(`500 Error: (Exc) ...`), no internal error logged, still serving afterwards. Prints inputs
tried, reply codes seen, and the first failure (shrunk by hypothesis) if any; exit 1 then.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

from tests.support.crash import policy_relay
from tests.support.relay import RelayHarness, free_port
from tests.support.serveproc import ServeProcess
from tests.support.smtpfuzz import ErrorLog, play, streams

ROOT = Path(__file__).resolve().parent.parent


def start_serve(stack: ExitStack) -> tuple[str, int, ServeProcess]:
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mailguard-fuzz-")))
    relay = policy_relay(
        folder,
        free_port(),  # nobody there: MAIL answers 451, which fuzzes that path
        max_message_size=65536,
        idle_timeout=5,
    )
    relay.start()
    stack.callback(relay.stop)
    return relay.host, relay.port, relay


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--serve", action="store_true", help="fuzz a `mailguard serve` subprocess")
    args = parser.parse_args()
    codes: Counter[str] = Counter()
    tried = [0]
    errors_seen: list[str] = []
    with ExitStack() as stack:
        serve: ServeProcess | None = None
        if args.serve:
            host, port, serve = start_serve(stack)
        else:
            harness = stack.enter_context(RelayHarness(max_message_size=65536, idle_timeout=5))
            host, port = harness.host, harness.port

        @settings(max_examples=args.examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(chunks=streams())
        def one(chunks: list[bytes]) -> None:
            tried[0] += 1
            with ErrorLog() as errors:
                outcome = play(host, port, chunks)
            codes.update(line[:3] for line in outcome.replies if line[:3].isdigit())
            problem = outcome.problem()
            if errors.lines():
                errors_seen.extend(errors.lines())
                problem = problem or f"internal error logged: {errors.lines()[0]}"
            if serve is not None and not serve.alive():
                problem = "mailguard serve died"
            assert problem is None, f"{problem}; last replies: {outcome.replies[-5:]}; input: {chunks!r}"[:4000]

        if args.seed is not None:
            one = seed(args.seed)(one)
        started = time.monotonic()
        failure = None
        try:
            one()
        except (AssertionError, ExceptionGroup) as exc:  # several distinct failures: a group
            failure = str(exc) if isinstance(exc, AssertionError) else "; ".join(map(str, exc.exceptions))
        elapsed = time.monotonic() - started
        alive = play(host, port, [b"EHLO after.test\r\n"])
        if not alive.answered or alive.closed:
            failure = failure or "the relay no longer serves a new client after the run"
    print(f"inputs tried: {tried[0]} in {elapsed:.0f} s ({'mailguard serve' if args.serve else 'in-process relay'})")
    print("reply codes seen:", ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())))
    print(f"failures: {0 if failure is None else 1}")
    if failure:
        print("first failure (shrunk):", failure)
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
