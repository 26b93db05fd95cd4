"""Zip (nested, with the office formats inside recognised), tar, and gzip/bzip2/xz streams.
Every member is counted as a part, checked for size and ratio before it is inflated, and
handed back to the document dispatcher one level deeper."""

from __future__ import annotations

import bz2
import io
import lzma
import mimetypes
import tarfile
import zlib
from collections.abc import Callable
from typing import TypeAlias

from mailguard.message.extract import office
from mailguard.message.extract.properties import extract_properties
from mailguard.message.extract.safezip import RATIO_FLOOR, SafeZip
from mailguard.message.extract.sheets import extract_workbook
from mailguard.message.extract.sink import PartFailed, Path, Sink
from mailguard.message.model import UnscannedReason

_ODF_TEXT = ("application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.presentation")
_ODF_SHEET = "application/vnd.oasis.opendocument.spreadsheet"
MEMBER_PATH = "member path"  # a zip or tar member's name, folders included


def _member_path(path: Path, name: str) -> Path:
    return (*path, f'"{name}"')


def _guess_type(name: str) -> str:
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def zip_kind(z: SafeZip) -> str:
    """What a zip really is: docx, pptx, xlsx, odt, ods or plain zip."""
    names = z.by_name
    if "word/document.xml" in names or any(n.startswith("word/") and n.endswith(".xml") for n in names):
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    if "mimetype" in names and z.by_name["mimetype"].file_size < 200:
        mime = z.read("mimetype").decode("ascii", "replace").strip()
        if mime == _ODF_SHEET:
            return "ods"
        if mime.startswith(_ODF_TEXT):
            return "odt"
    if "content.xml" in names and "META-INF/manifest.xml" in names:
        return "odt"
    return "zip"


def extract_zip(sink: Sink, data: bytes, path: Path, depth: int) -> None:
    z = SafeZip(sink, data)
    kind = zip_kind(z)
    if kind == "docx":
        office.extract_word(sink, z, path, depth)
    elif kind == "pptx":
        office.extract_slides(sink, z, path, depth)
    elif kind in ("xlsx", "ods"):
        for info in z.infos:  # calamine trusts the zip: check every member it might inflate first
            trouble = z.problem(info)
            if trouble is not None:
                raise PartFailed(*trouble)
        extract_workbook(sink, data, path)
        if kind == "xlsx":
            office.extract_sheet_extras(sink, z, path, depth)
    elif kind == "odt":
        office.extract_odf_text(sink, z, path, depth)
    else:
        _zip_members(sink, z, path, depth)
        return
    extract_properties(sink, z, path)  # an office document's title, subject, keywords, …


def _zip_members(sink: Sink, z: SafeZip, path: Path, depth: int) -> None:
    for info in z.infos:
        if info.is_dir():
            continue
        sub = _member_path(path, info.filename)
        try:
            sink.enter(sub, depth + 1)
            sink.attachment(sub, info.filename, _guess_type(info.filename), info.file_size, MEMBER_PATH)
            data = z.read(info.filename)
        except PartFailed as exc:
            sink.unscanned(sub, exc.reason, exc.detail)
            continue
        sink.document(data, info.filename, _guess_type(info.filename), sub, depth + 1, entered=True)


def extract_tar(sink: Sink, data: bytes, path: Path, depth: int) -> None:
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:")  # compression was removed by the caller
        members = tar.getmembers()
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise PartFailed(UnscannedReason.CORRUPT, f"tar: {exc}") from None
    for member in members:
        if not member.isfile():
            continue
        sub = _member_path(path, member.name)
        try:
            sink.enter(sub, depth + 1)
            sink.attachment(sub, member.name, _guess_type(member.name), member.size, MEMBER_PATH)
            sink.check_size(member.size, "tar member")
            stream = tar.extractfile(member)
            content = stream.read() if stream is not None else b""
        except PartFailed as exc:
            sink.unscanned(sub, exc.reason, exc.detail)
            continue
        except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
            sink.unscanned(sub, UnscannedReason.CORRUPT, f"tar: {exc}")
            continue
        sink.document(content, member.name, _guess_type(member.name), sub, depth + 1, entered=True)


Decompressor: TypeAlias = "zlib._Decompress | bz2.BZ2Decompressor | lzma.LZMADecompressor"


def _bounded(sink: Sink, data: bytes, make: Callable[[], Decompressor]) -> bytes:
    """Inflate at most max_member bytes, and at most max_ratio times the input (above a floor)."""
    cap = min(sink.limits.max_member, max(RATIO_FLOOR, len(data) * sink.limits.max_ratio))
    out = bytearray()
    pending = data
    while pending:
        engine = make()
        while True:
            chunk = engine.decompress(pending, cap + 1 - len(out))
            out += chunk
            if len(out) > cap:
                raise PartFailed(UnscannedReason.TOO_LARGE, f"inflates past {cap} bytes")
            pending = getattr(engine, "unconsumed_tail", b"") or b""
            if getattr(engine, "eof", False) or not pending or not chunk:
                break
        if not getattr(engine, "eof", True):
            break  # truncated: keep what was inflated
        pending = engine.unused_data.lstrip(b"\x00")  # concatenated members (gzip allows it)
        sink.check_time()
    sink.spend_inflate(len(out))
    return bytes(out)


_DECOMPRESSORS: dict[str, Callable[[], Decompressor]] = {
    "gz": lambda: zlib.decompressobj(wbits=47),
    "bz2": bz2.BZ2Decompressor,
    "xz": lzma.LZMADecompressor,
}


def extract_compressed(sink: Sink, data: bytes, path: Path, depth: int, kind: str, name: str) -> None:
    try:
        inner = _bounded(sink, data, _DECOMPRESSORS[kind])
    except (zlib.error, OSError, lzma.LZMAError, EOFError, ValueError) as exc:
        raise PartFailed(UnscannedReason.CORRUPT, f"{kind}: {exc}") from None
    stem = name
    for suffix in (".gz", ".tgz", ".bz2", ".tbz", ".xz", ".txz"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)] + (".tar" if suffix.startswith(".t") else "")
            break
    sub = _member_path(path, stem or "content")
    try:
        sink.enter(sub, depth + 1)
    except PartFailed as exc:
        sink.unscanned(sub, exc.reason, exc.detail)
        return
    sink.document(inner, stem, _guess_type(stem), sub, depth + 1, entered=True)
