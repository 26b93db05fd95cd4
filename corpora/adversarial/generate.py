"""Generate a harder labelled corpus than ../shared/corpus/dev, in the same format.

    .venv/bin/python -m corpora redteam --out OUT_DIR
    .venv/bin/python ../shared/corpus/score_check.py OUT_DIR --show 500

Writes OUT_DIR/register.csv, settings.env, messages/*.eml and expected.jsonl (file, mail_from,
rcpt, expect, family, why). Families read `protected/<variant>/<carrier>`,
`protected-negative/<near miss>`, `exposure/<how>` and `exposure-negative/<how>`, so the scorer's
per-family lines name the wording or container that failed.

The register, the expectations and every message's text are seeded and come out the same on
every run. The bytes of some messages do not: the email package draws MIME boundaries from the
global random generator, and zip, OOXML and PDF writers stamp the current time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .containers import attached_messages, containers, ics_location
from .corpus import Corpus, filler_rows
from .encodings import encodings
from .exposure import address_lists, exposure_headers, invites, more_exposure
from .html_tricks import html_tricks
from .near_misses import near_misses
from .tables import long_lists, tables
from .wordings import flagged_variants, phones_emails, register_variety, wordings

# In this order: every family draws from the one seeded generator, so moving one reshuffles
# the people and addresses of every family after it.
FAMILIES: list[Callable[[Corpus], None]] = [
    wordings,
    tables,
    containers,
    attached_messages,
    ics_location,
    html_tricks,
    encodings,
    phones_emails,
    near_misses,
    exposure_headers,
    invites,
    address_lists,
    register_variety,
    flagged_variants,
    long_lists,
    more_exposure,
]


def write(out: Path) -> str:
    if (out / "messages").exists():
        for f in (out / "messages").glob("*.eml"):
            f.unlink()
    c = Corpus(out)
    filler_rows(c, 600)
    for family in FAMILIES:
        family(c)
    c.write_register()
    c.write_expected()
    return f"{len(c.expected)} messages, {len(c.rows)} register rows"
