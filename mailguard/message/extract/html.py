"""HTML as a reader could see it: all text (hidden text too, since CSS can be undone by any
client), alt/title attributes, link targets (`mailto:` addresses, the words in a URL),
entities decoded, comments and scripts dropped; table rows as ROW segments so cells never
glue across rows."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from mailguard.message.extract.sink import Path, Sink
from mailguard.message.model import SegmentKind

_BLOCK = frozenset(
    "address article aside blockquote caption center dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody "
    "td tfoot th thead title tr ul option legend".split()
)
_SKIP = frozenset({"script", "style", "noscript", "template", "-comment", "head", "object", "svg"})
_ATTRS = ("alt", "title", "aria-label", "placeholder")
_SPACE = re.compile(r"\s+")


def _attrs_text(node: LexborNode) -> list[str]:
    attrs = node.attributes
    found = [v for k in _ATTRS if (v := attrs.get(k))]
    if node.tag == "input" and attrs.get("type", "text") not in ("hidden", "password") and attrs.get("value"):
        found.append(attrs["value"] or "")
    return [v for v in found if v and v.strip()]


def _flow_text(root: LexborNode) -> str:
    """Depth-first over the tree with explicit exits, so blocks end lines and inline tags don't."""
    out: list[str] = []
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            out.append("\n")
            continue
        if tag == "-text":
            out.append(_SPACE.sub(" ", node.text_content or ""))
            continue
        if tag in _SKIP and tag != "head":
            continue
        if tag == "head":  # only the <title> of the head is shown anywhere
            title = node.css_first("title")
            if title is not None:
                out.append(title.text(strip=True) + "\n")
            continue
        if tag == "br":
            out.append("\n")
            continue
        extra = _attrs_text(node) if node.attributes else []
        if extra:
            out.append("\n" + "\n".join(extra) + "\n")
        if tag in _BLOCK:
            out.append("\n")
            stack.append((node, True))
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    lines = (line.strip() for line in "".join(out).splitlines())
    return "\n".join(line for line in lines if line)


def _own_rows(table: LexborNode) -> list[LexborNode]:
    rows: list[LexborNode] = []
    for child in table.iter():
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("tbody", "thead", "tfoot"):
            rows.extend(c for c in child.iter() if c.tag == "tr")
    return rows


def extract_html(sink: Sink, data: str, path: Path) -> None:
    tree = LexborHTMLParser(data)
    root = tree.root
    if root is None:
        return
    # link targets show on hover and click: read after the text, numbered in document order
    targets = [href for node in tree.css("a[href], area[href]") if (href := node.attributes.get("href"))]
    outer: list[LexborNode] = []
    for number, table in enumerate(tree.css("table"), 1):
        for row_no, row in enumerate(_own_rows(table), 1):
            cells = [
                " ".join(_flow_text(c).split("\n"))
                for c in row.iter()
                if c.tag in ("td", "th")
            ]
            while cells and not cells[-1]:
                cells.pop()
            if any(cells):
                sink.text((*path, f"table {number}, row {row_no}"), " | ".join(cells), SegmentKind.ROW)
        parent = table.parent
        while parent is not None and parent.tag != "table":
            parent = parent.parent
        if parent is None:
            outer.append(table)
    for table in outer:
        table.decompose()
    sink.text(path, _flow_text(root))
    for target in targets:
        sink.link(path, target)
