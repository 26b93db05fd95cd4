"""A second, independent labelled corpus: what a UK council really sends.

    .venv/bin/python -m corpora realistic --out OUT_DIR [--seed N]
    .venv/bin/python ../shared/corpus/score_check.py OUT_DIR

Writes register.csv (2,000 realistic UK rows), settings.env, messages/*.eml and expected.jsonl
in the format of ../shared/corpus/README.md. Deterministic for a seed. Negatives are built to
press on false holds (neighbours, same street/postcode/building, many other addresses, numbers
that look like house numbers, the flagged ex-partner's ordinary letters); positives carry the
protected address in court bundles, letters, case lists, forwarded chains, HTML tables, OCR'd
scans, phone numbers and the person's own email in Cc.

The generator is one module per group of families (positives, negatives, exposure); every family
draws from the one seeded generator, so their order is fixed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .corpus import Corpus
from .exposure import exposure
from .negatives import negatives
from .positives import positives


def write(out: Path, seed: int = 20260301) -> str:
    if out.exists():
        shutil.rmtree(out)
    (out / "messages").mkdir(parents=True)
    c = Corpus(out, seed)
    c.write_register()
    positives(c)
    negatives(c)
    exposure(c)
    c.write_manifest()
    exp = [r["expect"] for r in c.records]
    return f"{len(exp)} messages: {sum(e != 'pass' for e in exp)} to catch, {exp.count('pass')} to pass"
