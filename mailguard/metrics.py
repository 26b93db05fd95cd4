"""Prometheus metrics. Names are fixed by INTERFACE.md; labels never carry an address,
a subject or a message id (only verdicts, rule names, reasons and error kinds).

Several relay worker processes may share one port. prometheus_client then needs its
multiprocess mode: set PROMETHEUS_MULTIPROC_DIR (a writable, empty folder) in the environment
*before* anything imports prometheus_client, call `reset_multiprocess_dir()` once in the parent
before the workers start, `worker_exited(pid)` when a worker ends, and serve /metrics with
`exposition()`, which sums what every process wrote.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> Path | None:
    """The multiprocess folder when multiprocess mode is on, else None."""
    value = os.environ.get(MULTIPROC_ENV) or os.environ.get(MULTIPROC_ENV.lower())
    return Path(value) if value else None


# prometheus_client opens its per-process files when a metric without labels is created,
# i.e. right below: the folder must exist by then.
if (_dir := multiprocess_dir()) is not None:
    _dir.mkdir(parents=True, exist_ok=True)

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

MESSAGES = Counter("mailguard_messages", "Messages by final verdict", ["verdict"])
RULE_HITS = Counter("mailguard_rule_hits", "Rule firings", ["rule"])
# The quarantine gauges describe the shared store, not this process: every process and every
# instance reports the same figure, so in multiprocess mode the freshest write wins, and
# dashboards take max() across instances, never sum().
QUARANTINE_MESSAGES = Gauge(
    "mailguard_quarantine_messages", "Quarantine items by status", ["status"], multiprocess_mode="mostrecent"
)
QUARANTINE_OLDEST_HELD = Gauge(
    "mailguard_quarantine_oldest_held_seconds",
    "Age of the oldest held item (0 when none)",
    multiprocess_mode="mostrecent",
)
REVIEW_DECISIONS = Counter("mailguard_review_decisions", "Reviewer decisions", ["decision"])
# Senders resolving their own exposure hold from the link in their notice: bcc, split, as_is
SENDER_DECISIONS = Counter("mailguard_sender_decisions", "Senders' own choices for exposure holds", ["decision"])
SCAN_SECONDS = Histogram("mailguard_scan_seconds", "Extraction, detection and policy time", buckets=_LATENCY_BUCKETS)
RELAY_SECONDS = Histogram("mailguard_relay_seconds", "End of DATA to the reply to the client", buckets=_LATENCY_BUCKETS)
UPSTREAM_ERRORS = Counter("mailguard_upstream_errors", "Upstream failures", ["kind"])
DKIM_CHANGES = Counter(
    "mailguard_dkim_changes", "Copies mailguard changed: re-signed, or left with a broken DKIM signature", ["kind"]
)
UNSCANNABLE_PARTS = Counter("mailguard_unscannable_parts", "Parts that could not be read", ["reason"])
AUTH_FAILURES = Counter("mailguard_auth_failures", "Failed SMTP AUTH attempts (all client addresses)")
ADMIN_AUTH_FAILURES = Counter(
    "mailguard_admin_auth_failures",
    "Admin API requests refused for their token: reason invalid (wrong token) or throttled (429)",
    ["reason"],
)
OBSERVE_ONLY_OVERRIDES = Counter(
    "mailguard_observe_only_overrides",
    "Messages passed only because observe-only mode is on, by the verdict they would have had",
    ["verdict"],
)

REGISTER_ROWS = Gauge(
    "mailguard_register_rows",
    "Rows of the protected register in use (0: protection against protected-address leaks is off)",
    multiprocess_mode="mostrecent",
)
UPSTREAM_UP = Gauge(
    "mailguard_upstream_up",
    "1 when the upstream accepted a TCP connection at the last check",
    multiprocess_mode="mostrecent",
)
READY = Gauge("mailguard_ready", "1 when /readyz would answer 200 at the last check", multiprocess_mode="mostrecent")

# --- misdirection guard (rules/cases.yaml) ---
AFFINITY_KEYS = Gauge(
    "mailguard_affinity_keys",
    "Cases the misdirection guard has learnt recipients for (the shared store's figure)",
    multiprocess_mode="mostrecent",
)
AFFINITY_WOULD_HOLD = Counter(
    "mailguard_affinity_would_hold",
    "Messages the misdirection rule would have held (or held) to a recipient new to the case, "
    "by rule; with observe: true in cases.yaml they pass",
    ["rule"],
)
AFFINITY_LOOKUP_ERRORS = Counter(
    "mailguard_affinity_lookup_errors", "Scans decided without case history: the store did not answer in time"
)
AFFINITY_DROPPED = Counter(
    "mailguard_affinity_dropped", "Deliveries not learnt because the learning queue was full"
)

QUARANTINE_STATUSES = ("held", "released", "rejected", "expired")

# Label values known in advance: created at 0 at import, so the first burst after a start shows
# in rate() and increase() (a series that appears at 1 has no earlier sample to differ from).
KNOWN_LABELS: dict[Counter, tuple[str, ...]] = {
    MESSAGES: ("pass", "rewrite", "hold", "reject", "tempfail"),
    REVIEW_DECISIONS: ("release", "reject"),
    SENDER_DECISIONS: ("bcc", "split", "as_is"),
    UPSTREAM_ERRORS: ("connect", "tls", "auth", "timeout", "disconnect", "refused", "protocol"),
    UNSCANNABLE_PARTS: ("encrypted", "too_large", "too_deep", "timeout", "unknown_format", "corrupt", "ambiguous_mime"),
    ADMIN_AUTH_FAILURES: ("invalid", "throttled"),
    OBSERVE_ONLY_OVERRIDES: ("rewrite", "hold", "reject", "tempfail"),
    DKIM_CHANGES: ("resigned", "left_broken"),
    AFFINITY_WOULD_HOLD: ("misdirected-recipient",),
}


def count_message(verdict: str | None, reply: str) -> None:
    """Count one message by the reply the client finally got: any 4xx is `tempfail` (a store or
    upstream fault after a pass/hold verdict too), a 5xx is `reject`, a 2xx keeps the verdict."""
    if reply.startswith("4") or verdict is None:
        verdict = "tempfail"
    elif reply.startswith("5"):
        verdict = "reject"
    MESSAGES.labels(verdict=verdict).inc()


def precreate(counter: Counter, values: Iterable[str]) -> None:
    """Create `counter`'s series for these values of its one label (at 0 if new)."""
    (label,) = counter._labelnames  # every labelled counter here has exactly one label
    for value in values:
        counter.labels(**{label: value})


