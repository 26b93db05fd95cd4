"""Logging set-up: plain text for people, or one JSON object per line for log pipelines.

Log calls pass facts as `extra`, never in the message text, so both formats carry them:

    log.info("verdict", extra={"txn": txn_id, "message_id": mid, "verdict": "hold",
                               "rules": ["register-mention"], "scan_ms": 41.2})

Never pass message bodies or register contents. As a safety net, bytes values are logged as
their length only, exception messages are withheld from tracebacks (a parser's error text can
quote the message it choked on; the exception type and the frames are enough to debug), and
aiosmtpd's own loggers (which at DEBUG print every DATA line, at INFO every command) are held
at WARNING.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any, TextIO

from mailguard.settings import LogFormat, Settings

# Loggers of libraries that print message content or envelope addresses below WARNING.
_CONTENT_LOGGERS = ("mail.log", "mail.debug")

# Attributes every LogRecord has; anything else on a record came from `extra`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

_HANDLER_NAME = "mailguard"


def record_extras(record: logging.LogRecord) -> dict[str, Any]:
    """The `extra` fields of a record, made safe and JSON-friendly."""
    return {key: _safe(value) for key, value in vars(record).items() if key not in _RECORD_FIELDS}


def _safe(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"  # a body must never reach a log
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_safe(v) for v in value]
    return str(value)


def redacted_traceback(exc_info: Any) -> str:
    """The frames and the exception type, without the exception's message."""
    kind, _, tb = exc_info
    frames = "".join(traceback.format_tb(tb))
    name = kind.__name__ if kind is not None else "Exception"
    return f"Traceback (most recent call last):\n{frames}{name} (message withheld)"


class _WithholdingFormatter(logging.Formatter):
    def formatException(self, ei: Any) -> str:
        return redacted_traceback(ei)

    def format(self, record: logging.LogRecord) -> str:
        cached, record.exc_text = record.exc_text, None  # another handler may have cached the full text
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


class JsonFormatter(_WithholdingFormatter):
    """One JSON object per line: time, level, logger, message, then the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record_extras(record).items():
            entry.setdefault(key, value)  # an extra never overwrites the fixed fields
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


class TextFormatter(_WithholdingFormatter):
    """`time level logger: message key=value ...`"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = record_extras(record)
        if not extras:
            return line
        head, sep, tail = line.partition("\n")  # keep a traceback below the key=values
        pairs = " ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in extras.items())
        return f"{head} {pairs}{sep}{tail}"


class _ContentLoggerFilter(logging.Filter):
    """Drops records below WARNING from loggers that may print message content."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        return not any(record.name == n or record.name.startswith(n + ".") for n in _CONTENT_LOGGERS)


def setup_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Configure the root logger from `log_format` and `log_level`; safe to call again.

    Logs go to stderr (or `stream`), which is what containers and systemd collect.
    """
    level = logging.getLevelName(settings.log_level.upper())
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {settings.log_level!r}")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if settings.log_format == LogFormat.JSON else TextFormatter())
    handler.addFilter(_ContentLoggerFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    for name in _CONTENT_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    logging.captureWarnings(True)
