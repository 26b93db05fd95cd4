"""Reading a PDF page by position: the text runs pypdf's extraction visits, ordered the way a
reader sees them rather than the way the content stream stores them.

- position order: lines top to bottom (runs on one baseline form a line), runs left to right;
- columns: within a line, a gap wider than a few characters separates cells; cells are
  grouped into columns by where they start, and each column is read top to bottom. A letter
  whose letterhead stands beside the address block ("Flat 4  PO Box 249 / 86 Causewayside
  Mitcheldean / …" in stream order) then reads as two blocks.

Sorting is O(n log n) in the page's runs, and at most `MAX_RUNS` runs of a page are kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_RUNS = 20_000
_CHAR_WIDTH = 0.5  # an average glyph is about half an em wide (Helvetica, Arial, Times)
_CELL_GAP = 2.5  # ems of blank between two runs of one line that make them separate cells
_COLUMN_GAP = 36.0  # points (half an inch) between cell starts that make separate columns


@dataclass(slots=True)
class Run:
    x: float
    y: float
    size: float  # the effective font size, in points
    text: str

    @property
    def end(self) -> float:
        return self.x + len(self.text) * self.size * _CHAR_WIDTH


@dataclass(slots=True)
class Runs:
    runs: list[Run] = field(default_factory=list)

    def visit(self, text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        """pypdf's `visitor_text`: one run of text, its text matrix `tm` and the current
        transformation `cm` (the run's origin is tm's translation mapped through cm)."""
        text = " ".join(text.split())
        if not text or len(self.runs) >= MAX_RUNS:
            return
        try:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[0] * cm[0]) or abs(tm[3] * cm[3]) or 1.0
            self.runs.append(Run(float(x), float(y), max(1.0, float(size or 10) * float(scale)), text))
        except (TypeError, ValueError, IndexError):
            return

    def lines(self) -> list[list[list[Run]]]:
        """Lines top to bottom, each a list of cells (runs left to right, split at wide gaps)."""
        ordered = sorted(self.runs, key=lambda r: (-r.y, r.x))
        lines: list[list[Run]] = []
        for run in ordered:
            if lines and abs(lines[-1][0].y - run.y) <= run.size * 0.4:
                lines[-1].append(run)
            else:
                lines.append([run])
        out = []
        for line in lines:
            line.sort(key=lambda r: r.x)
            cells: list[list[Run]] = [[line[0]]]
            for run in line[1:]:
                if run.x - cells[-1][-1].end > _CELL_GAP * run.size:
                    cells.append([run])
                else:
                    cells[-1].append(run)
            out.append(cells)
        return out

    def readings(self, stream: str) -> list[tuple[str, str]]:
        """("layout", text) and ("columns", text), each only when it differs from `stream`."""
        if len(self.runs) < 2:
            return []
        lines = self.lines()
        seen = {" ".join(stream.split())}
        found: list[tuple[str, str]] = []
        layout = "\n".join("   ".join(_cell_text(c) for c in cells) for cells in lines)
        columns = _columns(lines)
        for label, text in (("layout", layout), ("columns", columns)):
            flat = " ".join(text.split())
            if text and flat not in seen:
                seen.add(flat)
                found.append((label, text))
        return found


def _cell_text(cell: list[Run]) -> str:
    return " ".join(run.text for run in cell)


def _columns(lines: list[list[list[Run]]]) -> str:
    """Each column's cells top to bottom, columns left to right; "" for a one-column page."""
    starts = sorted({cell[0].x for cells in lines for cell in cells})
    if not starts or starts[-1] - starts[0] <= _COLUMN_GAP:
        return ""
    bounds = [starts[0]]
    for x in starts[1:]:
        if x - bounds[-1] > _COLUMN_GAP:
            bounds.append(x)
    if len(bounds) < 2:
        return ""
    blocks: list[list[str]] = [[] for _ in bounds]
    for cells in lines:
        for cell in cells:
            column = max(i for i, start in enumerate(bounds) if start <= cell[0].x + 0.01)
            blocks[column].append(_cell_text(cell))
    return "\n\n".join("\n".join(block) for block in blocks if block)
