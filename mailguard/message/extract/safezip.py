"""Zip members read only after their declared size, ratio and encryption are checked, and
never past the declared size (zipfile stops there), so a bomb costs a header read."""

from __future__ import annotations

import io
import zipfile
from typing import IO

from mailguard.message.extract.sink import PartFailed, Sink
from mailguard.message.model import UnscannedReason

MAX_MEMBERS = 20_000
RATIO_FLOOR = 1024 * 1024  # small members may compress as well as they like
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


class SafeZip:
    def __init__(self, sink: Sink, data: bytes) -> None:
        self.sink = sink
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            raise PartFailed(UnscannedReason.CORRUPT, f"zip: {exc}") from None
        if len(self.infos) > MAX_MEMBERS:
            raise PartFailed(UnscannedReason.TOO_LARGE, f"zip of {len(self.infos)} members")
        self.by_name = {info.filename: info for info in self.infos}

    def names(self) -> list[str]:
        return [i.filename for i in self.infos if not i.is_dir()]

    def problem(self, info: zipfile.ZipInfo) -> tuple[UnscannedReason, str] | None:
        """Why this member must not be read, or None."""
        if info.flag_bits & 0x1:
            return UnscannedReason.ENCRYPTED, "encrypted zip member"
        if info.file_size > self.sink.limits.max_member:
            return UnscannedReason.TOO_LARGE, f"zip member of {info.file_size} bytes"
        if info.file_size > RATIO_FLOOR and info.file_size > info.compress_size * self.sink.limits.max_ratio:
            ratio = info.file_size // max(1, info.compress_size)
            return UnscannedReason.TOO_LARGE, f"zip member ratio {ratio}:1"
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                                      zipfile.ZIP_LZMA):
            return UnscannedReason.UNKNOWN_FORMAT, f"zip compression method {info.compress_type}"
        return None

    def _checked(self, name: str) -> zipfile.ZipInfo:
        info = self.by_name[name]
        trouble = self.problem(info)
        if trouble is not None:
            raise PartFailed(*trouble)
        self.sink.spend_inflate(info.file_size)
        return info

    def read(self, name: str) -> bytes:
        info = self._checked(name)
        try:
            return self.zip.read(info)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
                NotImplementedError) as exc:
            raise PartFailed(UnscannedReason.CORRUPT, f"zip member: {exc}") from None
        except RuntimeError as exc:  # zipfile: "File is encrypted, password required"
            raise PartFailed(UnscannedReason.ENCRYPTED, str(exc)) from None

    def open_xml(self, name: str) -> IO[bytes]:
        """A stream of an XML member; documents with a DTD (entity bombs) are refused."""
        info = self._checked(name)
        try:
            stream = self.zip.open(info)
            head = stream.read(4096)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise PartFailed(UnscannedReason.CORRUPT, f"zip member: {exc}") from None
        if any(marker in head for marker in _DTD_MARKERS):
            raise PartFailed(UnscannedReason.CORRUPT, "XML with a DTD in an office document")
        return _Prefixed(head, stream)


class _Prefixed(io.RawIOBase):
    """`head` followed by the rest of `stream` (we peeked at the head)."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        chunk = self._stream.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data = self._head + self._stream.read()
            self._head = b""
            return data
        buf = bytearray(size)
        n = self.readinto(buf)
        return bytes(buf[:n])
