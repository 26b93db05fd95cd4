"""The review page's Jinja2 environment.

Autoescape is on for every template, and templates come only from the package's templates/
folder: nothing is ever compiled from data (mailcow CVE-2025-53909 was a template built from
a notification text). Message values reach templates only as variables, so they are escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from mailguard.visible import visible

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")


def age(when: datetime, now: datetime | None = None) -> str:
    """A short, human age: '45 s', '12 min', '3 h 5 min', '4 d 2 h'."""
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    seconds = max(0, seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours == 0:
        return f"{minutes} min"
    if days == 0:
        return f"{hours} h {minutes % 60} min"
    return f"{days} d {hours % 24} h"


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def filesize(size: int) -> str:
    amount = float(size)
    for unit in ("bytes", "KB", "MB"):
        if amount < 1024 or unit == "MB":
            return f"{amount:.0f} {unit}" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")


def _shown(value: object) -> object:
    """Before autoescape: a message-derived string shows its format characters as ⟨U+202E⟩
    (mailguard/visible.py); markup the templates built themselves is left alone."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value, multiline=True)
    return value


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every template, whatever its file name
        undefined=StrictUndefined,  # a misspelt variable is an error in tests, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,  # every printed value: invisible characters become visible escapes
    )
    env.filters.update(age=age, when=when, filesize=filesize)
    return env


def templates() -> Jinja2Templates:
    return Jinja2Templates(env=environment())
