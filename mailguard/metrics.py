"""Prometheus metrics. Names are fixed by INTERFACE.md; labels never carry an address,
a subject or a message id (only verdicts, rule names, reasons and error kinds)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

MESSAGES = Counter("mailguard_messages", "Messages by final verdict", ["verdict"])
RULE_HITS = Counter("mailguard_rule_hits", "Rule firings", ["rule"])
QUARANTINE_MESSAGES = Gauge("mailguard_quarantine_messages", "Quarantine items by status", ["status"])
QUARANTINE_OLDEST_HELD = Gauge(
    "mailguard_quarantine_oldest_held_seconds", "Age of the oldest held item (0 when none)"
)
REVIEW_DECISIONS = Counter("mailguard_review_decisions", "Reviewer decisions", ["decision"])
SCAN_SECONDS = Histogram("mailguard_scan_seconds", "Extraction, detection and policy time", buckets=_LATENCY_BUCKETS)
RELAY_SECONDS = Histogram(
    "mailguard_relay_seconds", "End of DATA to the reply to the client", buckets=_LATENCY_BUCKETS
)
UPSTREAM_ERRORS = Counter("mailguard_upstream_errors", "Upstream failures", ["kind"])
UNSCANNABLE_PARTS = Counter("mailguard_unscannable_parts", "Parts that could not be read", ["reason"])
