"""`mailguard config`: the effective settings, where each came from, and what looks wrong.

Sources, strongest first: the environment, `.env`, a rule file (for the policy settings rule
files may set), the default. Secrets are masked (a password in a database URL too). Warnings
name configurations that run but protect less than the administrator probably thinks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from enum import Enum
from pathlib import Path

from pydantic import SecretStr

from mailguard.environment import ENV_PREFIX, env_file_values, load_settings
from mailguard.settings import Settings

MASK = "********"
# Settings a rule file may also set: (rule file, how to read its value from the loaded files).
RULE_FILE_SETTINGS = {
    "internal_domains": ("organisation.yaml", lambda f: f.organisation.internal_domains),
    "exposure_threshold": ("exposure.yaml", lambda f: f.exposure.threshold),
    "exposure_action": ("exposure.yaml", lambda f: f.exposure.action),
    "split_invites": ("exposure.yaml", lambda f: f.exposure.split_invites),
}
_SECRET_WORDS = ("password", "secret", "token")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object: settings, sources, warnings")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    rows = effective(settings)
    found = warnings(settings, {name: value for name, value, _ in rows})
    if args.json:
        print(
            json.dumps(
                {
                    "settings": {name: {"value": value, "source": source} for name, value, source in rows},
                    "warnings": found,
                }
            )
        )
        return 0
    width = max(len(ENV_PREFIX + name) for name, _, _ in rows)
    for name, value, source in rows:
        shown = ",".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)
        print(f"{(ENV_PREFIX + name.upper()).ljust(width)} = {shown}  ({source})")
    for line in found:
        print(f"warning: {line}", file=sys.stderr)
    return 0


def effective(settings: Settings) -> list[tuple[str, object, str]]:
    """(field name, shown value, source) for every setting, in the order of settings.py."""
    dotenv = env_file_values()
    files = _rule_files(settings)
    read = {Path(p).name for p in getattr(files, "read", ())}
    rows = []
    for name in Settings.model_fields:
        variable = ENV_PREFIX + name.upper()
        value: object = getattr(settings, name)
        if variable in os.environ or variable.lower() in os.environ:
            source = "environment"
        elif variable in dotenv:
            source = ".env"
        elif name in RULE_FILE_SETTINGS and (file := RULE_FILE_SETTINGS[name])[0] in read:
            source = f"rule file {file[0]}"
            value = file[1](files)
        else:
            source = "default"
        rows.append((name, _shown(name, value), source))
    return rows


def _rule_files(settings: Settings) -> object | None:
    from mailguard.policy.loader import PolicyError, load_rule_files

    try:
        return load_rule_files(Path(settings.rules_dir), must_exist=False)
    except (PolicyError, ValueError):  # `mailguard rules check` reports bad files; here: defaults
        return None


def _shown(name: str, value: object) -> object:
    if isinstance(value, SecretStr):
        return MASK
    if name == "database_url" and isinstance(value, str):
        from sqlalchemy.engine import make_url

        try:
            return make_url(value).render_as_string(hide_password=True)
        except Exception:  # not a URL: say nothing of what it holds
            return MASK
    if isinstance(value, str) and value and any(word in name for word in _SECRET_WORDS):
        return MASK
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    return value


def warnings(settings: Settings, shown: dict[str, object]) -> list[str]:
    """Configurations that run but protect less than expected."""
    from mailguard.detect.register import compiled as store

    found = []
    if settings.register is None and not store.imported_index(settings.data_dir).is_file():
        found.append(
            "no protected register (MAILGUARD_REGISTER, or `mailguard register import`): "
            "mail mentioning a protected address is not held"
        )
    if not shown.get("internal_domains"):
        found.append(
            "no internal domains (MAILGUARD_INTERNAL_DOMAINS or organisation.yaml): "
            "every recipient, colleagues too, counts as outside the organisation"
        )
    if settings.effective_database_url.startswith("sqlite") and os.environ.get("KUBERNETES_SERVICE_HOST"):
        found.append(
            "SQLite store in a cluster: each replica keeps its own quarantine; use PostgreSQL "
            "(MAILGUARD_DATABASE_URL) and MAILGUARD_REQUIRE_SHARED_STORE=true"
        )
    for network in settings.networks:
        if network.prefixlen == 0:
            found.append(f"MAILGUARD_CLIENT_NETWORKS has {network}: anyone who reaches the port may relay")
        elif not (network.is_private or network.is_loopback):
            found.append(f"MAILGUARD_CLIENT_NETWORKS has public network {network}: check it is only your servers")
    if settings.observe_only:
        found.append("MAILGUARD_OBSERVE_ONLY is on: verdicts are logged and counted, nothing is held or rewritten")
    return found
