"""Document properties a reader sees in File › Properties (and caseworkers fill with the
property's address): OOXML core and custom properties (docProps/core.xml, docProps/custom.xml
of DOCX, XLSX, PPTX) and ODF meta.xml (title, subject, keywords, description, user-defined).
Each is a FIELD at `properties › title`. Parsed through SafeZip (size and ratio checked, DTDs
refused) with lxml's entity resolution and network access off."""

from __future__ import annotations

from lxml import etree

from mailguard.message.extract.safezip import SafeZip
from mailguard.message.extract.sink import PartFailed, Path, Sink
from mailguard.message.model import SegmentKind

_MEMBERS = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml", "meta.xml")
# local names of the readable properties (Dublin Core, OOXML core, ODF meta)
_READ = {
    "title": "title", "subject": "subject", "keywords": "keywords", "keyword": "keywords",
    "description": "description", "category": "category", "company": "company", "manager": "manager",
    "contentStatus": "status", "comments": "comments",
}
_MAX_VALUE = 10_000  # characters of one property


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def extract_properties(sink: Sink, z: SafeZip, path: Path) -> None:
    names = set(z.names())
    for member in _MEMBERS:
        if member not in names:
            continue
        try:
            with z.open_xml(member) as stream:
                root = etree.parse(stream, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
        except PartFailed as exc:
            sink.unscanned((*path, "properties"), exc.reason, exc.detail)
            continue
        except etree.XMLSyntaxError:
            continue  # a broken property part hides nothing the document body shows
        for elem in root.iter():
            name = _local(elem.tag)
            label = _READ.get(name)
            if label is None and name in ("property", "user-defined"):  # custom / user-defined
                label = elem.get("name") or elem.get("{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}name")
            if not label:
                continue
            text = " ".join("".join(elem.itertext()).split())[:_MAX_VALUE]
            if text:
                sink.text((*path, "properties", label), text, SegmentKind.FIELD)
