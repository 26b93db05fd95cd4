"""Score the misdirection corpus with the real command line: `mailguard learn` on the history,
then `mailguard check --json` on the test messages, in a fresh data folder.

    python -m corpora.misdirection.score OUT [--data DIR] [--database-url URL]

Prints recall on misdirections (held by `misdirected-recipient`), false holds on normal
traffic (by that rule, and by any rule), and a breakdown by kind.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

RULE = "misdirected-recipient"


@dataclass
class Score:
    misdirected: int = 0
    caught: int = 0
    normal: int = 0
    false_holds: int = 0  # normal messages held by the misdirection rule
    any_holds: int = 0  # normal messages held by any rule
    by_kind: Counter[str] = field(default_factory=Counter)
    held_by_kind: Counter[str] = field(default_factory=Counter)
    learn_output: str = ""

    @property
    def recall(self) -> float:
        return self.caught / self.misdirected if self.misdirected else 1.0

    @property
    def false_hold_rate(self) -> float:
        return self.false_holds / self.normal if self.normal else 0.0

    def lines(self) -> list[str]:
        out = [
            self.learn_output.strip(),
            f"recall on misdirections: {self.caught}/{self.misdirected} = {self.recall:.3f}",
            f"false holds on normal traffic (misdirection rule): {self.false_holds}/{self.normal} "
            f"= {self.false_hold_rate:.4f}; held by any rule: {self.any_holds}",
        ]
        out += [f"  {kind}: held {self.held_by_kind[kind]}/{n}" for kind, n in sorted(self.by_kind.items())]
        return out


def _env(corpus: Path, data: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILGUARD_")}
    env |= {
        "MAILGUARD_RULES_DIR": str(corpus / "rules"),
        "MAILGUARD_REGISTER": str(corpus / "register.csv"),
        "MAILGUARD_DATA_DIR": str(data),
        "MAILGUARD_AFFINITY_KEY": "corpus-scoring-key-0123456789abcdef",
        "MAILGUARD_EXTRACT_WORKERS": env.get("EXTRACT_WORKERS", "2"),
    }
    if database_url:
        env["MAILGUARD_DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "mailguard", *args], env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"mailguard {args[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def score(corpus: Path, data: Path, database_url: str | None = None) -> Score:
    env = _env(corpus, data, database_url)
    result = Score(learn_output=_run(["learn", "--manifest", str(corpus / "history" / "manifest.jsonl")], env))
    checked = _run(["check", "--manifest", str(corpus / "test" / "manifest.jsonl"), "--json"], env)
    verdicts = {}
    for line in checked.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            verdicts[item["file"]] = item
    for line in (corpus / "test" / "manifest.jsonl").read_text().splitlines():
        label = json.loads(line)
        got = verdicts[label["file"]]
        by_rule = got["verdict"] == "hold" and any(r["rule"] == RULE for r in got["reasons"])
        result.by_kind[label["kind"]] += 1
        result.held_by_kind[label["kind"]] += by_rule
        if label["label"] == "misdirected":
            result.misdirected += 1
            result.caught += by_rule
        else:
            result.normal += 1
            result.false_holds += by_rule
            result.any_holds += got["verdict"] == "hold"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m corpora.misdirection.score", description=__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--data", type=Path, help="data folder (default: a fresh temporary one)")
    parser.add_argument("--database-url", help="e.g. postgresql://... (default: SQLite in the data folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("\n".join(score(args.corpus, args.data or Path(tmp), args.database_url).lines()))


if __name__ == "__main__":
    main()
