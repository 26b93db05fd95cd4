"""The metric names the relay's /metrics really shows, and a way to find metric names in PromQL."""

from __future__ import annotations

import re

from prometheus_client import REGISTRY

import mailguard.metrics  # noqa: F401  (registers the mailguard metrics)

# Series Prometheus itself records for every scrape target, not exported by the relay.
PROMETHEUS_SYNTHETIC = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})

_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
}


def exported_names() -> set[str]:
    """Every sample name the default registry can expose, labelled children or not."""
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(family.name + s for s in _SUFFIXES.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


_KEYWORDS = frozenset(
    {
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "offset",
        "bool",
        "and",
        "or",
        "unless",
        "inf",
        "nan",
    }
)
_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_BRACES = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_VARIABLES = re.compile(r"\$\{?\w+(?::\w+)?\}?")
_DURATION = re.compile(r"\b\d+(?:ms|[smhdwy])\b")
_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def promql_metric_names(expr: str) -> set[str]:
    """Metric names an expression selects (function names, keywords and labels left out)."""
    text = _VARIABLES.sub(" ", _STRINGS.sub('""', expr))
    text = _GROUPING.sub(" ", _RANGES.sub(" ", _BRACES.sub(" ", text)))
    text = _DURATION.sub(" ", text)
    names = set()
    for match in _NAME.finditer(text):
        rest = text[match.end() :].lstrip()
        if rest.startswith("("):
            continue  # a function or aggregation
        if match.group().lower() in _KEYWORDS:
            continue
        names.add(match.group())
    return names
