"""The PromQL name finder the dashboard and alert tests rely on."""

from __future__ import annotations

from .exported import exported_names, promql_metric_names


def test_finds_metric_names_not_functions_labels_or_variables() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le) (rate(mailguard_scan_seconds_bucket{job=~"$job", '
        'instance=~"$instance"}[$__rate_interval]))) / ignoring(x) max(up offset 5m) > 2 * 3600'
    )
    assert promql_metric_names(expr) == {"mailguard_scan_seconds_bucket", "up"}
    assert promql_metric_names('sum(rate(mailguard_messages_total{verdict="hold"}[5m])) > 0.05') == {
        "mailguard_messages_total"
    }


def test_exported_names_cover_suffixes_of_unlabelled_and_labelled_metrics() -> None:
    names = exported_names()
    assert {
        "mailguard_messages_total",
        "mailguard_scan_seconds_bucket",
        "mailguard_scan_seconds_count",
        "mailguard_quarantine_messages",
        "process_resident_memory_bytes",
    } <= names
