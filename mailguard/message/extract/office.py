"""DOCX/DOCM/DOTX, PPTX and ODT/ODP read with zip + lxml: body, tables, headers and footers,
footnotes, endnotes, comments, text boxes, tracked deletions, speaker notes, hyperlink targets,
embedded files."""

from __future__ import annotations

import re

from mailguard.message.extract.hyperlinks import odf_hyperlinks, ooxml_hyperlinks
from mailguard.message.extract.safezip import SafeZip
from mailguard.message.extract.sink import PartFailed, Path, Sink, Stop
from mailguard.message.extract.xmlflow import DRAWING, ODF, WORD, Dialect, walk_xml
from mailguard.message.model import UnscannedReason

_NUMBER = re.compile(r"(\d+)")
_WORD_PART = re.compile(
    r"word/(?:glossary/)?(document|header\d*|footer\d*|footnotes|endnotes|comments\w*)\.xml$"
)
_SLIDE_PART = re.compile(r"ppt/(slides/slide|notesSlides/notesSlide|comments/\w*?)(\d*)\.xml$")
_EMBEDDED = re.compile(r"^(?:word|ppt|xl)/embeddings/|^Object \d+/|^ObjectReplacements/", re.I)


def _number(name: str) -> int:
    found = _NUMBER.findall(name)
    return int(found[-1]) if found else 0


def _walk_member(
    sink: Sink, z: SafeZip, name: str, path: Path, dialect: Dialect, numbered: bool = True
) -> None:
    try:
        with z.open_xml(name) as stream:
            walk_xml(sink, stream, path, dialect, numbered)
    except PartFailed as exc:
        sink.unscanned(path, exc.reason, exc.detail)


def _word_label(stem: str, glossary: bool) -> tuple[str, ...]:
    if stem == "document":
        return ("glossary",) if glossary else ()
    match = re.fullmatch(r"(header|footer)(\d*)", stem)
    if match:
        return (f"{match[1]} {match[2] or 1}",)
    return (stem,)


def _word_part_label(part: str) -> tuple[str, ...]:
    match = _WORD_PART.match(part)
    return _word_label(match[1], "glossary" in part) if match else ()


def extract_word(sink: Sink, z: SafeZip, path: Path, depth: int) -> None:
    found = [(m, n) for n in z.names() if (m := _WORD_PART.match(n))]
    found.sort(key=lambda mn: (mn[0][1] != "document", "glossary" in mn[1], mn[1]))
    if not any(m[1] == "document" for m, _ in found):
        raise PartFailed(UnscannedReason.CORRUPT, "DOCX without word/document.xml")
    for match, name in found:
        body = match[1] == "document"
        _walk_member(sink, z, name, (*path, *_word_label(match[1], "glossary" in name)), WORD, numbered=body)
    ooxml_hyperlinks(sink, z, path, _word_part_label)
    extract_embedded(sink, z, path, depth)


def extract_slides(sink: Sink, z: SafeZip, path: Path, depth: int) -> None:
    found = [(m, n) for n in z.names() if (m := _SLIDE_PART.match(n))]
    found.sort(key=lambda mn: (mn[0][1][:5], _number(mn[1])))
    for _, name in found:
        _walk_member(sink, z, name, (*path, *_slide_label(name)), DRAWING, numbered=False)
    ooxml_hyperlinks(sink, z, path, _slide_label)
    extract_embedded(sink, z, path, depth)


def _slide_label(part: str) -> tuple[str, ...]:
    match = _SLIDE_PART.match(part)
    if match is None:
        return ()
    if match[1].startswith("slides/"):
        return (f"slide {match[2]}",)
    if match[1].startswith("notesSlides/"):
        return (f"notes {match[2]}",)
    return ("comments",)


def extract_sheet_extras(sink: Sink, z: SafeZip, path: Path, depth: int) -> None:
    """What calamine does not read in an XLSX: comments, text boxes and shapes, embedded files."""
    for name in z.names():
        if re.match(r"xl/(comments\d*|threadedComments/\w+|drawings/drawing\d+)\.xml$", name):
            label = "comments" if "omments" in name else "drawing"
            _walk_member(sink, z, name, (*path, label), DRAWING, numbered=False)
    ooxml_hyperlinks(sink, z, path, _sheet_label)
    extract_embedded(sink, z, path, depth)


def _sheet_label(part: str) -> tuple[str, ...]:
    """Sheets are named by calamine, not by part: a sheet's links go under its part's number."""
    match = re.match(r"xl/worksheets/sheet(\d+)\.xml$", part)
    return (f"sheet {match[1]}",) if match else ()


def extract_odf_text(sink: Sink, z: SafeZip, path: Path, depth: int) -> None:
    """ODT/ODP (and the notes of an ODS): content.xml, then styles.xml for headers and footers."""
    if "content.xml" not in z.by_name:
        raise PartFailed(UnscannedReason.CORRUPT, "OpenDocument without content.xml")
    _walk_member(sink, z, "content.xml", path, ODF)
    odf_hyperlinks(sink, z, "content.xml", path)
    if "styles.xml" in z.by_name:
        _walk_member(sink, z, "styles.xml", (*path, "headers and footers"), ODF, numbered=False)
    extract_embedded(sink, z, path, depth)


def extract_embedded(sink: Sink, z: SafeZip, path: Path, depth: int) -> None:
    """OLE objects and packages embedded in a document are documents of their own."""
    for name in z.names():
        if not _EMBEDDED.match(name) or name.endswith((".xml", ".rels")) or name.endswith("/"):
            continue
        if name.startswith("ObjectReplacements/"):  # ODF's preview images of objects
            continue
        sub = (*path, f'embedded "{name.rsplit("/", 1)[-1]}"')
        try:
            sink.enter(sub, depth + 1)
            data = z.read(name)
        except PartFailed as exc:
            sink.unscanned(sub, exc.reason, exc.detail)
            continue
        except Stop:
            raise
        sink.document(data, name.rsplit("/", 1)[-1], "", sub, depth + 1, entered=True)
