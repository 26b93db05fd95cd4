"""Trace headers we prepend (the only bytes we ever add to a passing message) and ids."""

from __future__ import annotations

import secrets
from email.utils import format_datetime, localtime

from mailguard.envelope import Envelope
from mailguard.policy.verdict import Action, Verdict

_ID_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXZ"


def new_transaction_id() -> str:
    """A short id that ties the Received: header to our log lines."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


def _clean(text: str, limit: int = 200) -> str:
    """Client-chosen text (HELO) made safe for a header: printable ASCII, no brackets games."""
    return "".join(ch if "!" <= ch <= "~" and ch not in "()" else "?" for ch in text)[:limit] or "unknown"


def received_header(
    envelope: Envelope, *, hostname: str, transaction_id: str, tls: bool, protocol_esmtp: bool = True
) -> bytes:
    # RFC 3848 protocol names: ESMTP, ESMTPS (TLS), ESMTPA (AUTH), ESMTPSA (both)
    esmtp = protocol_esmtp or tls or envelope.auth_user is not None
    proto = ("ESMTP" if esmtp else "SMTP") + ("S" if tls else "") + ("A" if envelope.auth_user else "")
    lines = [
        f"Received: from {_clean(envelope.helo)} ([{envelope.client_ip}])",
        f"\tby {hostname} (mailguard) with {proto} id {transaction_id}",
    ]
    stamp = format_datetime(localtime())
    if len(envelope.rcpt_tos) == 1:
        lines.append(f"\tfor <{_clean(envelope.rcpt_tos[0], 300)}>; {stamp}")
    else:
        lines[-1] += ";"
        lines.append(f"\t{stamp}")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def verdict_header(verdict: Verdict, *, observe_only: bool) -> bytes:
    """`X-Mailguard-Verdict: rewrite; rules=a,b`; observe-only mail says what would have happened."""
    value = verdict.action.value
    if observe_only and verdict.action is not Action.PASS:
        value = f"pass; observed={value}"
    rules = sorted({_clean(r.rule, 80) for r in verdict.reasons})[:10]  # keep the line short
    if rules:
        value += "; rules=" + ",".join(rules)
    return f"X-Mailguard-Verdict: {value}\r\n".encode("ascii")
