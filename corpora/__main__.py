"""`python -m corpora [NAME --out DIR [--seed N]]`: list the corpora, or write one."""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from pathlib import Path

# name -> (module with `write(out[, seed]) -> str`, what it presses on)
CORPORA: dict[str, tuple[str, str]] = {
    "redteam": ("corpora.adversarial.generate", "wordings, containers, encodings, HTML tricks, near misses"),
    "realistic": ("corpora.realistic.generate", "what a council really sends: bundles, letters, case lists"),
    "thirdeye": ("corpora.thirdeye.corpus", "Welsh, Scottish, NI and rural addresses; office formats"),
    "fourth": ("corpora.fourth", "forwarded chains, flagged subdomains, phones, wrong district"),
    "fifth": ("corpora.fifth.generate", "every surface, wording, alias and near miss of issues 10 and 21"),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corpora", description=__doc__)
    ap.add_argument("name", nargs="?", choices=sorted(CORPORA), help="the corpus to write; omit to list them")
    ap.add_argument("--out", type=Path, help="output directory (default /tmp/NAME); replaced if it exists")
    ap.add_argument("--seed", type=int, help="seed, for the generators that take one")
    a = ap.parse_args(argv)
    if a.name is None:
        for name, (module, what) in CORPORA.items():
            print(f"{name:10s} {module:32s} {what}")
        return 0
    module, _ = CORPORA[a.name]
    write = importlib.import_module(module).write
    out = a.out or Path("/tmp") / a.name
    kwargs = {}
    if a.seed is not None:
        if "seed" not in inspect.signature(write).parameters:
            ap.error(f"{a.name} takes no --seed")
        kwargs["seed"] = a.seed
    print(f"{out}: {write(out, **kwargs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
