"""The tree reads as the pipeline: no import circles, and the store, the detectors and the
readers never reach the relay, the admin app or the command line (directly or through
another module, counting function-local imports too)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from module_graph import cycles, import_graph, reachable

LOWER = ("quarantine", "detect", "message", "organisation", "upstream")
UPPER = ("relay", "admin", "cli")


def _package(module: str) -> str:
    return [*module.split("."), ""][1]


def test_no_import_circles() -> None:
    found = cycles(import_graph())
    assert found == [], f"import circles: {found}"


def test_no_circle_at_import_time() -> None:
    assert cycles(import_graph(top_level_only=True)) == []


def test_lower_layers_never_reach_relay_admin_or_cli() -> None:
    graph = import_graph()
    wrong = {
        module: sorted(r for r in reachable(graph, module) if _package(r) in UPPER)
        for module in graph
        if _package(module) in LOWER
    }
    assert {m: r for m, r in wrong.items() if r} == {}


def test_admin_does_not_import_cli() -> None:
    graph = import_graph()
    assert not [m for m in graph if _package(m) == "admin" and any(_package(r) == "cli" for r in graph[m])]


def test_detectors_readers_and_the_organisation_know_no_policy() -> None:
    """Value types they share (Snippet, address patterns) live below the policy."""
    graph = import_graph()
    below = ("detect", "message", "organisation", "upstream")
    above = ("policy", "actions", "quarantine")
    wrong = {m: sorted(r for r in graph[m] if _package(r) in above) for m in graph if _package(m) in below}
    assert {m: r for m, r in wrong.items() if r} == {}


def test_module_names_say_what_they_hold() -> None:
    """No two modules share a file name: a newcomer finds `store.py` once, not three times."""
    package = Path(__file__).resolve().parents[2] / "mailguard"
    names = Counter(p.name for p in package.rglob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert [name for name, count in names.items() if count > 1] == []
