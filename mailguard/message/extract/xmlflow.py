"""One streaming walker for the word-processing XML of DOCX, PPTX and ODF: paragraphs are
batched, table rows become ROW segments, memory stays flat on a 20,000-paragraph document.

A dialect names the elements; text found in text boxes, tracked deletions, comments or
notes is read like any other, because a recipient can read it too."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from lxml import etree

from mailguard.message.extract.sink import Paragraphs, PartFailed, Path, Sink
from mailguard.message.model import SegmentKind, UnscannedReason

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
T = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TB = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass(frozen=True)
class Dialect:
    paragraphs: frozenset[str]
    tables: frozenset[str]
    rows: frozenset[str]
    cells: frozenset[str]
    texts: frozenset[str] = frozenset()  # elements whose .text is content (w:t, a:t)
    breaks: frozenset[str] = frozenset()  # line breaks inside a paragraph
    spaces: frozenset[str] = frozenset()  # a tab or ODF's <text:s text:c="n"/>
    skip: frozenset[str] = frozenset()  # subtrees read elsewhere (or duplicates, like mc:Fallback)
    mixed: bool = False  # ODF: text and tails anywhere in a paragraph are content
    tags: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", tuple(self.paragraphs | self.tables | self.rows | self.cells))


WORD = Dialect(
    paragraphs=frozenset({W + "p"}),
    tables=frozenset({W + "tbl"}),
    rows=frozenset({W + "tr"}),
    cells=frozenset({W + "tc"}),
    texts=frozenset({W + "t", W + "delText"}),
    breaks=frozenset({W + "br", W + "cr", A + "br"}),
    spaces=frozenset({W + "tab", W + "ptab"}),
    skip=frozenset({MC + "Fallback", W + "txbxContent", W + "p", A + "p"}),
)
DRAWING = Dialect(  # PPTX slides, notes and comments; XLSX drawings and comments
    paragraphs=frozenset({A + "p", P + "text", S + "text"}),
    tables=frozenset({A + "tbl"}),
    rows=frozenset({A + "tr"}),
    cells=frozenset({A + "tc"}),
    texts=frozenset({A + "t", S + "t", P + "text"}),
    breaks=frozenset({A + "br"}),
    skip=frozenset({MC + "Fallback", A + "p", S + "rPh"}),
)
ODF = Dialect(
    paragraphs=frozenset({T + "p", T + "h"}),
    tables=frozenset({TB + "table"}),
    rows=frozenset({TB + "table-row"}),
    cells=frozenset({TB + "table-cell", TB + "covered-table-cell"}),
    breaks=frozenset({T + "line-break"}),
    spaces=frozenset({T + "s", T + "tab"}),
    skip=frozenset({T + "p", T + "h", T + "note", OFFICE + "annotation"}),
    mixed=True,
)


def _paragraph_text(elem: etree._Element, d: Dialect) -> str:
    out: list[str] = []

    def walk(node: etree._Element) -> None:
        if d.mixed and node.text:
            out.append(node.text)
        for child in node:
            tag = child.tag
            if tag in d.skip:
                pass
            elif tag in d.texts:
                if child.text:
                    out.append(child.text)
            elif tag in d.breaks:
                out.append("\n")
            elif tag in d.spaces:
                count = child.get(T + "c")
                out.append(" " * (int(count) if count and count.isdigit() and int(count) < 100 else 1))
            elif len(child):
                walk(child)
            elif d.mixed and child.text:
                out.append(child.text)
            if d.mixed and child.tail:
                out.append(child.tail)

    if not d.mixed and elem.tag in d.texts and elem.text:  # a <p:text> comment holds its own text
        out.append(elem.text)
    walk(elem)
    return "".join(out)


class _Table:
    def __init__(self, number: int) -> None:
        self.number = number
        self.row = 0
        self.cells: list[str] = []
        self.lines: list[str] | None = None  # the open cell's paragraphs


def walk_xml(sink: Sink, stream: IO[bytes], path: Path, dialect: Dialect, numbered: bool = True) -> None:
    """Stream one XML part to segments under `path`."""
    paras = Paragraphs(sink, path, numbered)
    tables: list[_Table] = []
    table_count = 0
    open_paras = 0
    parser = etree.iterparse(
        stream, events=("start", "end"), tag=dialect.tags, resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False, remove_comments=True,
    )
    try:
        for event, elem in parser:
            tag = elem.tag
            if event == "start":
                if tag in dialect.paragraphs:
                    open_paras += 1
                elif tag in dialect.tables:
                    table_count += 1
                    tables.append(_Table(table_count))
                elif tag in dialect.rows and tables:
                    tables[-1].row += 1
                    tables[-1].cells = []
                elif tag in dialect.cells and tables:
                    tables[-1].lines = []
                continue
            if tag in dialect.paragraphs:
                open_paras -= 1
                text = _paragraph_text(elem, dialect).strip()
                if tables and tables[-1].lines is not None:
                    if text:
                        tables[-1].lines.append(text)
                else:
                    paras.add(text)
                if open_paras == 0 and not tables:
                    _forget(elem)
            elif tag in dialect.cells and tables:
                table = tables[-1]
                table.cells.append(" ".join(" ".join(table.lines or []).split()))
                table.lines = None
            elif tag in dialect.rows and tables:
                table = tables[-1]
                cells = table.cells
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    paras.flush()
                    sink.text((*path, f"table {table.number}, row {table.row}"), " | ".join(cells),
                              SegmentKind.ROW)
                table.cells = []
                if open_paras == 0 and len(tables) == 1:
                    _forget(elem)
            elif tag in dialect.tables and tables:
                tables.pop()
                if not tables and open_paras == 0:
                    _forget(elem)
    except etree.XMLSyntaxError as exc:
        paras.flush()
        raise PartFailed(UnscannedReason.CORRUPT, f"XML: {str(exc)[:80]}") from None
    paras.flush()


def _forget(elem: etree._Element) -> None:
    """Drop what has been read, so the tree never holds the whole document."""
    elem.clear(keep_tail=True)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]
