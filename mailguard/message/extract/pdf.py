"""PDF via pypdf (pure Python; it caps each inflated stream, so a flate bomb costs little):
page text, annotations, link targets (/URI actions), form fields, document metadata and
attached files. Encrypted → unscanned unless the empty user password opens it (as any PDF
viewer would, silently).

Content-stream order is not what a reader sees, so each page is read up to three times, in
one pass of pypdf's text extraction (its visitor hands us every text run with its position;
`layout.py` orders them): in stream order, in position order (top to bottom, left to right),
and, where runs stand in separate columns, column by column (a letter's address block beside
its letterhead). The position readings are added only when they differ from stream order."""

from __future__ import annotations

import io
import logging
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PdfReadError, PyPdfError
from pypdf.generic import IndirectObject

from mailguard.message.extract.layout import Runs
from mailguard.message.extract.sink import PartFailed, Path, Sink, Stop
from mailguard.message.model import SegmentKind, UnscannedReason

logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every odd file; we report ourselves

_MAX_PAGES = 5000
_ANNOT_KEYS = ("/Contents", "/T", "/RC", "/V")


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise PartFailed(UnscannedReason.ENCRYPTED, f"pypdf: {exc}") from None
            if not opened:
                raise PartFailed(UnscannedReason.ENCRYPTED, "PDF needs a password")
        return reader
    except FileNotDecryptedError:
        raise PartFailed(UnscannedReason.ENCRYPTED, "PDF needs a password") from None
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise PartFailed(UnscannedReason.CORRUPT, f"pypdf: {type(exc).__name__}") from None


def _annotations(sink: Sink, page: Any, path: Path) -> None:
    annots = _resolve(page.get("/Annots"))
    if not annots:
        return
    for number, ref in enumerate(annots, 1):
        annot = _resolve(ref)
        if not hasattr(annot, "get"):
            continue
        for key in _ANNOT_KEYS:
            value = _resolve(annot.get(key))
            if isinstance(value, str) and value.strip():
                sink.text((*path, f"annotation {number}"), value, SegmentKind.FIELD)
        action = _resolve(annot.get("/A"))
        if hasattr(action, "get") and action.get("/S") == "/URI":  # a link: shown on hover, followed on click
            uri = _resolve(action.get("/URI"))
            if isinstance(uri, (str, bytes)):
                sink.link(path, uri if isinstance(uri, str) else uri.decode("latin-1"))


def _fields(sink: Sink, reader: PdfReader, path: Path) -> None:
    fields = reader.get_fields() or {}
    for name, field in fields.items():
        value = _resolve(field.get("/V"))
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value is not None and str(value).strip() and not str(value).startswith("/"):
            sink.text((*path, f'form field "{name}"'), str(value), SegmentKind.FIELD)


_INFO_KEYS = {"/Title": "title", "/Subject": "subject", "/Keywords": "keywords", "/Author": "author"}
_XMP_FIELDS = {"dc_title": "title", "dc_subject": "subject", "dc_description": "description",
               "pdf_keywords": "keywords"}


def _metadata(sink: Sink, reader: PdfReader, path: Path) -> None:
    """The document Info dictionary and the XMP packet: what File › Properties shows."""
    info = reader.metadata or {}
    for key, label in _INFO_KEYS.items():
        value = _resolve(info.get(key))
        if isinstance(value, str) and value.strip():
            sink.text((*path, "properties", label), value, SegmentKind.FIELD)
    try:
        xmp = reader.xmp_metadata
    except Exception:  # a broken XMP packet hides nothing the pages show
        return
    for attr, label in _XMP_FIELDS.items():
        try:
            value = getattr(xmp, attr, None) if xmp is not None else None
        except Exception:
            continue
        if isinstance(value, dict):  # language alternatives
            value = "\n".join(str(v) for v in value.values())
        elif isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        if isinstance(value, str) and value.strip():
            sink.text((*path, "properties", f"XMP {label}"), value, SegmentKind.FIELD)


def extract_pdf(sink: Sink, data: bytes, path: Path, depth: int) -> None:
    reader = _open(data)
    try:
        pages = reader.pages
        if len(pages) > _MAX_PAGES:
            raise PartFailed(UnscannedReason.TOO_LARGE, f"PDF of {len(pages)} pages")
        for number, page in enumerate(pages, 1):
            sink.check_time()
            page_path = (*path, f"page {number}")
            try:
                contents = page.get_contents()
                if contents is not None:  # inflate it here: extract_text hides pypdf's limit error
                    contents.get_data()
                runs = Runs()
                stream = page.extract_text(visitor_text=runs.visit) or ""
                sink.text(page_path, stream)
                for label, text in runs.readings(stream):
                    sink.text((*path, f"page {number} ({label})"), text)
                _annotations(sink, page, page_path)
            except (Stop, PartFailed):
                raise
            except LimitReachedError:
                sink.unscanned(page_path, UnscannedReason.TOO_LARGE, "PDF stream over pypdf's inflate limit")
            except Exception as exc:  # one broken page must not hide the others
                sink.unscanned(page_path, UnscannedReason.CORRUPT, f"pypdf: {type(exc).__name__}")
        _fields(sink, reader, path)
        _metadata(sink, reader, path)
        for name, blobs in reader.attachments.items():
            for blob in blobs:
                sub = (*path, f'attached file "{name}"')
                sink.attachment(sub, name, "", len(blob))
                sink.document(blob, name, "", sub, depth + 1)
    except (Stop, PartFailed):
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise PartFailed(UnscannedReason.CORRUPT, f"pypdf: {type(exc).__name__}") from None
