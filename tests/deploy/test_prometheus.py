"""deploy/prometheus: alert rules and scrape config, checked by promtool when it is installed
(Debian package `prometheus`) and by a schema test always."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .exported import PROMETHEUS_SYNTHETIC, exported_names, promql_metric_names
from .paths import DEPLOY

PROM = DEPLOY / "prometheus"
PROMTOOL = shutil.which("promtool")
REQUIRED_ALERTS = {
    "MailguardRelayDown",
    "MailguardQuarantineBacklogGrowing",
    "MailguardOldestHeldTooOld",
    "MailguardUpstreamErrors",
    "MailguardTempfailRate",
    "MailguardRegisterEmpty",
    "MailguardRegisterShrank",
    "MailguardUpstreamDown",
    "MailguardNoRelayReady",
}


def _rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load((PROM / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


def test_alert_rules_schema() -> None:
    doc = yaml.safe_load((PROM / "alerts.yml").read_text(encoding="utf-8"))
    assert set(doc) == {"groups"}
    for group in doc["groups"]:
        assert set(group) <= {"name", "interval", "rules", "limit"} and group["name"] and group["rules"]
    rules = _rules()
    names = [r["alert"] for r in rules]
    assert len(names) == len(set(names))
    assert REQUIRED_ALERTS <= set(names)
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}, rule[
            "alert"
        ]
        assert isinstance(rule["expr"], str) and rule["expr"].strip()
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert {"summary", "description"} <= set(rule["annotations"])
        assert rule.get("for", "0s")[-1] in "smh"


def test_alerts_name_only_exported_metrics() -> None:
    known = exported_names() | PROMETHEUS_SYNTHETIC
    for rule in _rules():
        names = promql_metric_names(rule["expr"])
        assert names and names <= known, (rule["alert"], names - known)


def test_scrape_config_loads_the_rules_and_scrapes_both_relays() -> None:
    config = yaml.safe_load((PROM / "prometheus.yml").read_text(encoding="utf-8"))
    assert config["rule_files"] == ["alerts.yml"]
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "mailguard"]
    assert job["static_configs"][0]["targets"] == ["mailguard-1:8025", "mailguard-2:8025"]


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (apt-get install prometheus)")
@pytest.mark.parametrize(
    "args",
    [
        ["check", "rules", "alerts.yml"],
        ["check", "config", "prometheus.yml"],
        ["test", "rules", "alerts_test.yml"],
    ],
    ids=["check-rules", "check-config", "rule-unit-tests"],
)
def test_promtool(args: list[str], tmp_path: Path) -> None:
    for name in ("alerts.yml", "prometheus.yml", "alerts_test.yml"):
        shutil.copy(PROM / name, tmp_path / name)
    done = subprocess.run([PROMTOOL, *args], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
