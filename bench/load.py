"""Load: many concurrent sessions plus slow clients against a real `mailguard serve`.

    .venv/bin/python -m bench.load [--sessions 200] [--messages 5] [--slow 20] [--big 20 --big-size 5000000]
                                   [--hostile 3] [--admin-attack 1] [--tricklers 1030]
    .venv/bin/python -m bench.load --sessions 0 --big 0 --hostile 3 --admin-attack 2   # the attacks only

(from the repository root: it imports the tests' support package).

Phases, one relay (real rules, register, SQLite store; recording upstream in this process):
1. normal only: `--sessions` concurrent clients (spread over 127.0.0.x source addresses, as
   many offices would be), each sending `--messages` 10 KB messages; reply latency per command;
2. the same while `--slow` clients trickle one byte a second (slowloris) and hold their slots;
3. `--big` clients sending `--big-size` messages at once (the relay reads DATA into memory);
4. the caps: past MAILGUARD_MAX_CONNECTIONS, and past the per-client cap from one address,
   the greeting must be `421 4.7.0`;
5. hostile HTML (`--hostile` messages of each shape: 1,700 nested tables, 12,000 nested
   `<div>`s, a tag with 6,000 attributes, and 8 KB of table rows and of spans) sent
   concurrently while well-behaved probes run: NOOP every 10 ms on an idle session (the reply
   time is the relay's event-loop lag plus a loopback round trip; the target is p99 < 50 ms),
   GET /healthz every 50 ms (admin latency) and a 10 KB message every 100 ms (SMTP latency);
6. hostile clients elsewhere: `--admin-attack` unauthenticated 200 MB POSTs at once and
   `--tricklers` slow clients on the admin port, with the same probes and the relay's peak
   RSS; then 11 outside addresses x 50 idle SMTP sessions and whether an allowed client still
   gets its 250.
Prints p50/p99 reply latency with and without slow clients (fair service), the relay's RSS
(process and extraction workers) idle, peak per phase, and after, and what the caps answered.
Keep runs short: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tests.support.crash import INTERNAL, policy_relay
from tests.support.loop import ThreadLoop
from tests.support.upstream import RecordingUpstream

ROOT = Path(__file__).resolve().parent.parent

T = TypeVar("T")
BODY = ("x" * 76 + "\r\n") * 130  # ~10 KB


def rss_kb(pid: int) -> int:
    """Resident memory of `pid` and its descendants, KiB."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, rss_kb(self.pid))

    def stop(self) -> int:
        self._stop.set()
        self.join()
        return self.peak


async def reply(reader: asyncio.StreamReader) -> str:
    while True:
        line = (await reader.readline()).decode("ascii", "replace")
        if not line:
            raise ConnectionError("closed")
        if line[3:4] != "-":
            return line.rstrip()


async def normal_client(host: str, port: int, source: str, messages: int, latencies: list[float], index: int) -> int:
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    ok = 0
    try:
        greeting = await reply(reader)
        if not greeting.startswith("220"):
            return 0

        async def command(line: bytes) -> str:
            started = time.perf_counter()
            writer.write(line)
            answer = await reply(reader)
            latencies.append(time.perf_counter() - started)
            return answer

        await command(b"EHLO load.test\r\n")
        for n in range(messages):
            rcpt = f"colleague{index}@{INTERNAL}" if n % 3 else "info@partner.example"
            await command(f"MAIL FROM:<officer@{INTERNAL}>\r\n".encode())
            await command(f"RCPT TO:<{rcpt}>\r\n".encode())
            await command(b"DATA\r\n")
            data = f"From: officer@{INTERNAL}\r\nTo: {rcpt}\r\nSubject: load {index}/{n}\r\n\r\n{BODY}.\r\n"
            if (await command(data.encode())).startswith("250"):
                ok += 1
        writer.write(b"QUIT\r\n")
        await writer.drain()
    finally:
        writer.close()
    return ok


async def slow_client(host: str, port: int, source: str, stop: asyncio.Event) -> None:
    """One byte a second: a transaction whose data never quite ends."""
    try:
        _, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    except OSError:
        return
    script = (
        f"EHLO slow.test\r\nMAIL FROM:<officer@{INTERNAL}>\r\nRCPT TO:<x@{INTERNAL}>\r\nDATA\r\n"
        "Subject: slow\r\n\r\n" + "y" * 10_000
    ).encode()
    try:
        for byte in script:
            if stop.is_set():
                break
            writer.write(bytes([byte]))
            await asyncio.sleep(1.0)
    except OSError:
        pass
    finally:
        writer.close()