def precreate_known() -> None:
    """Every counter with known label values, at 0. Call once per process, after a fork too
    (multiprocess mode writes each process's series to its own file)."""
    for counter, values in KNOWN_LABELS.items():
        precreate(counter, values)


precreate_known()


class QuarantineCounts(Protocol):
    """What `refresh_quarantine_gauges` needs of `mailguard.quarantine.QuarantineStore`."""

    async def counts(self) -> Mapping[str, int]: ...

    async def oldest_held_seconds(self) -> float | None: ...

    async def decisions_elsewhere(self) -> Mapping[str, int]: ...


async def refresh_quarantine_gauges(store: QuarantineCounts) -> None:
    """Set the quarantine gauges from the store (call before each scrape).

    Computed from the shared store, so the figures are right however many relays there are.
    Every known status is set, zero when the store has none.
    """
    counts = await store.counts()
    oldest = await store.oldest_held_seconds()
    for status in (*QUARANTINE_STATUSES, *(s for s in counts if s not in QUARANTINE_STATUSES)):
        QUARANTINE_MESSAGES.labels(status=status).set(counts.get(status, 0))
    QUARANTINE_OLDEST_HELD.set(max(0.0, oldest or 0.0))
    # decisions taken by `mailguard quarantine` (another process) since the last look
    for decision, n in (await store.decisions_elsewhere()).items():
        REVIEW_DECISIONS.labels(decision=decision).inc(n)


def reset_multiprocess_dir() -> None:
    """Remove files other processes left in the multiprocess folder (a previous run's).

    Call once in the parent process at start-up, before starting workers: the parent's own
    files stay, so metrics it already created keep working.
    """
    path = multiprocess_dir()
    if path is None:
        return
    mine = f"_{os.getpid()}.db"
    for file in path.glob("*.db"):
        if not file.name.endswith(mine):
            file.unlink(missing_ok=True)


def worker_exited(pid: int) -> None:
    """Tell the multiprocess collector a worker is gone (drops its live-mode gauges)."""
    path = multiprocess_dir()
    if path is not None:
        multiprocess.mark_process_dead(pid, str(path))


def exposition_registry() -> CollectorRegistry:
    """The registry /metrics shows: this process's, or every process's in multiprocess mode."""
    path = multiprocess_dir()
    if path is None:
        return REGISTRY  # already carries the process, platform and GC collectors
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(path))
    # Process figures of the serving process only: prometheus_client cannot merge them.
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    return registry


def exposition() -> tuple[bytes, str]:
    """The /metrics body and its content type."""
    return generate_latest(exposition_registry()), CONTENT_TYPE_LATEST
