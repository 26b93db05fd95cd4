"""`mailguard serve` (not built yet)."""

from __future__ import annotations

import argparse

from mailguard.cli import UserError


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise UserError("'serve' is not built yet")
