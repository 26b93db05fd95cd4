"""A second, independent labelled corpus: what a UK council really sends.

    .venv/bin/python bench/realistic_corpus.py [OUT_DIR] [--seed N]     (default /tmp/realistic)
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

import argparse
import shutil
import sys
from pathlib import Path

from .corpus import Corpus
from .exposure import exposure
from .negatives import negatives
from .positives import positives


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", type=Path, default=Path("/tmp/realistic"))
    ap.add_argument("--seed", type=int, default=20260301)
    a = ap.parse_args()
    if a.out.exists():
        shutil.rmtree(a.out)
    (a.out / "messages").mkdir(parents=True)
    c = Corpus(a.out, a.seed)
    c.write_register()
    positives(c)
    negatives(c)
    exposure(c)
    c.write_manifest()
    exp = [r["expect"] for r in c.records]
    print(f"{len(exp)} messages: {sum(e != 'pass' for e in exp)} to catch, {exp.count('pass')} to pass -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
