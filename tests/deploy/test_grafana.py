"""deploy/grafana: every panel query names only metrics the relay really exports."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from .exported import PROMETHEUS_SYNTHETIC, exported_names, promql_metric_names
from .paths import DEPLOY

DASHBOARD = DEPLOY / "grafana" / "mailguard.json"
REQUIRED_PANELS = {
    "Rule firings by rule",
    "Rewrite and hold rates",
    "Register rows",
    "Relays ready",
    "Upstream reachable",
    "Tempfail rate",
    "Verdicts over time",
    "Quarantine backlog",
    "Oldest held message",
    "Review decisions",
    "Scan latency percentiles",
    "Relay latency percentiles",
    "Upstream errors",
    "Unscanned parts by reason",
}


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for panel in dashboard["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []))  # collapsed rows keep their panels inside
    return out


def _queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    found = [(p["title"], t["expr"]) for p in _panels(dashboard) for t in p.get("targets", [])]
    for var in dashboard["templating"]["list"]:
        if var["type"] == "query":
            query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
            inner = re.fullmatch(r"label_values\((.*),\s*\w+\)", query)
            found.append((f"${var['name']}", inner.group(1) if inner else query))
    return found


def test_every_query_names_only_exported_metrics(dashboard: dict[str, Any]) -> None:
    known = exported_names() | PROMETHEUS_SYNTHETIC
    queries = _queries(dashboard)
    assert len(queries) > 20
    for title, expr in queries:
        names = promql_metric_names(expr)
        assert names, f"{title}: no metric in {expr!r}"
        assert names <= known, f"{title}: {sorted(names - known)} not exported by the relay"


def test_the_panels_the_issue_asks_for_are_there(dashboard: dict[str, Any]) -> None:
    titles = {p["title"] for p in _panels(dashboard)}
    assert REQUIRED_PANELS <= titles
    metrics_used = set().union(*(promql_metric_names(e) for _, e in _queries(dashboard)))
    for name in (
        "mailguard_rule_hits_total",
        "mailguard_review_decisions_total",
        "mailguard_relay_seconds_bucket",
        "mailguard_unscannable_parts_total",
        "mailguard_upstream_errors_total",
        "mailguard_quarantine_oldest_held_seconds",
        "mailguard_observe_only_overrides_total",
    ):
        assert name in metrics_used


def test_panels_are_well_formed(dashboard: dict[str, Any]) -> None:
    panels = _panels(dashboard)
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    assert dashboard["uid"] == "mailguard"
    for panel in panels:
        grid = panel["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24 and grid["h"] > 0
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}"
            assert panel["targets"] and all(t["refId"] for t in panel["targets"])


def test_quarantine_gauges_are_never_summed_across_instances(dashboard: dict[str, Any]) -> None:
    for title, expr in _queries(dashboard):
        assert not re.search(r"sum[^(]*\((?:[^()]*)mailguard_quarantine", expr), (
            f"{title}: use max(), not sum()"
        )


def test_provisioning_points_at_the_dashboard_and_prometheus() -> None:
    prov = DEPLOY / "grafana" / "provisioning"
    dash = yaml.safe_load((prov / "dashboards" / "mailguard.yaml").read_text())
    ds = yaml.safe_load((prov / "datasources" / "prometheus.yaml").read_text())
    assert dash["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    assert ds["datasources"][0]["type"] == "prometheus" and ds["datasources"][0]["uid"] == "prometheus"


VERDICTS = ("pass", "rewrite", "hold", "reject", "tempfail")


def test_panels_plot_what_their_titles_say(dashboard: dict[str, Any]) -> None:
    """Issue 14, defect 5: "Hold rate by rule" plotted every rule firing (mostly rewrites) and a
    panel titled "Rewrite rate" plotted holds. A title or legend naming one verdict plots that
    verdict's share; rule firings are not titled as one action's."""
    for panel in _panels(dashboard):
        title = panel.get("title", "").lower()
        for target in panel.get("targets", []):
            expr, legend = target["expr"], target.get("legendFormat", "")
            named = set(re.findall(r'verdict="(\w+)"', expr))
            if legend in VERDICTS:
                assert named == {legend}, (panel["title"], legend, expr)
            if "rule_hits" in expr:
                assert not any(v in title for v in ("hold", "rewrite", "reject")), panel["title"]
        titled = {v for v in VERDICTS if re.search(rf"\b{v}\b", title)}
        exprs = [t["expr"] for t in panel.get("targets", [])]
        if titled and exprs and "verdict=" in " ".join(exprs):
            plotted = {v for e in exprs for v in re.findall(r'verdict="(\w+)"', e)}
            assert plotted == titled, (panel["title"], plotted)
