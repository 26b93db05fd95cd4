"""`extract_content`: a raw message in, the content model out. Pure and synchronous; it
never raises, so a hostile or broken message can only ever become `Unscanned` entries."""

from __future__ import annotations

from mailguard.message.extract.bounds import ExtractLimits
from mailguard.message.extract.documents import extract_document
from mailguard.message.extract.mime import extract_message
from mailguard.message.extract.sink import Sink, failure
from mailguard.message.model import Content

MESSAGE = ("message",)


def extract_content(data: bytes, limits: ExtractLimits | None = None) -> Content:
    sink = Sink(limits or ExtractLimits(), extract_document)
    try:
        extract_message(sink, data)
    except Exception as exc:  # a message-wide bound, or anything unforeseen: fail closed
        sink.unscanned(MESSAGE, *failure(exc, "extracting"))
    return sink.content
