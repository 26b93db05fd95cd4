"""Bundled demo data: sample messages re-enacting the breaches, a protected register and the
settings the expected verdicts assume. Regenerate with `python -m mailguard.demo.make_samples`.

- `samples/*.eml` (CRLF, as sent over SMTP) and `samples/index.json`: a list of
  `{"file", "mail_from", "rcpt", "expect", "note"[, "with_split_invites"]}`; `expect` is the
  `check --json` verdict under `settings.json`; extra keys are for people and tests.
- `register.csv`: the protected register (INTERFACE.md format), all invented.
- `settings.json`: Settings field names and values (plus a "note"); `register` is relative
  to this folder.
"""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
SAMPLES_DIR = DEMO_DIR / "samples"
REGISTER_CSV = DEMO_DIR / "register.csv"
SETTINGS_JSON = DEMO_DIR / "settings.json"
