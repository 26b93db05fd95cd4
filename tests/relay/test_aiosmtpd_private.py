"""The private aiosmtpd names mailguard/relay/smtp.py relies on (aiosmtpd is pinned below 2).

An aiosmtpd release that renames or reshapes one of them breaks the relay quietly (an override
that is never called, a hook that is skipped): this test names each one and fails loudly.
When it fails, read relay/smtp.py where the name is used before raising the pin.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import aiosmtpd.smtp
import pytest

# method -> its parameters (we override or call it with these)
METHODS = {
    "_handle_client": ["self"],  # wrapped: session deadline, bookkeeping
    "_call_handler_hook": ["self", "command", "args"],  # the DATA hook runs as our own task
    "_set_post_data_state": ["self"],  # after our DATA reply: back to the command state
    "_create_session": ["self"],  # our RelaySession carries the upstream transaction
    "_authenticate": ["self", "mechanism", "auth_data"],  # AUTH behind the throttle
    "_reset_timeout": ["self", "duration"],  # the idle limit re-armed between DATA reads and after work
    "_getaddr": ["self", "arg"],  # the plain MAIL/RCPT path read without the email parser
}
# attributes set on each instance that we read or replace
ATTRIBUTES = (
    "_smtp_methods",  # wrapped so a command in progress is tracked for graceful shutdown
    "_reader",  # smtp_DATA reads the body itself (bounded, bare-LF aware); PROXY header
    "_writer",
    "_timeout_handle",  # cancelled while the relay works: the idle limit is the client's time
    "_timeout_duration",  # shorter for outsiders until they authenticate
)

SOURCE = inspect.getsource(aiosmtpd.smtp)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_private_methods_are_still_there(name: str) -> None:
    method = getattr(aiosmtpd.smtp.SMTP, name, None)
    assert method is not None, f"aiosmtpd.smtp.SMTP.{name} is gone: see mailguard/relay/smtp.py"
    assert list(inspect.signature(method).parameters) == METHODS[name], f"{name} changed its parameters"


@pytest.mark.parametrize("name", ATTRIBUTES)
def test_private_attributes_are_still_set(name: str) -> None:
    assert re.search(rf"self\.{name}\b[^=\n]*=", SOURCE), f"aiosmtpd no longer sets SMTP.{name}"


def test_our_smtp_uses_no_other_private_aiosmtpd_name() -> None:
    relay = (Path(__file__).resolve().parents[2] / "mailguard" / "relay" / "smtp.py").read_text(encoding="utf-8")
    used = set(re.findall(r"\b(?:self|super\(\))\.(_[a-z]\w*)", relay))
    private_of_aiosmtpd = {n for n in used if re.search(rf"(?:def |self\.){n}\b", SOURCE)}
    assert private_of_aiosmtpd <= set(METHODS) | set(ATTRIBUTES), private_of_aiosmtpd - set(METHODS) - set(ATTRIBUTES)
