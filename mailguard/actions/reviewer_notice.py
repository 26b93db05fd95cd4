"""The reviewers' notice of new holds (MAILGUARD_REVIEWER_NOTICE_TO): a digest that says how
many messages wait, which rules held them and where to review each one.

It never carries what was held: no subject, no sender, no recipient, no snippet, no register
id. The people who receive it are reviewers, but the mailbox may be a shared one and the mail
crosses the same systems as everything else; the review page is where the content is shown, to
people who signed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from mailguard.actions.notice import Notice, hostname, notice_from
from mailguard.settings import Settings


@dataclass(frozen=True, slots=True)
class NewHold:
    item_id: str
    received_at: float
    rules: tuple[str, ...]


def compose(settings: Settings, holds: Sequence[NewHold], now: float) -> Notice:
    """One digest about `holds` for MAILGUARD_REVIEWER_NOTICE_TO."""
    assert settings.reviewer_notice_to, "no reviewers' address configured"
    base = (settings.admin_public_url or f"http://{settings.admin_listen}").rstrip("/")
    by_rule = Counter(rule for hold in holds for rule in hold.rules)
    lines = [
        f"{len(holds)} message(s) are newly held for review.",
        "",
        "Rules that held them:",
        *(f"  - {rule}: {count}" for rule, count in sorted(by_rule.items())),
        "",
        "Review each one:",
        *(
            f"  {base}/review/item/{hold.item_id}  (held {_when(hold.received_at)})"
            for hold in sorted(holds, key=lambda h: h.received_at)
        ),
        "",
        f"The queue: {base}/review",
        "",
        "This notice names no sender, recipient, subject or content; sign in to the review page",
        "to see them.",
    ]
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = notice_from(settings)
    msg["To"] = settings.reviewer_notice_to
    msg["Subject"] = f"mailguard: {len(holds)} message(s) held for review"
    msg["Date"] = format_datetime(datetime.fromtimestamp(now, UTC), usegmt=True)
    msg["Message-ID"] = make_msgid(idstring="reviewers", domain=hostname(settings))
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content("\n".join(lines) + "\n", charset="utf-8")
    return Notice(rcpt=settings.reviewer_notice_to, data=msg.as_bytes(policy=policy.SMTP))


def _when(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M UTC")
