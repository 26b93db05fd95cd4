"""Relay throughput and added latency: a client -> X -> smtp-sink, in one run.

    sudo .venv/bin/python -m bench.relay [--messages 4000] [--sessions 20] [--size 10240]
                                         [--workers auto] [--mixed 600]

X is, in turn: nothing (direct to smtp-sink), `mailguard serve` out of the box (the real
pipeline: default rules, a 1,000-row protected register, the quarantine store, and the default
MAILGUARD_RELAY_WORKERS unless --workers is given) and, when Postfix is installed, a Postfix relay
configured in a temporary folder (queue + fsync; timed until its queue is drained).

1. Clean 10 KB mail from smtp-source: msg/s and ratios, then per-message latency (one session,
   sequential messages) direct and through mailguard, and the added p50/p99.
2. With --mixed N: N messages of realistic traffic (bench/traffic.py: 70 % short text, 20 % with
   100 KB - 2 MB PDF/DOCX/XLSX attachments, 10 % invites and letters to several members of the
   public) over --sessions connections: msg/s, MB/s and p99 reply latency through mailguard and
   through Postfix.

Needs root (smtp-sink runs with `-u nobody`, Postfix needs root). Keep runs short: the machine
is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from bench.traffic import Mail, StreamResult, build_stream, send_stream, write_register  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


@contextmanager
def sink() -> Iterator[int]:
    port = free_port()
    proc = subprocess.Popen(
        ["smtp-sink", "-u", "nobody", f"127.0.0.1:{port}", "256"], stdout=subprocess.DEVNULL
    )
    try:
        wait_port(port)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


SERVE_PIDS: dict[int, int] = {}  # relay port -> `mailguard serve` pid


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and every process under it, reaped
    children included: the relay's cost whatever else the shared machine is doing."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            stats[int(entry.name)] = fields
    children: dict[int, list[int]] = {}
    for child, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(child)
    ticks, pending = 0, [pid]
    while pending:
        current = pending.pop()
        if current in stats:
            ticks += sum(int(v) for v in stats[current][11:15])  # utime stime cutime cstime
        pending.extend(children.get(current, []))
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def mailguard(upstream_port: int, workers: str | None, tmp: Path, extra: dict[str, str] | None = None) -> Iterator[int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILGUARD_")}
    env.update(
        MAILGUARD_LISTEN=f"127.0.0.1:{port}",
        MAILGUARD_ADMIN_LISTEN=f"127.0.0.1:{free_port()}",
        MAILGUARD_UPSTREAM_PORT=str(upstream_port),
        MAILGUARD_UPSTREAM_TLS="none",
        MAILGUARD_DATA_DIR=str(tmp / "mailguard"),
        MAILGUARD_RULES_DIR=str(ROOT / "rules"),
        MAILGUARD_INTERNAL_DOMAINS="example.com,council.example",
        MAILGUARD_REGISTER=str(write_register(tmp / "register.csv")),
        MAILGUARD_LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore",
    )
    if workers is not None:
        env["MAILGUARD_RELAY_WORKERS"] = workers
    env.update(extra or {})  # bench/affinity.py: its rules, key and store
    proc = subprocess.Popen([sys.executable, "-m", "mailguard", "serve"], env=env, cwd=tmp)
    SERVE_PIDS[port] = proc.pid
    try:
        wait_port(port)
        time.sleep(1.0 + (os.cpu_count() or 2))  # let the spawned workers bind too
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)


POSTFIX_MAIN = """\
compatibility_level = 3.6
queue_directory = {tmp}/queue
data_directory = {tmp}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = postfix-bench.invalid
mydestination =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:{sink}
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_tls_security_level = none
maillog_file_prefixes = {tmp}
maillog_file = {tmp}/maillog
default_process_limit = 100
smtp_destination_concurrency_limit = 20
default_destination_concurrency_limit = 20
"""


@contextmanager
def postfix(sink_port: int, tmp: Path) -> Iterator[tuple[int, Path]]:
    conf = tmp / "postfix-conf"
    conf.mkdir()
    port = free_port()
    (conf / "main.cf").write_text(POSTFIX_MAIN.format(tmp=tmp / "pf", sink=sink_port))
    master = Path("/etc/postfix/master.cf").read_text()
    master = master.replace("smtp      inet  n       -       y       -       -       smtpd", "")
    (conf / "master.cf").write_text(f"127.0.0.1:{port} inet n - n - - smtpd\n" + master)
    for folder in ("queue", "data"):
        (tmp / "pf" / folder).mkdir(parents=True)
    shutil.chown(tmp / "pf" / "data", "postfix")
    subprocess.run(["postfix", "-c", str(conf), "start"], check=True, capture_output=True)
    try:
        wait_port(port)
        yield port, tmp / "pf" / "queue"
    finally:
        subprocess.run(["postfix", "-c", str(conf), "stop"], capture_output=True)


def queued(queue: Path) -> int:
    return sum(
        1
        for d in ("maildrop", "incoming", "active", "deferred")
        for p in (queue / d).rglob("*")
        if p.is_file()
    )


def source(port: int, args: argparse.Namespace) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            "smtp-source",
            "-s",
            str(args.sessions),
            "-m",
            str(args.messages),
            "-l",
            str(args.size),
            "-f",
            "sender@example.com",
            "-t",
            "rcpt@example.org",
            f"127.0.0.1:{port}",
        ],
        check=True,
    )
    return time.perf_counter() - started


async def latencies(port: int, count: int, size: int) -> list[float]:
    import aiosmtplib

    body = b"Subject: latency\r\nFrom: sender@example.com\r\nTo: rcpt@example.org\r\n\r\n" + (
        b"x" * 76 + b"\r\n"
    ) * (size // 78)
    out = []
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as client:
        for _ in range(count):
            started = time.perf_counter()
            await client.sendmail("sender@example.com", ["rcpt@example.org"], body)
            out.append(time.perf_counter() - started)
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--size", type=int, default=10240)
    parser.add_argument("--workers", default=None, help="MAILGUARD_RELAY_WORKERS (default: the setting's default)")
    parser.add_argument("--latency-messages", type=int, default=500)
    parser.add_argument("--mixed", type=int, default=0, help="also replay this many messages of realistic traffic")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("run as root (smtp-sink -u nobody, Postfix)")
        return 2
    rates: dict[str, float] = {}
    mixed: dict[str, StreamResult] = {}
    with tempfile.TemporaryDirectory(prefix="mailguard-bench-") as tmp_name, sink() as sink_port:
        tmp = Path(tmp_name)
        os.chmod(tmp, 0o755)
        rates["direct"] = args.messages / source(sink_port, args)
        stream = build_stream(args.mixed) if args.mixed else []
        with mailguard(sink_port, args.workers, tmp) as relay_port:
            source(relay_port, args)  # warm-up: pools, extraction workers
            cpu = tree_cpu(SERVE_PIDS[relay_port])
            rates["mailguard"] = args.messages / source(relay_port, args)
            cpu_ms = (tree_cpu(SERVE_PIDS[relay_port]) - cpu) / args.messages * 1000
            lat_relay = asyncio.run(latencies(relay_port, args.latency_messages, args.size))
            if stream:
                cpu = tree_cpu(SERVE_PIDS[relay_port])
                mixed["mailguard"] = asyncio.run(send_stream(relay_port, stream, args.sessions, probe=True))
                mixed_cpu = tree_cpu(SERVE_PIDS[relay_port]) - cpu
        lat_direct = asyncio.run(latencies(sink_port, args.latency_messages, args.size))
        if shutil.which("postfix"):
            with postfix(sink_port, tmp) as (pf_port, queue):
                started = time.perf_counter()
                source(pf_port, args)
                while queued(queue):
                    time.sleep(0.05)
                rates["postfix relay"] = args.messages / (time.perf_counter() - started)
                if stream:
                    started = time.perf_counter()
                    result = asyncio.run(send_stream(pf_port, stream, args.sessions))
                    while queued(queue):
                        time.sleep(0.05)
                    result.seconds = time.perf_counter() - started  # until Postfix delivered it all
                    mixed["postfix relay"] = result
    print(f"\nload: {Path('/proc/loadavg').read_text().strip()}")
    print(
        f"\n{args.messages} messages of {args.size} bytes, {args.sessions} sessions,"
        " new connection per message"
    )
    for name, rate in rates.items():
        print(f"  {name:<22} {rate:8.0f} msg/s")
    mg = rates["mailguard"]
    if "postfix relay" in rates:
        print(f"  mailguard / postfix    {mg / rates['postfix relay']:8.2f}x")
    print(f"  mailguard / direct     {mg / rates['direct']:8.2f}x")
    print(f"  mailguard CPU          {cpu_ms:8.2f} ms/msg (all its processes; {os.cpu_count()} CPUs)")
    print(f"\nlatency, one session, {args.latency_messages} sequential messages (ms):")
    print(f"  direct     p50 {pct(lat_direct, 50):6.2f}  p99 {pct(lat_direct, 99):6.2f}")
    print(f"  mailguard  p50 {pct(lat_relay, 50):6.2f}  p99 {pct(lat_relay, 99):6.2f}")
    added50 = pct(lat_relay, 50) - pct(lat_direct, 50)
    added99 = pct(lat_relay, 99) - pct(lat_direct, 99)
    print(f"  added      p50 {added50:6.2f}  p99 {added99:6.2f}")
    if mixed:
        print_mixed(stream, mixed)
        print(f"  mailguard CPU  {mixed_cpu:7.1f} s ({mixed_cpu / len(stream) * 1000:.1f} ms/msg)")
    return 0


def print_mixed(stream: list[Mail], mixed: dict[str, StreamResult]) -> None:
    kinds = {k: sum(1 for m in stream if m.kind == k) for k in ("text", "attachment", "exposure")}
    megabytes = sum(len(m.data) for m in stream) / 1e6
    print(f"\nrealistic traffic: {len(stream)} messages, {megabytes:.1f} MB ({kinds})")
    for name, result in mixed.items():
        rate = len(stream) / result.seconds
        p99 = pct(result.latencies, 99) if len(result.latencies) > 1 else float("nan")
        print(
            f"  {name:<14} {rate:7.1f} msg/s  {megabytes / result.seconds:6.2f} MB/s"
            f"  reply p50 {pct(result.latencies, 50):7.1f} ms  p99 {p99:7.1f} ms  failures {result.failures}"
        )
        if len(result.small_latencies) > 1:
            print(
                f"  {'':<14} short mail reply p50 {pct(result.small_latencies, 50):7.1f} ms"
                f"  p99 {pct(result.small_latencies, 99):7.1f} ms"
            )
        if len(result.loop_lags) > 1:
            print(
                f"  {'':<14} event-loop lag (NOOP) p50 {pct(result.loop_lags, 50):6.1f} ms"
                f"  p99 {pct(result.loop_lags, 99):6.1f} ms  max {max(result.loop_lags) * 1000:6.0f} ms"
            )
    if len(mixed) == 2:
        print(f"  mailguard / postfix  {mixed['postfix relay'].seconds / mixed['mailguard'].seconds:6.2f}x")


if __name__ == "__main__":
    raise SystemExit(main())
