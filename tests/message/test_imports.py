"""mailguard.message has no import cycles: every import (function-local ones too, except those
under `if TYPE_CHECKING:`) is an edge, and the graph of its modules must be acyclic. The graph and
the cycle finder are the architecture tests' (tests/architecture/module_graph.py)."""

from __future__ import annotations

from architecture.module_graph import cycles, import_graph

PACKAGE = "mailguard.message"


def message_graph() -> dict[str, set[str]]:
    every = import_graph(top_level_only=False)
    inside = {m for m in every if m == PACKAGE or m.startswith(PACKAGE + ".")}
    return {m: every[m] & inside for m in inside}


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_in_mailguard_message() -> None:
    edges = message_graph()
    assert f"{PACKAGE}.extract.sink" in edges
    assert cycles(edges) == []
