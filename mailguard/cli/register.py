"""`mailguard register import FILE.csv` and `mailguard register stats`.

Import validates every row, reports bad rows by line number and column (never their
contents), keeps the good ones, copies the CSV into the data dir and compiles the index the
relay opens on restart (when MAILGUARD_REGISTER is not set: that file wins, and import says
so). `--check` validates only. Exit 0 when every row was good, 1 when some were skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mailguard.cli import UserError
from mailguard.detect.register import Register, RegisterError
from mailguard.detect.register import compiled as store
from mailguard.detect.register.keys import local_secret, secret_from
from mailguard.environment import load_settings

MAX_SHOWN = 50


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="register_command", required=True, metavar="ACTION")
    imp = sub.add_parser("import", help="validate a register CSV and store it for the relay")
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument("--check", action="store_true", help="only validate and report bad rows by line; store nothing")
    imp.add_argument("--out", type=Path, metavar="FILE", help="write the compiled index here (needs the register key)")
    st = sub.add_parser("stats", help="print counts of the current register (never its contents)")
    st.add_argument("file", type=Path, nargs="?", metavar="FILE.csv", help="default: the configured register")
    st.add_argument("--json", action="store_true", help="one JSON object")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        secret = secret_from(
            settings.register_key.get_secret_value() if settings.register_key else None, settings.register_key_file
        )
        if args.register_command == "import":
            code = _import(args.file, settings.data_dir, args.check, args.out, secret)
            if settings.register is not None and not args.check and args.out is None:
                # The relay reads MAILGUARD_REGISTER, not the imported copy: say so, loudly.
                print(
                    f"note: MAILGUARD_REGISTER is set, so the relay uses {settings.register}, not this import; "
                    "replace that file (or unset the variable) for these rows to be used",
                    file=sys.stderr,
                )
            return code
        return _stats(args.file, settings, args.json, secret)
    except RegisterError as exc:
        raise UserError(str(exc)) from None


def _import(file: Path, data_dir: Path, check_only: bool, out: Path | None, secret: bytes | None) -> int:
    if out is not None and secret is None:
        raise UserError("--out needs MAILGUARD_REGISTER_KEY (or _KEY_FILE): the relays must hold the same key")
    target = out or store.imported_index(data_dir)
    store.csv_digest(file)  # unreadable: say so before anything is created
    if secret is None and not check_only:
        secret = local_secret(target.parent)  # a data-dir index without a configured key
    image, rows, errors = Register.compile_image(file, secret or b"check only, nothing kept.")
    for err in errors[:MAX_SHOWN]:
        print(f"{file.name}: line {err.line}: {err.problem}", file=sys.stderr)
    if len(errors) > MAX_SHOWN:
        print(f"{file.name}: … and {len(errors) - MAX_SHOWN} more bad rows", file=sys.stderr)
    if rows == 0:
        raise UserError(f"{file.name}: no valid rows; nothing imported")
    if not check_only:
        try:
            store.install_index(image, target)
            if out is None:
                store.legacy_csv(data_dir).unlink(missing_ok=True)  # an older version's plain copy
        except OSError as exc:
            raise UserError(f"cannot store the register in {target.parent}: {exc.strerror}") from None
    verb = "checked" if check_only else f"imported into {target}:"
    skipped = sum(not e.kept for e in errors)
    warned = (
        f", {len(errors) - skipped} kept with an optional field (name or phone) left out as unreadable"
        if len(errors) > skipped
        else ""
    )
    print(f"{verb} {rows} rows, {skipped} bad rows skipped{warned}")
    return 1 if errors else 0


def _stats(file: Path | None, settings, as_json: bool, secret: bytes | None) -> int:  # type: ignore[no-untyped-def]
    if file is not None:
        register = Register.open(file, cache_dir=store.register_dir(settings.data_dir), key=secret)
    else:
        found = Register.from_settings(settings)
        if found is None:
            raise UserError("no register: set MAILGUARD_REGISTER or run 'mailguard register import FILE.csv'")
        register = found
    stats = register.stats()
    if as_json:
        print(json.dumps(stats, sort_keys=True))
    else:
        width = max(map(len, stats))
        for key, value in stats.items():
            print(f"{key:<{width}}  {value}")
    return 0
