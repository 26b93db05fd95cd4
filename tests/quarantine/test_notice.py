"""Sender notices: proper RFC 5322 mail from the null sender, plain words, no register data."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from mailguard.actions.notice import NoticeKind, compose, safe_subject, wants_notice
from mailguard.quarantine.records import held_reasons, verdict_json

from .conftest import SECRET, SENDER, make_settings, verdict

REASONS = held_reasons(verdict_json(verdict())["reasons"])


@pytest.fixture
def settings(tmp_path: Path):
    return make_settings(f"sqlite:///{tmp_path}/q.db", tmp_path)


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_kind_is_a_clean_message(settings, kind: NoticeKind) -> None:
    note = compose(
        settings,
        kind,
        sender=SENDER,
        reference="QABCDEFGHIJKL",
        subject="Family assessment",
        message_id="<m1@example.org>",
        received_at=1_790_000_000.0,
        reasons=REASONS,
        recipients=2,
        now=1_790_000_100.0,
        smtp_code=550,
    )
    assert note is not None and note.mail_from == "" and note.rcpt == SENDER
    assert b"\r\n" in note.data and b"\n" not in note.data.replace(b"\r\n", b"")
    msg = BytesParser(policy=policy.default).parsebytes(note.data)
    assert msg["From"] == "postmaster@mailguard.test" and msg["To"] == SENDER
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["In-Reply-To"] == "<m1@example.org>" and msg["Message-ID"].endswith("@mailguard.test>")
    assert msg["Date"] and msg["Subject"]
    body = msg.get_content()
    assert "QABCDEFGHIJKL" in body and "Family assessment" in body
    assert "What happens next" in body
    for leaked in (SECRET, "P000123", "protected-address", "BS1 4DJ", "gmail"):
        assert leaked not in body and leaked.encode() not in note.data
    assert "{" not in body  # every template variable was filled


def test_notice_from_setting(tmp_path: Path) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path}/q.db", tmp_path, notice_from="Mail Guard <guard@example.org>"
    )
    note = compose(settings, NoticeKind.HELD, sender=SENDER, reference="Q1")
    assert note is not None and b"From: Mail Guard <guard@example.org>" in note.data


def test_subject_with_the_match_is_not_echoed(settings) -> None:
    subject = f"Re: visit at {SECRET.upper()}"
    assert safe_subject(subject, REASONS) == ""
    note = compose(settings, NoticeKind.HELD, sender=SENDER, reference="Q1", subject=subject, reasons=REASONS)
    assert note is not None and b"ACACIA" not in note.data.upper()


def test_no_notice_to_automatic_mail() -> None:
    assert not wants_notice("")
    assert not wants_notice("MAILER-DAEMON@example.org")
    assert not wants_notice(SENDER, b"Auto-Submitted: auto-generated\r\nSubject: x\r\n\r\nbody")
    assert not wants_notice(SENDER, b"Precedence: bulk\r\n\r\nbody")
    assert wants_notice(SENDER, b"Auto-Submitted: no\r\nSubject: x\r\n\r\nbody")
    assert wants_notice(SENDER, b"Subject: x\r\n\r\nbody")
