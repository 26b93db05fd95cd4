"""HTML as a reader could see it: all text (hidden text too, since CSS can be undone by any
client), alt/title attributes, link targets (`mailto:` addresses, the words in a URL),
entities decoded, comments and scripts dropped; table rows as ROW segments so cells never
glue across rows.

Linear in size and depth, on hostile input too:
- one walk over the tree reads the running text, every table row and the link targets; a
  text is part of the cells of at most its `CELL_REACH` innermost tables (a nested table's
  rows are also read as rows of their own), so 1,700 nested tables cost 1,700 rows, not
  1,700² cell texts;
- the parser (lexbor) is itself quadratic in the depth of some open elements (`<div>` 8,000
  deep: 0.25 s) and in the attribute count of one tag (duplicate checks), so a linear
  pre-scan (`tame`) sends markup deeper than `MAX_DEPTH` or with more than `MAX_ATTRS`
  attributes on one tag to a flat reader instead: every text and link target is still read,
  only table rows are not told apart.
"""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from mailguard.message.extract.sink import Path, Sink
from mailguard.message.model import SegmentKind

MAX_DEPTH = 512  # open elements at once (real mail: < 60); lexbor parses 500 divs in 0.5 ms
MAX_ATTRS = 512  # whitespace-separated words in one tag: an over-count of its attributes
CELL_REACH = 8  # a text counts in the cells of its 8 innermost tables (layout tables nest ~6)

_BLOCK = frozenset(
    "address article aside blockquote caption center dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody "
    "td tfoot th thead title tr ul option legend".split()
)
_SKIP = frozenset({"script", "style", "noscript", "template", "-comment", "object", "svg"})
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_IMPLIED_END = frozenset("p li dt dd td th tr option".split())  # an open one ends at the next
# where the search for an open sibling stops: a row or cell never ends one of an outer table,
# a paragraph or list item never ends one outside the table cell it is in
_CELLS = frozenset({"td", "th", "tr"})
_TABLE = frozenset({"table"})
_BLOCK_SCOPE = frozenset({"table", "td", "th"})
_SIBLING_REACH = 3  # <tr><td>… : the open sibling is at most this deep (td inside tr inside tbody)
_ATTRS = ("alt", "title", "aria-label", "placeholder")
_SPACE = re.compile(r"\s+")
# a tag for the pre-scan and the flat reader; `[^<>]*` keeps every try within one tag (linear)
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/<>]*+)([^<>]*+)>")
_FLAT_ATTR = re.compile(
    r"""\b(alt|title|aria-label|placeholder|value|href)\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)'|([^\s"'<>]+))""", re.I)


def tame(data: str) -> bool:
    """True when the parser's cost is linear for `data`: open elements stay under MAX_DEPTH
    and no tag has more than MAX_ATTRS attribute words. One regex pass keeping a stack of open
    elements the way the parser roughly does: an end tag closes its element if it is among
    the innermost `_REACH`, and `<p>`, `<li>`, `<td>`, `<tr>`… close an open sibling. It may
    over-count (odd markup then goes to `_flat`, which still reads every word), never by much
    under-count; each element is pushed and popped once, so it is linear."""
    stack: list[str] = []
    for match in _TAG.finditer(data):
        closing, name, attrs = match.groups()
        name = name.lower()
        if closing:
            if stack and stack[-1] == name:  # the usual case, cheaply
                stack.pop()
            else:
                _close(stack, name)
            continue
        if attrs:
            if len(attrs) > MAX_ATTRS and len(attrs.split()) > MAX_ATTRS:
                return False
            if attrs[-1] == "/":
                continue
        if name in _VOID:
            continue
        if name in _IMPLIED_END and stack:
            if stack[-1] == name:
                stack.pop()
            else:
                _close(stack, name, _SIBLING_REACH, _TABLE if name in _CELLS else _BLOCK_SCOPE)
        stack.append(name)
        if len(stack) > MAX_DEPTH:
            return False
    return True


def _close(stack: list[str], name: str, reach: int = 16, scope: frozenset[str] = frozenset()) -> None:
    """Pop the innermost open `name` (and what is inside it), if among the `reach` innermost
    and not outside an element of `scope` (a nested table's row never ends the outer row)."""
    for i in range(len(stack) - 1, max(-1, len(stack) - 1 - reach), -1):
        if stack[i] == name:
            del stack[i:]
            return
        if stack[i] in scope:
            return


def _attrs_text(node: LexborNode) -> list[str]:
    attrs = node.attributes
    found = [v for k in _ATTRS if (v := attrs.get(k))]
    if node.tag == "input" and attrs.get("type", "text") not in ("hidden", "password") and attrs.get("value"):
        found.append(attrs["value"] or "")
    return [v for v in found if v and v.strip()]


