"""Hyperlink targets of office documents, which a reader sees on hover and follows on click.

OOXML keeps them out of the text: `<w:hyperlink r:id="rId5">` (and a:hlinkClick, a sheet's
`<hyperlink r:id>`) point into the part's `_rels/*.rels`, whose external Relationship of type
…/hyperlink holds the URL. OpenDocument has them inline as `<text:a xlink:href>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from mailguard.message.extract.safezip import SafeZip
from mailguard.message.extract.sink import PartFailed, Path, Sink
from mailguard.message.model import UnscannedReason

_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_ODF_LINKS = ("{urn:oasis:names:tc:opendocument:xmlns:text:1.0}a",
              "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}a")
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_RELS = re.compile(r"^((?:word|ppt|xl)/(?:.+/)?)_rels/([^/]+)\.rels$")

Label = Callable[[str], tuple[str, ...]]  # a source part's name -> its place under the document


def _attributes(z: SafeZip, name: str, tags: tuple[str, ...], attr: str) -> list[tuple[str, str]]:
    """(value of `attr`, Type) of every `tags` element of one XML member."""
    found: list[tuple[str, str]] = []
    with z.open_xml(name) as stream:
        parser = etree.iterparse(stream, events=("end",), tag=tags, resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False)
        try:
            for _, elem in parser:
                value = elem.get(attr)
                if value:
                    found.append((value, elem.get("Type", "")))
                elem.clear(keep_tail=True)
        except etree.XMLSyntaxError as exc:
            raise PartFailed(UnscannedReason.CORRUPT, f"XML: {str(exc)[:80]}") from None
    return found


def ooxml_hyperlinks(sink: Sink, z: SafeZip, path: Path, label: Label) -> None:
    """Every external hyperlink of a DOCX/PPTX/XLSX, read as `path › <part> › link N`."""
    for name in z.names():
        match = _RELS.match(name)
        if match is None:
            continue
        source = match[1] + match[2]  # word/_rels/document.xml.rels -> word/document.xml
        at = (*path, *label(source))
        try:
            for target, kind in _attributes(z, name, (_REL,), "Target"):
                if kind.endswith("/hyperlink"):
                    sink.link(at, target)
        except PartFailed as exc:
            sink.unscanned(at, exc.reason, exc.detail)


def odf_hyperlinks(sink: Sink, z: SafeZip, name: str, path: Path) -> None:
    """`<text:a xlink:href>` and `<draw:a>` links of one OpenDocument XML member."""
    try:
        for target, _ in _attributes(z, name, _ODF_LINKS, _XLINK_HREF):
            sink.link(path, target)
    except PartFailed as exc:
        sink.unscanned(path, exc.reason, exc.detail)
