"""mailguard.metrics: the contract names, safe labels, store-computed gauges, multiprocess mode."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.parser import text_string_to_metric_families

from mailguard import metrics
from mailguard.envelope import Envelope
from mailguard.policy.verdict import Action, Reason, Verdict
from mailguard.quarantine import QuarantineStore
from mailguard.settings import Settings

from .exported import exported_names

CONTRACT = {
    "mailguard_messages_total",
    "mailguard_rule_hits_total",
    "mailguard_quarantine_messages",
    "mailguard_quarantine_oldest_held_seconds",
    "mailguard_review_decisions_total",
    "mailguard_scan_seconds_bucket",
    "mailguard_relay_seconds_bucket",
    "mailguard_upstream_errors_total",
    "mailguard_unscannable_parts_total",
    "mailguard_observe_only_overrides_total",
}
# Labels may only say what kind of thing happened, never who or what message it was.
ALLOWED_LABELS = {"verdict", "rule", "status", "decision", "kind", "reason"}


def _mailguard_metrics() -> list[Counter | Gauge | Histogram]:
    return [m for m in vars(metrics).values() if isinstance(m, Counter | Gauge | Histogram)]


def test_contract_names_are_exported_with_process_metrics() -> None:
    names = exported_names()
    assert names >= CONTRACT
    assert {"process_resident_memory_bytes", "process_cpu_seconds_total"} <= names


def test_labels_never_carry_addresses_subjects_or_ids() -> None:
    for metric in _mailguard_metrics():
        assert set(metric._labelnames) <= ALLOWED_LABELS, metric._name


def test_exposition_is_prometheus_text_in_one_process() -> None:
    metrics.MESSAGES.labels(verdict="pass").inc()
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain")
    families = {f.name for f in text_string_to_metric_families(body.decode())}
    assert {"mailguard_messages", "mailguard_scan_seconds", "process_resident_memory_bytes"} <= families


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'q.db'}", data_dir=tmp_path, upstream_tls="none", upstream_port=9
    )


def _gauges() -> dict[str, float]:
    values = {
        s: metrics.QUARANTINE_MESSAGES.labels(status=s)._value.get() for s in metrics.QUARANTINE_STATUSES
    }
    values["oldest"] = metrics.QUARANTINE_OLDEST_HELD._value.get()
    return values


async def test_quarantine_gauges_come_from_the_store(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = await QuarantineStore.open(_settings(tmp_path), clock=lambda: now[0])
    try:
        metrics.QUARANTINE_MESSAGES.labels(status="held").set(99)  # stale figure from before
        await metrics.refresh_quarantine_gauges(store)
        assert _gauges() == {"held": 0, "released": 0, "rejected": 0, "expired": 0, "oldest": 0}

        verdict = Verdict(Action.HOLD, reasons=[Reason(rule="r", detector="test", detail="d")])
        envelope = Envelope("a@example.org", ("b@example.net",))
        data = b"From: a@example.org\r\nTo: b@example.net\r\nSubject: s\r\n\r\nbody\r\n"
        await store.hold(envelope, data, verdict)
        now[0] += 600
        await store.hold(envelope, data, verdict)
        now[0] += 60
        await metrics.refresh_quarantine_gauges(store)
        assert _gauges() == {"held": 2, "released": 0, "rejected": 0, "expired": 0, "oldest": 660}
    finally:
        await store.aclose()


_WORKER = textwrap.dedent(
    """
    import sys
    from mailguard import metrics
    metrics.MESSAGES.labels(verdict="pass").inc(int(sys.argv[1]))
    metrics.SCAN_SECONDS.observe(0.02)
    metrics.QUARANTINE_OLDEST_HELD.set(float(sys.argv[2]))
    """
)
_SERVER = textwrap.dedent(
    """
    from mailguard import metrics
    metrics.reset_multiprocess_dir()
    print(metrics.exposition()[0].decode())
    """
)


def _run(code: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_multiprocess_mode_adds_up_the_workers(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS_")}
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "mp")  # created by mailguard.metrics
    _run(_WORKER, env, "3", "100")
    _run(_WORKER, env, "4", "250")

    # What /metrics would show, served from a third process: counters summed, the store-derived
    # gauge the freshest value, histograms merged.
    code = "from mailguard import metrics; print(metrics.exposition()[0].decode())"
    samples = _samples(_run(code, env))
    assert samples[("mailguard_messages_total", (("verdict", "pass"),))] == 7
    assert samples[("mailguard_scan_seconds_count", ())] == 2
    assert samples[("mailguard_quarantine_oldest_held_seconds", ())] == 250
    assert any(name == "process_resident_memory_bytes" for name, _ in samples)

    # A new run's parent clears what earlier processes left: its own series start at 0.
    samples = _samples(_run(_SERVER, env))
    assert samples[("mailguard_messages_total", (("verdict", "pass"),))] == 0
    assert [p.name for p in (tmp_path / "mp").iterdir()] != []  # its own files stay


def test_worker_exited_is_harmless_without_multiprocess_mode() -> None:
    assert metrics.multiprocess_dir() is None
    metrics.worker_exited(12345)
    metrics.reset_multiprocess_dir()


@pytest.mark.parametrize("verdict", ["rewrite", "hold", "reject"])
def test_observe_only_counter_takes_the_would_be_verdict(verdict: str) -> None:
    before = metrics.OBSERVE_ONLY_OVERRIDES.labels(verdict=verdict)._value.get()
    metrics.OBSERVE_ONLY_OVERRIDES.labels(verdict=verdict).inc()
    assert metrics.OBSERVE_ONLY_OVERRIDES.labels(verdict=verdict)._value.get() == before + 1
