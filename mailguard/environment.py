"""Reading the settings from the environment and `.env`: a misspelt MAILGUARD_* variable stops
the start with one line naming the closest setting, instead of being silently ignored."""

from __future__ import annotations

import os
import re
import typing
from pathlib import Path

from mailguard.settings import Settings

ENV_PREFIX = "MAILGUARD_"
# Not settings, never an error: the test suite's own variables, and the ones Kubernetes injects
# for a Service whose name starts with "mailguard" (MAILGUARD_ADMIN_SERVICE_HOST, ..._PORT_8025_TCP).
_NOT_SETTINGS = re.compile(
    r"MAILGUARD_(TEST_\w*|(\w+_)?(SERVICE_HOST|SERVICE_PORT\w*|PORT|PORT_\d+_(TCP|UDP|SCTP)\w*))"
)


class SettingsError(ValueError):
    """A setting the administrator must fix: one line, exit 2."""


def env_file_values(path: Path = Path(".env")) -> dict[str, str | None]:
    """The MAILGUARD_* lines of `.env` (the file pydantic-settings reads too)."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k.upper(): v for k, v in dotenv_values(path).items() if k.upper().startswith(ENV_PREFIX)}


def setting_names() -> dict[str, str]:
    """MAILGUARD_NAME -> field name, for every setting."""
    return {ENV_PREFIX + name.upper(): name for name in Settings.model_fields}


def check_unknown_variables(environ: typing.Mapping[str, str] | None = None) -> None:
    """A misspelt MAILGUARD_* variable must not be silently ignored (a typo in
    MAILGUARD_OBSERVE_ONLY would leave blocking on): `SettingsError` naming the closest one."""
    import difflib

    environ = os.environ if environ is None else environ
    known = setting_names()
    sources = [(name, "environment") for name in environ] + [(name, ".env") for name in env_file_values()]
    for name, where in sources:
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX) or upper in known or _NOT_SETTINGS.fullmatch(upper):
            continue
        close = difflib.get_close_matches(upper, known, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else " (see `mailguard config` for the settings)"
        raise SettingsError(f"unknown setting {name} in the {where}{hint}")


def load_settings(**overrides: object) -> Settings:
    """Read the settings; `SettingsError` for an unknown MAILGUARD_* variable, a pydantic
    ValidationError (one line per bad variable) for a bad value."""
    check_unknown_variables()
    return Settings(**overrides)  # type: ignore[arg-type]