async def big_client(host: str, port: int, source: str, size: int) -> str:
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    try:
        await reply(reader)
        envelope = [b"EHLO big.test\r\n", f"MAIL FROM:<officer@{INTERNAL}>\r\n".encode()]
        for line in (*envelope, b"RCPT TO:<b@partner.example>\r\n", b"DATA\r\n"):
            writer.write(line)
            await reply(reader)
        writer.write(b"Subject: big\r\n\r\n" + (b"z" * 998 + b"\r\n") * (size // 1000) + b".\r\n")
        return await reply(reader)
    finally:
        writer.close()


def hostile_bodies() -> dict[str, str]:
    """HTML that once stalled the loop, and the costliest small shapes (small HTML was once read
    on the loop)."""
    row = "<tr><td>14 Acacia Avenue</td><td>x@example.org</td></tr>"
    return {
        "nested tables": "<table><tr><td>" * 1700 + "x",
        "nested divs": "<div>" * 12_000 + "x",
        "6,000 attributes": "<p " + " ".join(f'a{i}="v"' for i in range(6000)) + ">x</p>",
        "8 KB of rows": "<table>" + row * (7600 // len(row)) + "</table>",
        "8 KB of spans": "<span>x</span>" * 540,
    }


async def hostile_client(
    host: str, port: int, source: str, body: str, kind: str = "text/html", rcpt: str = "b@partner.example"
) -> str:
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    try:
        await reply(reader)
        for line in (b"EHLO hostile.test\r\n", f"MAIL FROM:<officer@{INTERNAL}>\r\n".encode(),
                     f"RCPT TO:<{rcpt}>\r\n".encode(), b"DATA\r\n"):
            writer.write(line)
            await reply(reader)
        writer.write(f"Subject: hostile\r\nContent-Type: {kind}\r\n\r\n{body}\r\n.\r\n".encode())
        return await reply(reader)
    finally:
        writer.close()


def dense_bodies(size: int, copy: int = 0) -> dict[str, str]:
    """Issue 11's texts, `size` characters each, to be matched against the register: case-file
    text dense with addresses, one address repeated (a mail merge), and the worst input the
    matcher's search found (tests/detect/register/test_linear.py), its numbers varied per copy.
    Each `copy` differs but the mail merge (the matcher remembers what it verified: copies
    alike would cost one scan)."""
    from bench.scan import make_rows, make_text
    from tests.detect.register.test_linear import REPEATED, WORST

    rng = random.Random(4 + copy)
    dense = "\r\n".join(s.text for s in make_text(list(make_rows(1000)), size, seed=2 + copy))
    worst: list[str] = []
    while sum(map(len, worst)) < size:
        worst.append(" ".join(str(rng.randint(1, 300)) if w.isdigit() else w for w in WORST.split(" ")))
    return {
        "address-dense": dense[:size],
        "repeated address": ((REPEATED * 20 + "\r\n") * (size // (20 * len(REPEATED)) + 1))[:size],
        "worst input": "\r\n".join(worst)[:size],
    }


DENSE_REGISTER = Path(__file__).resolve().parents[1] / "tests" / "detect" / "register" / "register.csv"
FLAGGED = "ex.partner@gmail.com"  # flagged for the first row of that register: its mail is matched in full
PROBE_TIMEOUT = 10.0  # seconds; a probe that gets no answer counts as this long


@dataclass
class Probed:
    """What a well-behaved client saw while an attack ran (seconds per probe)."""

    loop: list[float] = field(default_factory=list)  # NOOP round trip on an idle SMTP session: loop lag
    admin: list[float] = field(default_factory=list)  # GET /healthz on the admin port
    smtp: list[float] = field(default_factory=list)  # a 10 KB message, connect to 250

    def line(self) -> str:
        return f"SMTP {_lag(self.loop)}; admin /healthz {_spread(self.admin)}; SMTP 10 KB message {_spread(self.smtp)}"


async def _healthz(admin_port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", admin_port, local_addr=("127.0.5.2", 0))
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        if not (await reader.readline()).startswith(b"HTTP/1.1 200"):
            raise ConnectionError("healthz not 200")
    finally:
        writer.close()


async def probes(host: str, port: int, admin_port: int, work: Callable[[], Awaitable[T]]) -> tuple[Probed, T, float]:
    """Probe the relay while `work()` runs (started once the probes do): NOOPs every 10 ms on an
    idle session (127.0.5.1; the relay's event-loop lag plus a loopback round trip), /healthz
    every 50 ms, and a 10 KB message every 100 ms. Returns the probes, what `work()` returned,
    and how long it took."""
    reader, writer = await asyncio.open_connection(host, port, local_addr=("127.0.5.1", 0))
    await reply(reader)
    seen = Probed()
    stop = asyncio.Event()

    async def every(pause: float, samples: list[float], once: Callable[[], Awaitable[object]]) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                await asyncio.wait_for(once(), PROBE_TIMEOUT)
                samples.append(time.perf_counter() - started)
            except (OSError, TimeoutError):
                samples.append(PROBE_TIMEOUT)
            await asyncio.sleep(pause)

    async def noop() -> None:
        writer.write(b"NOOP\r\n")
        await reply(reader)

    probers = [
        asyncio.create_task(every(0.01, seen.loop, noop)),
        asyncio.create_task(every(0.05, seen.admin, lambda: _healthz(admin_port))),
        asyncio.create_task(every(0.1, seen.smtp, lambda: big_client(host, port, "127.0.5.3", 10_000))),
    ]
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    result = await work()
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*probers)
    writer.close()
    return seen, result, elapsed


async def run_hostile(
    host: str, port: int, admin_port: int, bodies: list[str], kind: str = "text/html", rcpt: str = "b@partner.example"
) -> tuple[Probed, list[str], float]:
    """The probes while `bodies` are sent at once."""

    def answers() -> Awaitable[list[Any]]:
        clients = (
            hostile_client(host, port, f"127.0.6.{1 + i % 40}", body, kind, rcpt) for i, body in enumerate(bodies)
        )
        return asyncio.gather(*clients, return_exceptions=True)

    seen, results, elapsed = await probes(host, port, admin_port, answers)
    return seen, [str(a)[:3] for a in results], elapsed


def dense_phase(folder: Path, upstream_port: int, count: int, size: int) -> None:
    """`count` of each of issue 11's texts at once, to a relay of its own holding the register
    they were made against (tests/detect/register/register.csv: the repeated address is its
    first row, the worst find packs its postcodes), and the probes meanwhile."""
    folder.mkdir()
    relay = policy_relay(folder, upstream_port, extract_workers=2, register=DENSE_REGISTER)
    relay.start()
    try:
        copies = [dense_bodies(size, i) for i in range(count)]
        for label in copies[0]:
            bodies = [texts[label] for texts in copies]
            seen, codes, elapsed = asyncio.run(
                run_hostile(relay.host, relay.port, admin_port_of(relay), bodies, "text/plain", FLAGGED)
            )
            print(f"{count} x {size / 1e6:g} MB {label} to a flagged recipient at once: "
                  f"replies {sorted(set(codes))} in {elapsed:.1f} s")
            print(f"    meanwhile: {seen.line()}")
    finally:
        relay.stop()


# --- hostile clients of the admin listener and outsiders on the SMTP port (issue 12) -------------

OUTSIDE = "127.200.0."  # outside MAILGUARD_CLIENT_NETWORKS as this bench sets it (127.0.0.0/9)


async def admin_big_body(admin_port: int, size: int = 200 << 20) -> tuple[int, str]:
    """An unauthenticated `size`-byte POST to the release API: (bytes taken before the answer, answer)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", admin_port)
    writer.write(
        b"POST /api/quarantine/QAAAAAAAAAAAA/release HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size
    )
    sent, block = 0, b"{" * (1 << 20)
    # The answer comes before the body is read, and a reset (we keep writing) may discard it
    # from our receive buffer: so take it in while writing.
    answering = asyncio.ensure_future(reader.readline())
    try:
        while sent < size and not answering.done():
            writer.write(block)
            await writer.drain()
            sent += len(block)
    except OSError:
        pass  # refused and closed while we wrote
    try:
        answer = await asyncio.wait_for(answering, 120)
    except (OSError, TimeoutError):
        answer = b""
    finally:
        writer.close()
    return sent, answer.decode("ascii", "replace").strip() or "closed"


async def admin_tricklers(admin_port: int, count: int, seconds: float) -> tuple[int, int]:
    """`count` connections sending one header byte a second for `seconds`: (connected, still
    held by the listener at the end)."""
    readers, writers = [], []
    for _ in range(count):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", admin_port)
        except OSError:
            continue
        readers.append(reader)
        writers.append(writer)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for writer in writers:
            if not writer.is_closing():
                writer.write(b"G")
        await asyncio.sleep(1.0)
    # Let go by the listener: closed (EOF), answered (503), or reset (dropped while we wrote).
    alive = sum(
        not (r.at_eof() or r._buffer or r.exception() or w.is_closing())  # type: ignore[attr-defined]
        for r, w in zip(readers, writers, strict=True)
    )
    for writer in writers:
        writer.close()
    return len(writers), alive


async def outsider_flood(host: str, port: int, addresses: int = 11, each: int = 50) -> tuple[int, int, str]:
    """`addresses` x `each` idle sessions from outside the client networks, then one allowed
    client's transaction: (greeted, refused, the allowed client's reply to its message)."""
    held, refused = [], 0
    for a in range(addresses):
        for _ in range(each):
            try:
                reader, writer = await asyncio.open_connection(host, port, local_addr=(f"{OUTSIDE}{a + 1}", 0))
                greeting = await asyncio.wait_for(reply(reader), 10)
            except (OSError, ConnectionError, TimeoutError):
                refused += 1
                continue
            if greeting.startswith("220"):
                held.append(writer)
            else:
                refused += 1
                writer.close()
    try:
        answer = await big_client(host, port, "127.0.0.1", 10_000)
    except (OSError, ConnectionError) as exc:
        answer = f"failed: {exc}"
    for writer in held:
        writer.close()
    return len(held), refused, answer


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def sources(count: int) -> list[str]:
    return [f"127.0.0.{2 + i % 40}" for i in range(count)]


async def run_normal(host: str, port: int, args: argparse.Namespace, slow: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    stop = asyncio.Event()
    trickle = [asyncio.create_task(slow_client(host, port, f"127.0.1.{1 + i % 5}", stop)) for i in range(slow)]
    if slow:
        await asyncio.sleep(5)  # the slow ones are in their transactions, holding slots
    started = time.perf_counter()
    ips = sources(args.sessions)
    done = await asyncio.gather(
        *(normal_client(host, port, ips[i], args.messages, latencies, i) for i in range(args.sessions)),
        return_exceptions=True,
    )
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*trickle, return_exceptions=True)
    return latencies, sum(d for d in done if isinstance(d, int)), elapsed


async def probe_caps(host: str, port: int, max_connections: int, per_client: int) -> tuple[str, str]:
    held = []
    try:
        for _ in range(per_client):
            reader, writer = await asyncio.open_connection(host, port, local_addr=("127.0.2.1", 0))
            await reply(reader)
            held.append(writer)
        reader, writer = await asyncio.open_connection(host, port, local_addr=("127.0.2.1", 0))
        per = await reply(reader)
        writer.close()
        i = 0
        while len(held) < max_connections:
            reader, writer = await asyncio.open_connection(host, port, local_addr=(f"127.0.3.{1 + i // per_client}", 0))
            i += 1
            await reply(reader)
            held.append(writer)
        reader, writer = await asyncio.open_connection(host, port, local_addr=("127.0.4.1", 0))
        total = await reply(reader)
        writer.close()
        return per, total
    finally:
        for writer in held:
            writer.close()


def _spread(values: list[float]) -> str:
    if not values:
        return "no probes"
    return (
        f"({len(values)} probes) p50 {statistics.median(values) * 1000:.1f} ms, "
        f"p99 {percentile(values, 0.99) * 1000:.1f} ms, max {max(values) * 1000:.0f} ms"
    )


def _lag(lags: list[float]) -> str:
    return f"event-loop lag (NOOP round trip) {_spread(lags)}"


def admin_port_of(relay: Any) -> int:
    return int(str(relay.settings["admin_listen"]).rsplit(":", 1)[1])


def hostile_admin_and_outsiders(relay: Any, posts: int, tricklers: int) -> None:
    """Phase 6: `posts` unauthenticated 200 MB POSTs at once and `tricklers` slow clients on the
    admin port, then 11 outside addresses x 50 idle SMTP sessions; the probes and RSS meanwhile."""
    host, port = relay.host, relay.port
    admin_port = admin_port_of(relay)
    before = rss_kb(relay.pid)
    sampler = Sampler(relay.pid)
    sampler.start()

    def flood() -> Awaitable[list[tuple[int, str]]]:
        return asyncio.gather(*(admin_big_body(admin_port) for _ in range(posts)))

    seen, answers, elapsed = asyncio.run(probes(host, port, admin_port, flood))
    peak = sampler.stop()
    taken = max(sent for sent, _ in answers)
    print(
        f"admin: {posts} unauthenticated 200 MB POST(s) at once: at most {taken >> 20} MB taken, answers "
        f"{sorted({a for _, a in answers})} after {elapsed:.1f} s; peak RSS +{(peak - before) / 1024:.0f} MiB"
    )
    print(f"    meanwhile: {seen.line()}")
    seen, (opened, held), _ = asyncio.run(
        probes(host, port, admin_port, lambda: admin_tricklers(admin_port, tricklers, 15))
    )
    print(f"admin: {opened} clients trickling a header byte a second for 15 s: {held} still held")
    print(f"    meanwhile: {seen.line()}")
    greeted, refused, answer = asyncio.run(outsider_flood(host, port))
    print(
        f"SMTP: 11 outside addresses x 50 idle sessions: {greeted} greeted, {refused} refused; "
        f"then the allowed client's message -> {answer!r}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--slow", type=int, default=20)
    parser.add_argument("--big", type=int, default=20)
    parser.add_argument("--dense", type=int, default=0, help="messages at once of each of issue 11's texts")
    parser.add_argument("--dense-size", type=int, default=1_000_000)
    parser.add_argument("--big-size", type=int, default=5_000_000)
    parser.add_argument("--max-connections", type=int, default=300)
    parser.add_argument("--per-client", type=int, default=50)
    parser.add_argument(
        "--admin-attack", type=int, default=1, help="unauthenticated 200 MB POSTs at once in phase 6 (0: skip it)"
    )
    parser.add_argument("--tricklers", type=int, default=1030, help="slow admin clients in that phase")
    parser.add_argument("--hostile", type=int, default=3, help="rounds of the hostile HTML shapes")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mailguard-load-"))
    loop = ThreadLoop()
    upstream = RecordingUpstream()
    loop.run(upstream.start())
    relay = policy_relay(
        folder,
        upstream.port,
        extract_workers=2,
        client_networks="127.0.0.0/9",  # 127.200.0.x are outsiders (phase 6)
        max_connections=args.max_connections,
        max_connections_per_client=args.per_client,
    )
    relay.start()
    random.seed(1)
    try:
        host, port = relay.host, relay.port
        idle = rss_kb(relay.pid)
        print(f"relay RSS idle: {idle / 1024:.0f} MiB")
        for slow in (0, args.slow) if args.sessions else ():
            sampler = Sampler(relay.pid)
            sampler.start()
            latencies, ok, elapsed = asyncio.run(run_normal(host, port, args, slow))
            peak = sampler.stop()
            label = f"{args.sessions} sessions" + (f" + {slow} slow clients (1 byte/s)" if slow else "")
            print(
                f"{label}: {ok}/{args.sessions * args.messages} messages 250 in {elapsed:.1f} s "
                f"({ok / elapsed:.0f} msg/s); reply latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
                f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, max {max(latencies) * 1000:.0f} ms; "
                f"peak RSS {peak / 1024:.0f} MiB"
            )
        if args.big:
            sampler = Sampler(relay.pid)
            sampler.start()

            async def bigs() -> list[object]:
                ips = sources(args.big)
                return await asyncio.gather(
                    *(big_client(host, port, ips[i], args.big_size) for i in range(args.big)), return_exceptions=True
                )

            started = time.perf_counter()
            answers = asyncio.run(bigs())
            peak = sampler.stop()
            codes = sorted({str(a)[:3] for a in answers})
            print(
                f"{args.big} concurrent {args.big_size / 1e6:.0f} MB messages: replies {codes} in "
                f"{time.perf_counter() - started:.1f} s; peak RSS {peak / 1024:.0f} MiB "
                f"({(peak - idle) / 1024 / (args.big * args.big_size / 1e6):.1f} MiB per MB in flight)"
            )
        if args.hostile:
            shapes = hostile_bodies()
            ordinary = "<p>" + BODY.replace("\r\n", "</p><p>") + "</p>"  # the same count, 10 KB of paragraphs
            for label, bodies in (("ordinary HTML (baseline)", [ordinary] * len(shapes) * args.hostile),
                                  (f"hostile HTML ({', '.join(shapes)})", list(shapes.values()) * args.hostile)):
                seen, codes, elapsed = asyncio.run(run_hostile(host, port, admin_port_of(relay), bodies))
                print(f"{label}: {len(codes)} messages at once, replies {sorted(set(codes))} in {elapsed:.1f} s")
                print(f"    meanwhile: {seen.line()}")
        if args.dense:
            dense_phase(folder / "dense", upstream.port, args.dense, args.dense_size)
        if args.admin_attack:
            hostile_admin_and_outsiders(relay, args.admin_attack, args.tricklers)
        per, total = asyncio.run(probe_caps(host, port, args.max_connections, args.per_client))
        print(f"caps: connection {args.per_client + 1} from one address -> {per!r}")
        print(f"caps: connection {args.max_connections + 1} in total -> {total!r}")
        time.sleep(1)
        print(f"relay RSS after: {rss_kb(relay.pid) / 1024:.0f} MiB; upstream got {len(upstream.messages)} messages")
    finally:
        print(f"relay exit on SIGTERM: {relay.stop()}")
        loop.run(upstream.stop())
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
