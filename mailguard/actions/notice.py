"""Sender notices: held, rejected, expired, rewritten, bounced.

Plain words about what happened and what happens next. A notice never echoes register
data or matched text: no rule details, no snippets, no recipient addresses (a flagged
recipient is register data), and the subject only when no match was found in it. Sent from
the null sender `<>` with `Auto-Submitted: auto-replied` (RFC 3834), so a notice never
triggers another notice, and never sent in reply to automatic mail.

Templates are fixed files in templates/; message values reach them only as variables
(never as template source: CVE-2025-53909 was template injection through a notification).
"""

from __future__ import annotations

import socket
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import format_datetime, make_msgid
from enum import StrEnum
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from mailguard.actions.held_message import HeldMessage, HeldReason
from mailguard.actions.sender_link import SenderLink
from mailguard.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"


class NoticeKind(StrEnum):
    HELD = "held"
    REJECTED = "rejected"
    EXPIRED = "expired"
    REWRITTEN = "rewritten"
    BOUNCED = "bounced"  # released, then refused permanently by the upstream
    PARTIAL = "partial"  # released to some recipients only (release mode "subset")


SUBJECTS = {
    NoticeKind.HELD: "Your message is being held for review",
    NoticeKind.REJECTED: "Your message was not sent",
    NoticeKind.EXPIRED: "Your message was not sent: nobody reviewed it in time",
    NoticeKind.REWRITTEN: "Your message was sent with the recipients' addresses hidden",
    NoticeKind.BOUNCED: "Your message could not be delivered",
    NoticeKind.PARTIAL: "Your message was sent to some of its recipients only",
}

# Why, in plain words, by detector. Never the rule's own detail (it may quote the match).
PLAIN_REASONS = {
    "exposure": "it would have shown the email addresses of several outside recipients to each other",
    "protected": (
        "it appears to contain personal details that must not be sent to one or more of its recipients"
    ),
    "unscannable": "part of it (for example an encrypted or damaged attachment) could not be checked",
    "misdirection": "it appears to be about a case, and goes to a recipient who has not been part of that case before",
}
DEFAULT_REASON = "it matched one of the organisation's rules for outgoing mail"

_AUTOMATIC_PRECEDENCE = {"bulk", "list", "junk"}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=False,  # plain text mail
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice ready for the outbox: from the null sender to `rcpt`."""

    rcpt: str
    data: bytes
    mail_from: str = ""


def hostname(settings: Settings) -> str:
    return settings.hostname or socket.getfqdn() or "localhost"


def notice_from(settings: Settings) -> str:
    return settings.notice_from or f"postmaster@{hostname(settings)}"


def wants_notice(mail_from: str, original: bytes | None = None) -> bool:
    """False for the null sender, mailer daemons, and automatic mail (RFC 3834 §2)."""
    if not mail_from or "@" not in mail_from:
        return False
    if mail_from.split("@", 1)[0].lower() in ("mailer-daemon", "postmaster"):
        return False
    if original:
        try:
            headers = BytesHeaderParser(policy=policy.default).parsebytes(original)
            auto = str(headers.get("auto-submitted", "no") or "no").strip().lower()
            precedence = str(headers.get("precedence", "") or "").strip().lower()
        except Exception:  # unreadable headers: treat as a person's mail
            return True
        if not auto.startswith("no") or precedence in _AUTOMATIC_PRECEDENCE:
            return False
    return True


def plain_reasons(reasons: Iterable[HeldReason]) -> list[str]:
    out: list[str] = []
    for reason in reasons:
        text = PLAIN_REASONS.get(reason.detector, DEFAULT_REASON)
        if text not in out:
            out.append(text)
    return out or [DEFAULT_REASON]


def safe_subject(subject: str, reasons: Iterable[HeldReason]) -> str:
    """The subject, or "" when a match was found in it (echoing it would echo the match)."""
    folded = " ".join(subject.split()).casefold()
    for reason in reasons:
        match = " ".join(reason.match.split()).casefold()
        if "subject" in reason.where.casefold() or (match and match in folded):
            return ""
    return subject


def compose(
    settings: Settings,
    kind: NoticeKind,
    *,
    sender: str,
    reference: str,
    subject: str = "",
    message_id: str = "",
    received_at: float | None = None,
    reasons: Sequence[HeldReason] = (),
    recipients: int = 0,
    original: bytes | None = None,
    now: float | None = None,
    smtp_code: int | None = None,
    comment: str = "",
    places: Sequence[str] = (),
    refused: Sequence[str] = (),
    delivered: Sequence[str] = (),
    choice: SenderLink | None = None,
) -> Notice | None:
    """The notice for `sender`, or None when one must not be sent (see `wants_notice`).

    `comment`: the reviewer's; `places`: where in the message the problem was (never the match);
    `refused` / `delivered`: the sender's own recipients a partial release left out / reached;
    `choice`: the link to the sender's own choice (exposure holds only)."""
    if not wants_notice(sender, original):
        return None
    now_dt = datetime.now(UTC) if now is None else datetime.fromtimestamp(now, UTC)
    sent = datetime.fromtimestamp(received_at, UTC) if received_at is not None else None
    expires = (
        datetime.fromtimestamp(received_at + settings.quarantine_expiry_days * 86400, UTC)
        if received_at is not None
        else None
    )
    body = _env.get_template(f"{kind.value}.txt").render(
        reference=reference,
        subject=safe_subject(subject, reasons),
        sent_at=_when(sent),
        expires_at=_when(expires),
        expiry_days=_days(settings.quarantine_expiry_days),
        reasons=[
            textwrap.fill(r, 72, initial_indent="  - ", subsequent_indent="    ")
            for r in plain_reasons(reasons)
        ],
        recipients=recipients,
        smtp_code=smtp_code,
        comment=textwrap.fill(" ".join(comment.split()), 72, initial_indent="  ", subsequent_indent="  "),
        places=list(dict.fromkeys(places))[:10],
        refused=list(refused),
        delivered=list(delivered),
        choice_url=choice.url if choice else "",
        choice_until=_when(datetime.fromtimestamp(choice.expires, UTC)) if choice else "",
    )
    host = hostname(settings)
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = notice_from(settings)
    msg["To"] = sender
    msg["Subject"] = SUBJECTS[kind]
    msg["Date"] = format_datetime(now_dt, usegmt=True)
    msg["Message-ID"] = make_msgid(idstring=f"notice.{reference}", domain=host)
    if message_id.startswith("<") and message_id.endswith(">") and " " not in message_id:
        msg["In-Reply-To"] = message_id
        msg["References"] = message_id
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"  # Exchange: no out-of-office replies to this
    msg.set_content(body, charset="utf-8")
    return Notice(rcpt=sender, data=msg.as_bytes(policy=policy.SMTP))


def for_item(settings: Settings, kind: NoticeKind, held: HeldMessage, now: float, **overrides: Any) -> Notice | None:
    """The notice about a held message; `overrides` replace compose() arguments (e.g.
    recipients=2 for a bounce of two of them)."""
    args: dict[str, Any] = {
        "sender": held.mail_from,
        "reference": held.id,
        "subject": held.subject,
        "message_id": held.message_id,
        "received_at": held.received_at,
        "reasons": held.reasons,
        "recipients": len(held.rcpt),
        "original": held.data,
        "now": now,
    }
    return compose(settings, kind, **(args | overrides))


def _when(moment: datetime | None) -> str:
    return moment.strftime("%d %B %Y at %H:%M UTC") if moment else ""


def _days(days: float) -> str:
    return f"{days:g} day" + ("" if days == 1 else "s")
