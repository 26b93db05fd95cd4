"""deploy/kubernetes/prometheusrule.yaml, generated from deploy/prometheus/alerts.yml.

    .venv/bin/python tests/deploy/prometheusrule.py   # rewrite it in place

alerts.yml stays the source (promtool's unit tests run against it); test_kubernetes.py fails
when the two differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
RULE = DEPLOY / "kubernetes" / "prometheusrule.yaml"
HEAD = """\
# The alert rules of deploy/prometheus/alerts.yml for the Prometheus Operator
# (kube-prometheus-stack selects it by the `release` label: set it to your Helm release name).
# Generated from alerts.yml: .venv/bin/python tests/deploy/prometheusrule.py
"""


def render() -> str:
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    doc = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "mailguard",
            "namespace": "mailguard",
            "labels": {"app.kubernetes.io/name": "mailguard", "release": "kube-prometheus-stack"},
        },
        "spec": {"groups": groups},
    }
    return HEAD + yaml.safe_dump(doc, sort_keys=False, width=120, allow_unicode=True)


if __name__ == "__main__":
    RULE.write_text(render(), encoding="utf-8")
    sys.exit(0)
