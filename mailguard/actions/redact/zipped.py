"""Redaction inside zipped XML documents: DOCX (paragraph runs), ODT (paragraph text nodes)
and XLSX (shared strings and inline strings). Entries keep their names, order and compression
(ODT's stored `mimetype` stays first); only the XML that held a mention is rewritten."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from mailguard.actions.redact.spans import Finder, redact_nodes

_DOCX_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.S)
_DOCX_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>(?P<t>[^<]*)</w:t>")
_ODT_PARAGRAPH = re.compile(r"<text:(p|h)\b[^>]*>.*?</text:\1>", re.S)
_ODT_TEXT = re.compile(r">(?P<t>[^<]+)<")
_XLSX_STRING = re.compile(r"<(si|is)>.*?</\1>", re.S)
_XLSX_TEXT = re.compile(r"<t(?:\s[^>]*)?>(?P<t>[^<]*)</t>")
_MAX_ENTRY = 200 * 1024 * 1024

Units = list[tuple[re.Pattern[str], re.Pattern[str], str]]  # (unit, text node, joiner)


def redact_docx(data: bytes, finder: Finder) -> tuple[bytes, int, list[str]]:
    return _redact_zip(data, finder, lambda n: n.startswith("word/") and n.endswith(".xml"),
                       [(_DOCX_PARAGRAPH, _DOCX_TEXT, "")])  # fmt: skip


def redact_odt(data: bytes, finder: Finder) -> tuple[bytes, int, list[str]]:
    return _redact_zip(data, finder, lambda n: n in ("content.xml", "styles.xml"), [(_ODT_PARAGRAPH, _ODT_TEXT, "")])


def redact_xlsx(data: bytes, finder: Finder) -> tuple[bytes, int, list[str]]:
    return _redact_zip(data, finder, lambda n: n.startswith("xl/") and n.endswith(".xml"),
                       [(_XLSX_STRING, _XLSX_TEXT, "")])  # fmt: skip


def _redact_zip(
    data: bytes, finder: Finder, wanted: Callable[[str], bool], units: Units
) -> tuple[bytes, int, list[str]]:
    total = 0
    previews: list[str] = []
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.file_size > _MAX_ENTRY:
                raise ValueError("entry too large to redact")
            body = source.read(info)
            if wanted(info.filename):
                text = body.decode("utf-8")
                for unit, node, joiner in units:
                    text, n, preview = _redact_units(text, unit, node, joiner, finder)
                    total += n
                    previews += preview
                body = text.encode("utf-8")
            target.writestr(info, body)
    return out.getvalue(), total, previews


def _redact_units(
    xml: str, unit: re.Pattern[str], node: re.Pattern[str], joiner: str, finder: Finder
) -> tuple[str, int, list[str]]:
    pieces: list[str] = []
    last = 0
    total = 0
    previews: list[str] = []
    for match in unit.finditer(xml):
        new, n, preview = redact_nodes(match.group(0), node, finder, sep=joiner)
        if n:
            pieces += [xml[last : match.start()], new]
            last = match.end()
            total += n
            previews += preview
    pieces.append(xml[last:])
    return "".join(pieces), total, previews
