"""Replace found spans by the marker, in plain text and across the text nodes of XML and HTML.

A `Finder` returns (start, end) spans of protected data in a string (the register's matcher).
Text split over several nodes (a Word paragraph's runs, an HTML block's inline tags) is joined
before finding, so a mention split across runs is still found; the marker goes where the span
starts and the rest of the span is cut from every node it covers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

MARKER = "[address withheld]"
Finder = Callable[[str], list[tuple[int, int]]]

_FOLD = re.compile(r"\r?\n[ \t]")
_DELIMITERS = str.maketrans({",": " ", "\t": " ", ";": " ", '"': " ", "|": " "})
_CONTEXT = 60


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def find_all(text: str, finder: Finder, kind: str) -> list[tuple[int, int]]:
    spans = list(finder(text))
    if kind == "csv":  # cells apart: the same text with delimiters as spaces (offsets unchanged)
        spans += finder(text.translate(_DELIMITERS))
    return merged(spans)


def redact_text(text: str, finder: Finder, kind: str) -> tuple[str, int, list[str]]:
    """(redacted text, spans replaced, preview lines). `kind`: text, csv, folded (ICS/vCard:
    lines unfolded first), html (only the text between tags)."""
    if kind == "html":
        return redact_nodes(text, re.compile(r">(?P<t>[^<]+)<"), finder, sep=" ", escape=True)
    if kind == "folded":
        text = _FOLD.sub("", text)
    spans = find_all(text, finder, kind)
    if not spans:
        return text, 0, []
    new = _cut([text], [0], spans)[0]
    return new, len(spans), _previews(new)


def redact_nodes(
    chunk: str, node: re.Pattern[str], finder: Finder, *, sep: str = "", escape: bool = True
) -> tuple[str, int, list[str]]:
    """Redact the text of `node` matches (group "t") in `chunk`, found as one joined text."""
    nodes = list(node.finditer(chunk))
    if not nodes:
        return chunk, 0, []
    texts = [html.unescape(m.group("t")) if escape else m.group("t") for m in nodes]
    offsets: list[int] = []
    pos = 0
    for t in texts:
        offsets.append(pos)
        pos += len(t) + len(sep)
    spans = find_all(sep.join(texts), finder, "text")
    if not spans:
        return chunk, 0, []
    new_texts = _cut(texts, offsets, spans)
    pieces: list[str] = []
    last = 0
    for match, new in zip(nodes, new_texts, strict=True):
        pieces += [chunk[last : match.start("t")], html.escape(new, quote=False) if escape else new]
        last = match.end("t")
    pieces.append(chunk[last:])
    return "".join(pieces), len(spans), _previews(sep.join(new_texts))


def _cut(texts: list[str], offsets: list[int], spans: list[tuple[int, int]]) -> list[str]:
    """Each text with the spans cut out; the marker once per span, in the first node it covers."""
    placed: set[int] = set()
    out: list[str] = []
    for text, base in zip(texts, offsets, strict=True):
        chars: list[str] = []
        for i, ch in enumerate(text):
            at = base + i
            hit = next((k for k, (s, e) in enumerate(spans) if s <= at < e), None)
            if hit is None:
                chars.append(ch)
            elif hit not in placed:
                placed.add(hit)
                chars.append(MARKER)
        out.append("".join(chars))
    return out


def _previews(text: str) -> list[str]:
    out: list[str] = []
    for match in re.finditer(re.escape(MARKER), text):
        start, end = max(0, match.start() - _CONTEXT), min(len(text), match.end() + _CONTEXT)
        out.append(" ".join(text[start:end].split()))
    return out
