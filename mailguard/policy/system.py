"""System mail: what an Exchange organisation sends on its own behalf, which mailguard passes
untouched — never rewritten or re-signed.

- the null sender `<>`: non-delivery reports and other delivery status notifications
  (RFC 5321 §4.5.5); holding one only delays a bounce, rewriting one breaks its report part;
- `X-MS-Journal-Report`: Exchange journal reports, which skip transport rules, go out through
  the default connector and carry the original message as an attachment for the archive;
- `Auto-Submitted` other than `no` (RFC 3834): automatic replies and notifications.

Such a message is never rewritten or split, and is passed without reading it unless a
recipient is flagged. To a flagged recipient it is scanned like any other mail and can be held
for what it carries (protected data, a case, an unreadable part), never for exposure: anyone
who can submit mail can set `Auto-Submitted` or an empty MAIL FROM, and an automatic forward
carries the whole message it forwards, so the headers alone must not switch protection off.
"""

from __future__ import annotations

import re

from mailguard.envelope import Envelope

_END_OF_HEADERS = re.compile(rb"\r?\n\r?\n")
_JOURNAL = re.compile(rb"^x-ms-journal-report[ \t]*:", re.I | re.M)
_AUTO_SUBMITTED = re.compile(rb"^auto-submitted[ \t]*:[ \t]*([^\s;(]*)", re.I | re.M)
HEADER_LIMIT = 256 * 1024  # a header block past this is not system mail we know


def system_mail(envelope: Envelope, data: bytes) -> str | None:
    """Why this message is system mail ("null sender", "journal report", "auto-submitted"),
    or None when it is ordinary mail."""
    if envelope.mail_from == "":
        return "null sender"
    end = _END_OF_HEADERS.search(data, 0, HEADER_LIMIT)
    head = data[: end.start() if end else min(len(data), HEADER_LIMIT)]
    if _JOURNAL.search(head):
        return "journal report"
    auto = _AUTO_SUBMITTED.search(head)
    if auto and auto.group(1).lower() not in (b"", b"no"):
        return "auto-submitted"
    return None
