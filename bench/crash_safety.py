"""Crash safety: N rounds of kill -9 against a real `mailguard serve` while clients send.

    .venv/bin/python -m bench.crash_safety [--rounds 100] [--clients 4] [--seed S] [--keep DIR]

Each round starts the relay (SQLite store, the repo's rules, a one-row register so some
messages are held), has client threads send clean, rewritten and to-be-held messages, SIGKILLs
the relay's process group at a random moment, restarts it on the same database, lets the
clients finish (each retries its message until it gets 250) and stops it with SIGTERM. Then
every message a client was told 250 for must be at the recording upstream or in quarantine,
and none twice unless an attempt ended without a 250. Prints runs, messages acknowledged,
lost and duplicated; exits 1 if anything was lost or duplicated. See tests/support/crash.py.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tests.support.crash import Tally, run_round
from tests.support.loop import ThreadLoop

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", type=Path, help="keep each round's folder (logs, database) here")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    rng = random.Random(seed)
    base = args.keep or Path(tempfile.mkdtemp(prefix="mailguard-crash-"))
    total = Tally()
    loop = ThreadLoop()
    started = time.monotonic()
    try:
        for index in range(args.rounds):
            tally = run_round(base / f"round-{index:03d}", loop, rng, clients=args.clients)
            total.add(tally)
            print(
                f"round {index + 1}/{args.rounds}: acknowledged {tally.acknowledged}, lost {tally.lost}, "
                f"duplicated {tally.duplicated}, held {tally.in_quarantine}",
                flush=True,
            )
            if args.keep is None and not tally.details:
                shutil.rmtree(base / f"round-{index:03d}", ignore_errors=True)
    finally:
        loop.close()
    print(f"\nseed: {seed}; {time.monotonic() - started:.0f} s; folders of failed rounds under {base}")
    print(total.summary())
    for line in total.details:
        print(line)
    return 1 if total.lost or total.duplicated or total.bad_exits or total.integrity_errors else 0


if __name__ == "__main__":
    sys.exit(main())
