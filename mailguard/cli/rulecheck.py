"""`mailguard rules check [DIR]`: validate the rule files and print the effective policy
(rule files plus the MAILGUARD_* settings that win over them)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mailguard.environment import load_settings
from mailguard.policy.engine import load_policy
from mailguard.policy.loader import PolicyError


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    check = sub.add_parser("check", help="validate the rule files and print what they mean")
    check.add_argument("dir", nargs="?", type=Path, help="rules directory (default: MAILGUARD_RULES_DIR)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    directory = args.dir if args.dir is not None else settings.rules_dir
    try:
        policy = load_policy(settings, directory)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 1
    read = ", ".join(policy.files_read) or "none (built-in defaults)"
    print(f"rules directory: {directory}")
    print(f"files read: {read}")
    for line in policy.describe():
        print(line)
    print("rules OK")
    return 0
