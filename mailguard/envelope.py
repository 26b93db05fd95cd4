"""The SMTP envelope of one transaction, as the relay saw it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Envelope:
    mail_from: str  # "" for the null sender <>
    rcpt_tos: tuple[str, ...]
    client_ip: str = ""
    helo: str = ""
    auth_user: str | None = None
    mail_options: tuple[str, ...] = field(default=())  # e.g. ("BODY=8BITMIME", "SMTPUTF8")

    @property
    def recipient_domains(self) -> set[str]:
        return {r.rpartition("@")[2].lower() for r in self.rcpt_tos}
