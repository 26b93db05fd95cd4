"""One entry for any attached document: recognise it by its first bytes (then by its name and
declared type, which a sender can get wrong), and hand it to its format's extractor."""

from __future__ import annotations

import re
from collections.abc import Callable

from mailguard.message.extract import archives
from mailguard.message.extract.calendar import extract_calendar
from mailguard.message.extract.charset import decode, looks_like_text
from mailguard.message.extract.html import extract_html
from mailguard.message.extract.mime import extract_attached_message
from mailguard.message.extract.msg import extract_ole
from mailguard.message.extract.pdf import extract_pdf
from mailguard.message.extract.rtf import extract_rtf
from mailguard.message.extract.sheets import extract_csv, extract_workbook
from mailguard.message.extract.sink import PartFailed, Path, Sink, Stop, failure
from mailguard.message.extract.tnef import extract_tnef
from mailguard.message.extract.vcard import extract_vcard
from mailguard.message.model import UnscannedReason

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TNEF_MAGIC = b"\x78\x9f\x3e\x22"
_HTML_START = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<div|<table|<p[ >])", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_IMAGE = re.compile(r"^(image|video|audio|font)/", re.I)
_VCARD_TYPES = ("text/vcard", "text/x-vcard", "text/directory")
_SIGNATURES = ("application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature")
_ENCRYPTED = ("application/pkcs7-mime", "application/x-pkcs7-mime", "application/pgp-encrypted")


def _ext(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff(data: bytes, name: str, ctype: str) -> str:
    """The format to read `data` as (magic bytes first)."""
    head = data[:512]
    ext = _ext(name)
    ctype = ctype.lower()
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(TNEF_MAGIC):
        return "tnef"
    if head.startswith(b"\x1f\x8b"):
        return "gz"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(data) > 262 and data[257:262] == b"ustar":
        return "tar"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"7z\xbc\xaf", b"Rar!")):
        return "unknown"
    if ctype in _SIGNATURES or (ext in ("p7s", "sig", "asc") and ctype.startswith("application/")):
        return "signature"
    if ctype in _ENCRYPTED or ext in ("p7m", "gpg", "pgp"):
        return "encrypted"
    if _IMAGE.match(ctype) or ext in ("png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "heic", "webp"):
        return "image"
    if not looks_like_text(data):
        return "unknown"
    if ext == "eml" or ctype in ("message/rfc822", "message/global"):
        return "eml"
    if b"BEGIN:VCALENDAR" in head.upper() or ext in ("ics", "vcs") or ctype == "text/calendar":
        return "ics"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCARD") or ext in ("vcf", "vcard") \
            or ctype in _VCARD_TYPES:
        return "vcard"
    if ext in ("csv",) or ctype in ("text/csv", "application/csv"):
        return "csv"
    if ext == "tsv" or ctype == "text/tab-separated-values":
        return "tsv"
    if ext in ("htm", "html", "xhtml") or ctype in _HTML_TYPES or _HTML_START.match(head):
        return "html"
    if ext == "rtf" or ctype in ("text/rtf", "application/rtf"):
        return "rtf"
    return "text"


def _text(sink: Sink, data: bytes, path: Path, charset: str | None) -> None:
    sink.text(path, decode(data, charset))


def extract_document(
    sink: Sink, data: bytes, name: str, ctype: str, path: Path, depth: int,
    entered: bool = False, charset: str | None = None,
) -> None:
    """Read one document (an attachment, archive member or embedded file) into the sink.
    Problems become an `Unscanned` at `path`; only message-wide bounds (`Stop`) propagate."""
    try:
        if not entered:
            sink.enter(path, depth)
        sink.check_size(len(data), "document")
        kind = sniff(data, name, ctype)
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise PartFailed(UnscannedReason.UNKNOWN_FORMAT, _describe(kind, ctype, name))
        handler(sink, data, path, depth, name, charset)
    except Stop:
        raise
    except Exception as exc:  # this part is unreadable: report it, keep going
        sink.unscanned(path, *failure(exc, "reading"))


def _describe(kind: str, ctype: str, name: str) -> str:
    if kind == "image":
        return f"image ({ctype or _ext(name)}): no OCR"
    if kind == "encrypted":
        return f"encrypted content ({ctype or _ext(name)})"
    return f"unreadable format ({ctype or 'unknown type'}{', .' + _ext(name) if _ext(name) else ''})"


def _encrypted(*_: object) -> None:
    raise PartFailed(UnscannedReason.ENCRYPTED, "S/MIME or PGP encrypted content")


Handler = Callable[[Sink, bytes, Path, int, str, "str | None"], None]
_HANDLERS: dict[str, Handler] = {
    "pdf": lambda s, d, p, depth, n, c: extract_pdf(s, d, p, depth),
    "zip": lambda s, d, p, depth, n, c: archives.extract_zip(s, d, p, depth),
    "tar": lambda s, d, p, depth, n, c: archives.extract_tar(s, d, p, depth),
    "gz": lambda s, d, p, depth, n, c: archives.extract_compressed(s, d, p, depth, "gz", n),
    "bz2": lambda s, d, p, depth, n, c: archives.extract_compressed(s, d, p, depth, "bz2", n),
    "xz": lambda s, d, p, depth, n, c: archives.extract_compressed(s, d, p, depth, "xz", n),
    "rtf": lambda s, d, p, depth, n, c: extract_rtf(s, d, p),
    "html": lambda s, d, p, depth, n, c: extract_html(s, decode(d, c), p),
    "csv": lambda s, d, p, depth, n, c: extract_csv(s, d, p, c),
    "tsv": lambda s, d, p, depth, n, c: extract_csv(s, d, p, c, tsv=True),
    "ics": lambda s, d, p, depth, n, c: extract_calendar(s, decode(d, c), p),
    "vcard": lambda s, d, p, depth, n, c: extract_vcard(s, decode(d, c), p),
    "text": lambda s, d, p, depth, n, c: _text(s, d, p, c),
    "signature": lambda *_: None,  # a signature says nothing a person reads
    "encrypted": _encrypted,
    "eml": lambda s, d, p, depth, n, c: extract_attached_message(s, d, p, depth),
    "ole": lambda s, d, p, depth, n, c: extract_ole(s, d, p, depth, n),
    "tnef": lambda s, d, p, depth, n, c: extract_tnef(s, d, p, depth),
    "xls": lambda s, d, p, depth, n, c: extract_workbook(s, d, p),
}
