"""The Scanner that `mailguard check` and the relay use (Scanner.from_settings: rules, register,
extraction worker pool), driven from plain sync tests on a background loop, so hypothesis can
call it once per example."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from mailguard.envelope import Envelope
from mailguard.policy.scanner import Scanner
from mailguard.policy.verdict import Verdict
from mailguard.settings import Settings

from .loop import ThreadLoop

RULES = Path(__file__).resolve().parents[2] / "rules"


class SyncScanner:
    def __init__(self, settings: Settings) -> None:
        self.loop = ThreadLoop()
        self.scanner: Scanner = self.loop.run(Scanner.from_settings(settings), timeout=60)

    def __call__(self, mail_from: str, rcpt: list[str], message: EmailMessage | bytes) -> Verdict:
        data = message if isinstance(message, bytes) else message.as_bytes(policy=SMTP)
        return self.loop.run(self.scanner(Envelope(mail_from, tuple(rcpt)), data), timeout=60)

    def close(self) -> None:
        try:
            self.loop.run(self.scanner.aclose())
        finally:
            self.loop.close()


def settings_for(tmp: Path, register_csv: Path, internal: str, **extra: object) -> Settings:
    """The shipped rules, one extraction worker, the data dir under `tmp`."""
    return Settings(
        internal_domains=[internal],
        register=register_csv,
        rules_dir=RULES,
        data_dir=tmp / "var",
        extract_workers=1,
        **extra,  # type: ignore[arg-type]
    )
