"""The Scanner end to end: real extraction pool, real register, rule reloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailguard.envelope import Envelope
from mailguard.message.model import Content
from mailguard.policy.loader import PolicyError
from mailguard.policy.scanner import Scanner, _with_header_addresses
from mailguard.policy.verdict import Action
from mailguard.settings import Settings

DATA = Path(__file__).parent / "data"
INTERNAL = "dept.example.gov.uk"
EXPOSED = (
    b'From: officer@dept.example.gov.uk\r\nTo: "Smith, John" <john@gmail.com>, ann@outlook.com\r\n'
    b"Subject: Update\r\nMessage-ID: <m1@x>\r\n\r\nHello all.\r\n"
)
MOVED = (
    b"From: officer@dept.example.gov.uk\r\nTo: ex.partner@gmail.com\r\nSubject: Move\r\n\r\n"
    b"They moved to 14 High Street, Bristol BS1 4AA.\r\n"
)


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        internal_domains=[INTERNAL],
        register=DATA / "register.csv",
        data_dir=tmp_path / "var",
        extract_workers=1,
        **extra,  # type: ignore[arg-type]
    )


async def test_scan_fills_the_verdict(tmp_path: Path) -> None:
    scanner = await Scanner.from_settings(_settings(tmp_path))
    try:
        v = await scanner(Envelope(f"officer@{INTERNAL}", ("john@gmail.com", "ann@outlook.com")), EXPOSED)
        assert v.action is Action.REWRITE
        assert v.subject == "Update" and v.message_id == "<m1@x>"
        assert v.scan_seconds > 0
        v = await scanner(Envelope(f"officer@{INTERNAL}", ("ex.partner@gmail.com",)), MOVED)
        assert v.action is Action.HOLD and v.reasons[0].register_id == "P000001"
        assert v.split is False
    finally:
        await scanner.aclose()
    assert (tmp_path / "var" / "register").is_dir()  # compiled cache for a fast restart


async def test_bad_rules_refuse_to_start(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "exposure.yaml").write_text("threshold: two\n")
    with pytest.raises(PolicyError, match=r"exposure.yaml:1: threshold"):
        await Scanner.from_settings(_settings(tmp_path, rules_dir=rules))


async def test_missing_register_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="register"):
        await Scanner.from_settings(_settings(tmp_path).model_copy(update={"register": tmp_path / "none.csv"}))


async def test_reload_keeps_old_rules_on_error(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    scanner = await Scanner.from_settings(_settings(tmp_path, rules_dir=rules))
    envelope = Envelope(f"officer@{INTERNAL}", ("john@gmail.com", "ann@outlook.com"))
    try:
        (rules / "exposure.yaml").write_text("action: [broken\n")
        assert scanner.reload() is False
        assert (await scanner(envelope, EXPOSED)).action is Action.REWRITE  # old rules still in force
        (rules / "exposure.yaml").write_text("action: hold\n")
        assert scanner.reload() is True
        assert (await scanner(envelope, EXPOSED)).action is Action.HOLD
    finally:
        await scanner.aclose()


def test_header_fallback_when_extraction_gave_up() -> None:
    content = _with_header_addresses(Content(), EXPOSED)
    assert [a.address for a in content.addresses] == ["john@gmail.com", "ann@outlook.com"]
    assert content.subject == "Update"


@pytest.mark.parametrize(
    "mail_from, header",
    [
        ("", b""),
        (f"officer@{INTERNAL}", b"Auto-Submitted: auto-forwarded\r\n"),
        (f"officer@{INTERNAL}", b"X-MS-Journal-Report: \r\n"),
    ],
    ids=["null-sender", "auto-submitted", "journal-report"],
)
async def test_system_mail_to_a_flagged_recipient_is_still_scanned(
    tmp_path: Path, mail_from: str, header: bytes
) -> None:
    """An insider (or an auto-forward rule) cannot switch protection off with a header: system
    mail to a flagged recipient is held for protected data, but never rewritten for exposure."""
    scanner = await Scanner.from_settings(_settings(tmp_path))
    try:
        held = await scanner(Envelope(mail_from, ("ex.partner@gmail.com",)), header + MOVED)
        assert held.action is Action.HOLD and held.reasons[0].register_id == "P000001"
        exposed_to_flagged = header + EXPOSED.replace(b"ann@outlook.com", b"ex.partner@gmail.com")
        v = await scanner(Envelope(mail_from, ("john@gmail.com", "ex.partner@gmail.com")), exposed_to_flagged)
        assert (v.action, v.reasons, v.split) == (Action.PASS, [], False)
        v = await scanner(Envelope(mail_from, ("john@gmail.com", "ann@outlook.com")), header + EXPOSED)
        assert v.action is Action.PASS  # nobody flagged: not even read
    finally:
        await scanner.aclose()
