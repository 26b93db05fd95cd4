"""`extract_content`: a raw message in, the content model out. Pure and synchronous; it
never raises, so a hostile or broken message can only ever become `Unscanned` entries."""

from __future__ import annotations

from mailguard.message.extract.limits import ExtractLimits
from mailguard.message.extract.mime import extract_message
from mailguard.message.extract.sink import Sink, Stop
from mailguard.message.model import Content, UnscannedReason

MESSAGE = ("message",)


def extract_content(data: bytes, limits: ExtractLimits | None = None) -> Content:
    sink = Sink(limits or ExtractLimits())
    try:
        extract_message(sink, data)
    except Stop as stop:
        sink.unscanned(MESSAGE, stop.reason, stop.detail)
    except MemoryError:
        sink.unscanned(MESSAGE, UnscannedReason.TOO_LARGE, "out of memory")
    except RecursionError:
        sink.unscanned(MESSAGE, UnscannedReason.TOO_DEEP, "structure nested too deeply")
    except Exception as exc:  # the promise is "never raises": anything unforeseen fails closed
        sink.unscanned(MESSAGE, UnscannedReason.CORRUPT, f"{type(exc).__name__} while extracting")
    return sink.content
