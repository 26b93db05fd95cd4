"""Messages: the builder, the address wordings every family starts from, and recording a case."""

from __future__ import annotations

import random
from collections.abc import Iterable
from email.message import EmailMessage
from email.policy import SMTP

from corpora.builders import Attachment, add_body

from .corpus import Corpus, Row
from .names import INTERNAL


def message(
    frm: str,
    to: list[str],
    subject: str,
    text: str | None = None,
    *,
    cc: Iterable[str] = (),
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = frm
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    # seeded by the message itself, so a new family never shifts another family's ids
    msg["Message-ID"] = f"<{random.Random(subject + frm).getrandbits(48)}@{INTERNAL}>"
    msg["Date"] = "Mon, 23 Nov 2026 10:00:00 +0000"
    for k, v in (headers or {}).items():
        msg[k] = v
    return add_body(msg, text, html, attachments)


def as_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=SMTP)


LEAD = "Current address of the family:"


def wrap(c: Corpus, address_text: str, lead: str = LEAD) -> str:
    return f"Dear colleague,\n\n{c.filler()}\n\n{lead}\n{address_text}\n\n{c.filler(3)}\n"


def canonical(row: Row) -> str:
    flat = f"Flat {row.flat}, " if row.flat else ""
    return f"{flat}{row.line()}, {row.town}, {row.postcode}"


def add_held(
    c: Corpus, data: bytes, frm: str, rcpt: list[str], family: str, row: Row, to: str = "to flagged recipient"
) -> None:
    """Record a message that mentions `row` to one of its flagged recipients: it must be held."""
    c.add(data, frm, rcpt, "hold", family, f"mentions protected {row.id} {to}")


def hold_case(
    c: Corpus,
    row: Row,
    family: str,
    text: str | None = None,
    *,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    subject: str = "Family assessment",
) -> None:
    """A message from a colleague mentioning `row` to its flagged recipient (sometimes with a
    colleague copied in)."""
    frm = c.sender()
    rcpt = [row.flagged[0]]
    if c.rnd.random() < 0.4:
        rcpt.append(c.sender())
    add_held(c, as_bytes(message(frm, rcpt, subject, text, html=html, attachments=attachments)), frm, rcpt, family, row)


def hold_body(c: Corpus, row: Row, family: str, text: str, lead: str = LEAD) -> None:
    """hold_case with `text` wrapped in a colleague's letter."""
    hold_case(c, row, family, wrap(c, text, lead))


def pass_body(c: Corpus, family: str, row: Row, text: str, lead: str = LEAD) -> None:
    """pass_case to `row`'s flagged recipient, with `text` wrapped in a colleague's letter."""
    pass_case(c, family, [row.flagged[0]], wrap(c, text, lead))


def pass_case(
    c: Corpus,
    family: str,
    rcpt: list[str],
    text: str | None = None,
    *,
    attachments: Iterable[Attachment] = (),
) -> None:
    """A message that must pass: no protected address reaches one of its flagged recipients."""
    frm = c.sender()
    data = as_bytes(message(frm, rcpt, "Update", text, attachments=attachments))
    c.add(data, frm, rcpt, "pass", family, "no protected address reaches a flagged recipient")
