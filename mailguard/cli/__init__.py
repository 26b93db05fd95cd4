"""`mailguard` command line. Each command lives in its own module with `configure` and `run`.

A module's `configure(parser)` adds its arguments (and sub-commands); `run(args)` returns the
exit code. Errors a user can fix are one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from pydantic import ValidationError

from mailguard.environment import SettingsError

# command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("mailguard.cli.serve", "run the relay, the admin endpoint and /metrics"),
    "check": ("mailguard.cli.check", "classify messages as the relay would, deliver nothing"),
    "demo": ("mailguard.cli.demo", "run a relay with a recording upstream and push sample mail through it"),
    "register": ("mailguard.cli.register", "load or inspect the protected register"),
    "quarantine": ("mailguard.cli.quarantine", "list, show, release or reject held mail"),
    "rules": ("mailguard.cli.rulecheck", "validate the rule files and print the effective policy"),
    "config": ("mailguard.cli.config", "print the effective settings (secrets masked), their sources and warnings"),
    "learn": ("mailguard.cli.learn", "seed the misdirection guard's case/recipient affinities from an archive"),
}


class UserError(Exception):
    """A problem the user can fix (bad setting, missing file): printed as one line, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mailguard", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except (UserError, SettingsError) as exc:
        print(f"mailguard: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            where = ".".join(str(p) for p in err["loc"])
            print(
                f"mailguard: bad setting MAILGUARD_{where.upper()}: {msg}" if where else f"mailguard: {msg}",
                file=sys.stderr,
            )
        return 2
    except KeyboardInterrupt:
        return 130
