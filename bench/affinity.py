"""The misdirection guard at scale: 1,000,000 case keys in the store, the cost of a lookup, and
the relay's latency with the guard on and off.

    sudo .venv/bin/python -m bench.affinity [--keys 1000000] [--messages 400] [--database-url URL]

1. Learns `--keys` cases (two recipients each: a member of the public and a professional) into
   a fresh store (SQLite in a temporary data folder, or the PostgreSQL you name) through the real
   `AffinityStore.record`, and prints the learning rate.
2. Times `examine` from a worker thread, as the scanner calls it (one indexed probe per case
   and recipient): p50/p99 for a known recipient and for a new one (which also reads the
   reviewer's sample).
3. Runs `mailguard serve` twice against smtp-sink with the same store -- guard off (rule
   disabled) and guard on (observe: false, every message names a known case) -- and prints the
   end-of-DATA latency p50/p99 of sequential messages each way, and the difference.

Needs root for smtp-sink (-u nobody). Keep runs short: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.relay import ROOT, mailguard, sink
from mailguard.detect.cases import canonical_reference
from mailguard.organisation.organisation import Organisation
from mailguard.quarantine.affinity import Delivery, open_affinity
from mailguard.quarantine.store import QuarantineStore
from mailguard.settings import Settings

KEY = "bench-affinity-key-0123456789abcdef"
INTERNAL = "council.example"
DAY = 86400.0


def reference(i: int) -> str:
    return f"CM-{i:07d}"


def public(i: int) -> str:
    return f"parent{i}@gmail.com"


def professional(i: int) -> str:
    return f"worker{i % 7919}@agency{i % 3001}.example"


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


async def populate(settings: Settings, keys: int) -> float:
    store = await QuarantineStore.open(settings)
    try:
        service = open_affinity(store, lambda: Organisation.of([INTERNAL]))
        mac = service.keyring
        started, t0, batch = time.perf_counter(), 1_780_000_000.0, 5000
        for first in range(0, keys, batch):
            deliveries = []
            for i in range(first, min(keys, first + batch)):
                digest = mac.case(f"reference:{canonical_reference(reference(i))}")
                rcpts = {public(i): None, professional(i): f"agency{i % 3001}.example"}
                deliveries += [Delivery((digest,), rcpts, t0 + d * DAY) for d in (0, 1, 3)]
            await service.store.record(deliveries)
        return keys / (time.perf_counter() - started)
    finally:
        await store.aclose()


async def lookups(settings: Settings, keys: int, count: int) -> dict[str, list[float]]:
    store = await QuarantineStore.open(settings)
    try:
        service = open_affinity(store, lambda: Organisation.of([INTERNAL]))
        mac, rng = service.keyring, random.Random(1)
        out: dict[str, list[float]] = {"known recipient": [], "new recipient": []}
        for n in range(count):
            i = rng.randrange(keys)
            digest = mac.case(f"reference:{canonical_reference(reference(i))}")
            kind, rcpts = (
                ("known recipient", {public(i): None}) if n % 2 else ("new recipient", {f"stranger{n}@gmail.com": None})
            )
            started = time.perf_counter()
            found = await asyncio.to_thread(service.examine, [digest], rcpts)
            out[kind].append(time.perf_counter() - started)
            assert found and found[digest].messages == 3
        return out
    finally:
        await store.aclose()


async def relay_latency(port: int, keys: int, count: int) -> list[float]:
    import aiosmtplib

    rng, out = random.Random(2), []
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as client:
        for _ in range(count):
            i = rng.randrange(keys)
            body = (
                f"Subject: {reference(i)}: home visit\r\nFrom: sw@{INTERNAL}\r\nTo: {public(i)}\r\n\r\n"
                f"Our ref {reference(i)}. Following the visit, the next steps.\r\n"
            ).encode()
            started = time.perf_counter()
            await client.sendmail(f"sw@{INTERNAL}", [public(i)], body)
            out.append(time.perf_counter() - started)
    return out


CASES_ON = "observe: false\npatterns:\n  - name: cm\n    regex: 'CM-\\d{7}'\n"
CASES_OFF = "rules:\n  - name: misdirected-recipient\n    enabled: false\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=4000)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in a temporary folder)")
    parser.add_argument("--no-relay", action="store_true", help="skip the relay runs (no root needed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mailguard-affinity-") as tmp_name:
        tmp = Path(tmp_name)
        tmp.chmod(0o755)
        data = tmp / "mailguard"  # bench/relay.py's data folder: `serve` finds this store
        url = args.database_url or f"sqlite:///{data / 'mailguard.db'}"
        settings = Settings(data_dir=data, database_url=url, affinity_key=KEY, internal_domains=[INTERNAL])
        rate = asyncio.run(populate(settings, args.keys))
        print(
            f"learnt {args.keys} cases (2 recipients, 3 messages each) at {rate:,.0f} cases/s into {url.split(':')[0]}"
        )
        timings = asyncio.run(lookups(settings, args.keys, args.lookups))
        for kind, values in timings.items():
            print(f"lookup, {kind:<16} p50 {pct(values, 50):6.2f} ms  p99 {pct(values, 99):6.2f} ms")
        if args.no_relay:
            return 0
        rules = tmp / "rules-run"
        results = {}
        for name, cases in (("guard off", CASES_OFF), ("guard on", CASES_ON)):
            if rules.exists():
                for f in rules.iterdir():
                    f.unlink()
            else:
                rules.mkdir()
            for f in (ROOT / "rules").glob("*.yaml"):
                (rules / f.name).write_text(f.read_text())
            (rules / "cases.yaml").write_text(cases)
            extra = {"MAILGUARD_RULES_DIR": str(rules), "MAILGUARD_AFFINITY_KEY": KEY,
                     "MAILGUARD_INTERNAL_DOMAINS": INTERNAL, "MAILGUARD_DATABASE_URL": url}  # fmt: skip
            with sink() as sink_port, mailguard(sink_port, "1", tmp, extra) as port:
                asyncio.run(relay_latency(port, args.keys, 50))  # warm-up
                results[name] = asyncio.run(relay_latency(port, args.keys, args.messages))
        print(f"\nrelay latency, one session, {args.messages} sequential messages naming a known case (ms):")
        for name, values in results.items():
            print(f"  {name:<10} p50 {pct(values, 50):6.2f}  p99 {pct(values, 99):6.2f}")
        off, on = results["guard off"], results["guard on"]
        print(f"  added      p50 {pct(on, 50) - pct(off, 50):6.2f}  p99 {pct(on, 99) - pct(off, 99):6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
