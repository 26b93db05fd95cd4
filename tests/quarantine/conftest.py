"""Fixtures for the quarantine store: a store on SQLite and on PostgreSQL, a recording
upstream (aiosmtpd on a free port) and an aiosmtplib `deliver` to it.

PostgreSQL: one database `mailguard_test_<random>` per test session (so parallel runs by other
people never collide), emptied before each test and dropped at the end. Unreachable → skip,
or fail when MAILGUARD_TEST_REQUIRE_PG=1 (CI).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SMTPEnvelope
from support.pg import _admin, empty, pg_database  # noqa: F401 - moved to tests/support/pg.py; re-exported

from mailguard.envelope import Envelope
from mailguard.message.model import Attachment, Unscanned, UnscannedReason
from mailguard.policy.verdict import Action, Reason, Snippet, Verdict
from mailguard.quarantine import QuarantineStore
from mailguard.settings import Settings


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state' / 'quarantine.db'}"
    return request.getfixturevalue("pg_database")


def make_settings(db_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "data_dir": tmp_path / "var",
        "hostname": "mailguard.test",
        "internal_domains": ["example.org"],
        "upstream_host": "127.0.0.1",
        "upstream_port": 9,
        "upstream_tls": "none",
        "upstream_timeout": 5.0,
        # one reviewer and no justification unless a test asks (tests/actions/release cover both)
        "two_person_release": "off",
        "release_justification": False,
    }
    return Settings(**(values | overrides))


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path)


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[QuarantineStore]:
    opened = await QuarantineStore.open(settings)
    await empty(opened)
    yield opened
    await opened.aclose()


# --- messages and verdicts --------------------------------------------------------------

SENDER = "alice@example.org"
RCPTS = ("ex.partner@gmail.com", "bob@example.org")
SECRET = "14 Acacia Avenue"  # the "register" text a notice must never echo


def message(subject: str = "Assessment", body: str = f"She now lives at {SECRET}, BS1 4DJ.") -> bytes:
    return (
        f"From: Alice <{SENDER}>\r\nTo: {RCPTS[0]}, {RCPTS[1]}\r\nSubject: {subject}\r\n"
        f"Message-ID: <m-{secrets.token_hex(4)}@example.org>\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def verdict(rule: str = "protected-address", subject: str = "", message_id: str = "") -> Verdict:
    return Verdict(
        Action.HOLD,
        reasons=[
            Reason(
                rule=rule,
                detector="protected",
                detail=f"protected address {SECRET} to a flagged recipient",
                register_id="P000123",
                snippet=Snippet(where="body", before="She now lives at ", match=SECRET, after=", BS1 4DJ."),
                action=Action.HOLD,
            )
        ],
        unscanned=[Unscanned('attachment "x.pdf"', UnscannedReason.ENCRYPTED, "pypdf: encrypted")],
        attachments=[Attachment("x.pdf", "application/pdf", 1234, 'attachment "x.pdf"')],
        subject=subject,
        message_id=message_id,
    )


def envelope(mail_from: str = SENDER, rcpts: Sequence[str] = RCPTS) -> Envelope:
    return Envelope(mail_from=mail_from, rcpt_tos=tuple(rcpts), client_ip="127.0.0.1", helo="client.test")


# --- the recording upstream --------------------------------------------------------------


@dataclass
class Delivered:
    mail_from: str
    rcpts: list[str]
    data: bytes


@dataclass
class RecordingHandler:
    """Records every accepted transaction; refuses recipients by local part:
    `perm*` → 550, `temp*` → 451."""

    delivered: list[Delivered] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, env: SMTPEnvelope, address: str, options: list[str]
    ) -> str:
        local = address.split("@")[0]
        if local.startswith("perm"):
            return "550 5.1.1 no such user"
        if local.startswith("temp"):
            return "451 4.2.0 try later"
        env.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, env: SMTPEnvelope) -> str:
        mail_from = "" if env.mail_from in ("<>", None) else env.mail_from  # the null sender
        self.delivered.append(Delivered(mail_from, list(env.rcpt_tos), env.original_content or b""))
        return "250 2.0.0 queued"


class Upstream:
    """An aiosmtpd server on a free loopback port that can be stopped and restarted there."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def delivered(self) -> list[Delivered]:
        return self.handler.delivered

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self.handler, hostname="upstream.test"), "127.0.0.1", self.port
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def deliver(self, mail_from: str, rcpts: Sequence[str], data: bytes) -> object:
        """The outbox's Deliver: aiosmtplib to this upstream (port fixed even while down)."""
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=self.port, timeout=5, start_tls=False)
        async with client:  # not aiosmtplib.send: it refuses the null sender notices use
            return await client.sendmail(mail_from, list(rcpts), data)


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    up = Upstream()
    await up.start()
    yield up
    await up.stop()
