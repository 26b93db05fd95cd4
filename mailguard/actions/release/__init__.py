"""Release modes: what a reviewer's (or a sender's) decision does to a held message's bytes.

Each mode is a function over (held bytes, envelope recipients, who is internal) that returns
the copies to queue (recipients, bytes) and the recipients who get nothing:

- `as_is`: the bytes as they arrived, to everyone.
- `bcc`: external To/Cc hidden, and every calendar part pruned to the organiser and the
  internal attendees (an invite released "to Bcc" must not still list every attendee).
- `split`: one copy per external recipient, each showing only that recipient (the relay's split).
- `subset`: the bytes as they arrived, only to the chosen recipients; the rest are refused.
- `strip`: without the chosen attachments, each replaced by a short note naming it.
- `redact`: every mention of protected data replaced by a marker; parts that cannot be
  redacted safely are removed and replaced by a note; scanned again before anything is queued.
"""

from mailguard.actions.release.modes import (
    Plan,
    ReleaseMode,
    ReleaseRefused,
    ReleaseRequest,
)
from mailguard.actions.release.plan import plan_release

__all__ = ["Plan", "ReleaseMode", "ReleaseRefused", "ReleaseRequest", "plan_release"]
