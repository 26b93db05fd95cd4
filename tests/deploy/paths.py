"""Where the deployment files are (tests run from a temporary folder)."""

from __future__ import annotations

from pathlib import Path

from mailguard.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCS = ROOT / "docs"
SETTINGS_ENV = {f"MAILGUARD_{name.upper()}" for name in Settings.model_fields}
