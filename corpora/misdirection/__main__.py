"""python -m corpora.misdirection OUT [--cases N] [--normal N] [--seed S]"""

from __future__ import annotations

import argparse
from pathlib import Path

from corpora.misdirection.generate import generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m corpora.misdirection", description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--cases", type=int, default=150)
    parser.add_argument("--normal", type=int, default=1200, help="normal test messages")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    corpus = generate(args.out, cases=args.cases, normal=args.normal, seed=args.seed)
    print(
        f"{corpus.history} history messages, {corpus.normal} normal and {corpus.misdirected} misdirected "
        f"test messages in {args.out}"
    )


if __name__ == "__main__":
    main()
