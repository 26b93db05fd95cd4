"""mailguard.logs: JSON and text lines carry the facts, never bodies."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from mailguard.logs import setup_logging
from mailguard.settings import Settings


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {n: logging.getLogger(n).level for n in ("mail.log", "mail.debug")}
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, lvl in levels.items():
        logging.getLogger(name).setLevel(lvl)
    logging.captureWarnings(False)


def _configure(**values: str) -> io.StringIO:
    stream = io.StringIO()
    setup_logging(Settings(**values), stream=stream)  # type: ignore[arg-type]
    return stream


def test_json_lines_have_the_fixed_fields_and_the_extras() -> None:
    stream = _configure(log_format="json", log_level="INFO")
    logging.getLogger("mailguard.relay").info(
        "verdict %s",
        "hold",
        extra={
            "txn": "T1",
            "message_id": "<m1@example.org>",
            "verdict": "hold",
            "rules": ["r1", "r2"],
            "scan_ms": 4.5,
        },
    )
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert (
        entry["level"] == "INFO"
        and entry["logger"] == "mailguard.relay"
        and entry["message"] == "verdict hold"
    )
    assert entry["time"].endswith("+00:00")
    assert entry | {"time": "x"} == {
        "time": "x",
        "level": "INFO",
        "logger": "mailguard.relay",
        "message": "verdict hold",
        "txn": "T1",
        "message_id": "<m1@example.org>",
        "verdict": "hold",
        "rules": ["r1", "r2"],
        "scan_ms": 4.5,
    }


def test_bytes_are_logged_as_their_length_only() -> None:
    stream = _configure(log_format="json")
    logging.getLogger("mailguard.test").warning(
        "oops", extra={"data": b"secret body text", "nested": {"x": b"ab"}}
    )
    entry = json.loads(stream.getvalue())
    assert entry["data"] == "<16 bytes>" and entry["nested"] == {"x": "<2 bytes>"}
    assert "secret body" not in stream.getvalue()


def test_exceptions_are_one_json_line() -> None:
    stream = _configure(log_format="json")
    try:
        raise ValueError("bad thing")
    except ValueError:
        logging.getLogger("mailguard.test").exception("failed", extra={"txn": "T2"})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["exc_type"] == "ValueError" and "bad thing" in entry["exc"] and entry["txn"] == "T2"


def test_text_format_appends_extras() -> None:
    stream = _configure(log_format="text", log_level="DEBUG")
    logging.getLogger("mailguard.relay").debug("relayed", extra={"txn": "T3", "verdict": "pass"})
    line = stream.getvalue().strip()
    assert " DEBUG mailguard.relay: relayed " in line and line.endswith('txn="T3" verdict="pass"')


def test_smtp_library_chatter_stays_out_even_at_debug() -> None:
    stream = _configure(log_format="json", log_level="DEBUG")
    logging.getLogger("mail.log").debug("DATA readline: %s", "the body line")
    logging.getLogger("mail.log").info("sender: a@example.org")
    logging.getLogger("mail.log").warning("too many bogus commands")
    text = stream.getvalue()
    assert "body line" not in text and "a@example.org" not in text and "bogus" in text


def test_setting_up_twice_keeps_one_handler_and_levels_apply() -> None:
    _configure(log_format="text")
    stream = _configure(log_format="json", log_level="WARNING")
    logging.getLogger("mailguard.x").info("quiet")
    logging.getLogger("mailguard.x").error("loud")
    assert [json.loads(x)["message"] for x in stream.getvalue().splitlines()] == ["loud"]
    assert sum(h.get_name() == "mailguard" for h in logging.getLogger().handlers) == 1


def test_unknown_level_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown log level"):
        _configure(log_level="CHATTY")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_exception_messages_are_withheld(log_format: str) -> None:
    """A parser's error text can quote the message it failed on: only type and frames are logged."""
    stream = io.StringIO()
    setup_logging(Settings(log_format=log_format), stream=stream)
    quoted = "14 " + "acacia".title() + " Avenue"  # not in the source, which the frames show
    try:
        int(quoted)
    except ValueError:
        logging.getLogger("mailguard.test").exception("decider failed")
    out = stream.getvalue()
    assert "ValueError (message withheld)" in out and "test_exception_messages_are_withheld" in out
    assert "Acacia" not in out