class _Reader:
    """One iterative walk (explicit exits, so blocks end lines and inline tags don't)."""

    def __init__(self, sink: Sink | None, path: Path) -> None:
        self.sink = sink  # None: tables are read as running text, a line per cell (`html_text`)
        self.path = path
        self.flow: list[str] = []  # running text outside tables
        self.targets: list[str] = []  # link targets, in document order
        self.tables: list[list[int]] = []  # open tables: [number, rows so far]
        self.rows: list[tuple[int, int, list[list[str]]]] = []  # open rows: table, row, cells
        self.cells: list[list[str]] = []  # open cells' text pieces
        self.table_count = 0

    def put(self, text: str) -> None:
        if self.cells:
            for cell in self.cells[-CELL_REACH:]:
                cell.append(text)
        else:
            self.flow.append(text)

    def walk(self, root: LexborNode) -> None:
        stack: list[tuple[LexborNode, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            tag = node.tag
            if leaving:
                self.leave(tag)
                continue
            if tag == "-text":
                self.put(_SPACE.sub(" ", node.text_content or ""))
                continue
            if tag in _SKIP:
                continue
            if tag == "head":  # only the <title> of the head is shown anywhere
                title = node.css_first("title")
                if title is not None:
                    self.put(title.text(strip=True) + "\n")
                continue
            if tag == "br":
                self.put("\n")
                continue
            if node.attributes:
                extra = _attrs_text(node)
                if extra:
                    self.put("\n" + "\n".join(extra) + "\n")
                if tag in ("a", "area") and (href := node.attributes.get("href")):
                    self.targets.append(href)
            if tag in _BLOCK:
                self.enter(tag)
                stack.append((node, True))
            children = list(node.iter(include_text=True))
            stack.extend((child, False) for child in reversed(children))

    def enter(self, tag: str) -> None:
        """A block starts: a line ends, unless it opens a row or a cell (read as rows)."""
        if self.sink is not None:
            if tag == "table":
                self.table_count += 1
                self.tables.append([self.table_count, 0])
            elif tag == "tr" and self.tables:
                table = self.tables[-1]
                table[1] += 1
                self.rows.append((table[0], table[1], []))
                return
            elif tag in ("td", "th") and self.rows:
                cell: list[str] = []
                self.rows[-1][2].append(cell)
                self.cells.append(cell)
                return
        self.put("\n")

    def leave(self, tag: str) -> None:
        """A block ends: a line ends, or the row is read, or the cell is closed."""
        if self.sink is not None:
            if tag == "table" and self.tables:
                self.tables.pop()
            elif tag == "tr" and self.rows:
                self.row(*self.rows.pop())
                return
            elif tag in ("td", "th") and self.cells:
                self.cells.pop()
                return
        self.put("\n")

    def row(self, table: int, number: int, cells: list[list[str]]) -> None:
        texts = [" ".join("".join(cell).split()) for cell in cells]
        while texts and not texts[-1]:
            texts.pop()
        if any(texts) and self.sink is not None:
            self.sink.text((*self.path, f"table {table}, row {number}"), " | ".join(texts), SegmentKind.ROW)

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self.flow).splitlines())
        return "\n".join(line for line in lines if line)


def _flat(data: str, targets: list[str]) -> str:
    """Markup the parser would choke on: every tag out (blocks end lines), entities decoded,
    the readable attributes kept and the link targets put in `targets`. One regex pass."""

    def tag(match: re.Match[str]) -> str:
        extra = []
        for attr in _FLAT_ATTR.finditer(match.group(3)):
            value = html.unescape(attr.group(2) or attr.group(3) or attr.group(4) or "")
            if attr.group(1).lower() == "href":
                targets.append(value)
            elif value.strip():
                extra.append(value)
        name = match.group(2).lower()
        end = "\n" if name in _BLOCK or name == "br" else ""
        return end + "\n".join(extra) + ("\n" if extra else "")

    text = html.unescape(_TAG.sub(tag, data))
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _read(sink: Sink | None, data: str, path: Path) -> tuple[str, list[str]]:
    """The running text and the link targets of `data` (rows go to `sink`, when given)."""
    if not tame(data):
        targets: list[str] = []
        return _flat(data, targets), targets
    root = LexborHTMLParser(data).root
    if root is None:
        return "", []
    reader = _Reader(sink, path)
    reader.walk(root)
    return reader.text(), reader.targets


def html_text(data: str) -> str:
    """The text of `data` as one reading, table cells a line each (the review page's view)."""
    return _read(None, data, ())[0]


def extract_html(sink: Sink, data: str, path: Path) -> None:
    text, targets = _read(sink, data, path)
    sink.text(path, text)
    # link targets show on hover and click: read after the text, numbered in document order
    for target in targets:
        sink.link(path, target)
