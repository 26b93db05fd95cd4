"""`mailguard check`: classify messages exactly as the relay would (same Scanner, same
extraction bounds, same line-end handling), deliver nothing.

    mailguard check FILE.eml [--mail-from A] [--rcpt B ...] [--json]
    mailguard check --manifest FILE.jsonl [--json]

Envelope defaults: the From header, and the To+Cc+Bcc headers. Many messages are scanned
concurrently through the extraction pool, with the register loaded once; results are printed
in input order.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailguard.actions.disposition import dispose
from mailguard.cli import UserError
from mailguard.detect.header_facts import read_headers
from mailguard.envelope import Envelope
from mailguard.environment import load_settings
from mailguard.policy.loader import PolicyError
from mailguard.policy.scanner import Scanner
from mailguard.policy.verdict import Action, Reason, Verdict, reason_line
from mailguard.relay.dataread import has_bare_line_ends, normalise_line_ends
from mailguard.settings import BareNewline, Settings


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="*", type=Path, help="messages (.eml), one verdict each")
    parser.add_argument("--manifest", type=Path, help='JSON lines: {"file": PATH, "mail_from": A, "rcpt": [B, ...]}')
    parser.add_argument("--mail-from", dest="mail_from", help="envelope sender (default: the From header)")
    parser.add_argument("--rcpt", action="append", default=None, help="envelope recipient (repeatable; "
                        "default: the To, Cc and Bcc headers)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="one JSON object per message")
    parser.add_argument("--jobs", type=int, default=0, help="messages in flight (default: 4 per extract worker)")


@dataclass(slots=True)
class Job:
    name: str  # as the user wrote it: printed back in "file"
    path: Path
    mail_from: str | None = None
    rcpt: list[str] | None = None
    error: str = ""  # a manifest line we could not use
    extra: dict[str, object] = field(default_factory=dict)


def manifest_jobs(manifest: Path) -> Iterator[Job]:
    base = manifest.parent
    try:
        handle = manifest.open(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read manifest {manifest}: {exc.strerror}") from exc
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                name = item["file"]
                if not isinstance(name, str):
                    raise TypeError("file must be a string")
            except (ValueError, KeyError, TypeError) as exc:
                yield Job(f"{manifest.name}:{number}", manifest, error=f"bad manifest line: {exc}")
                continue
            rcpt = item.get("rcpt")
            if isinstance(rcpt, str):
                rcpt = [rcpt]
            yield Job(name, _resolve(base, name), item.get("mail_from"), rcpt)


def _resolve(base: Path, name: str) -> Path:
    """PATH relative to the manifest's folder; a corpus laid out as manifest + messages/ works too."""
    path = base / name
    if not path.exists() and (base / "messages" / name).exists():
        return base / "messages" / name
    return path


def envelope_for(job: Job, data: bytes) -> Envelope:
    if job.mail_from is not None and job.rcpt is not None:
        return Envelope(job.mail_from, tuple(job.rcpt))
    facts = read_headers(data)
    mail_from = job.mail_from if job.mail_from is not None else facts.from_address
    rcpt = job.rcpt if job.rcpt is not None else list(dict.fromkeys(facts.to + facts.cc + facts.bcc))
    return Envelope(mail_from, tuple(rcpt))


def _relay_refusal(settings: Settings, data: bytes) -> Verdict | None:
    """What the relay refuses before scanning (size, bare line ends when set to reject)."""
    if len(data) > settings.max_message_size:
        detail = f"message of {len(data)} bytes is over MAILGUARD_MAX_MESSAGE_SIZE"
        return Verdict(Action.REJECT, [Reason("size-limit", "relay", detail, action=Action.REJECT)])
    if settings.bare_newline is BareNewline.REJECT and has_bare_line_ends(data):
        detail = "bare CR or LF line ends (MAILGUARD_BARE_NEWLINE=reject)"
        return Verdict(Action.REJECT, [Reason("bare-newline", "relay", detail, action=Action.REJECT)])
    return None


async def _check_one(scanner: Scanner, settings: Settings, job: Job) -> dict[str, object]:
    out: dict[str, object] = {"file": job.name}
    if job.error:
        return out | {"verdict": Action.TEMPFAIL.value, "reasons": [], "unscanned": [], "error": job.error}
    try:
        data = await asyncio.to_thread(job.path.read_bytes)
    except OSError as exc:
        return out | {"verdict": Action.TEMPFAIL.value, "reasons": [], "unscanned": [],
                      "error": f"cannot read: {exc.strerror}"}  # fmt: skip
    verdict = _relay_refusal(settings, data)
    if verdict is None:
        data = normalise_line_ends(data)
        try:
            envelope = envelope_for(job, data)
        except Exception as exc:  # a header block the parser chokes on: the relay would still decide
            envelope = Envelope(job.mail_from or "", tuple(job.rcpt or ()))
            out["warning"] = f"headers unreadable: {type(exc).__name__}"
        if not envelope.rcpt_tos:
            out["warning"] = "no recipients (give --rcpt or To/Cc/Bcc headers)"
        verdict = await scanner(envelope, data)
        out["mail_from"], out["rcpt"] = envelope.mail_from, list(envelope.rcpt_tos)
    result = out | verdict.as_json()
    if verdict.split:
        result["split"] = True
    if "rcpt" in out:  # scanned: what the relay would do with it, copy by copy
        envelope = Envelope(str(out["mail_from"]), tuple(out["rcpt"]))  # type: ignore[arg-type]
        outcome = dispose(envelope, data, verdict, scanner.policy.organisation, observe_only=settings.observe_only)
        result["outcome"] = {
            "disposition": outcome.disposition.value,
            "deliveries": [list(d.recipients) for d in outcome.deliveries],
            "described": outcome.describe(),
        }
    return result


def _format_line(result: dict[str, object]) -> str:
    reasons = result.get("reasons") or []
    words = "; ".join(reason_line(r) for r in reasons)  # type: ignore[union-attr]
    unscanned = result.get("unscanned") or []
    extra = f" [{len(unscanned)} part(s) not scanned]" if unscanned else ""  # type: ignore[arg-type]
    error = f" ({result['error']})" if result.get("error") else ""
    if result.get("warning"):
        error += f" [warning: {result['warning']}]"
    split = " (split per recipient)" if result.get("split") else ""
    outcome = result.get("outcome") or {}
    described = "".join(f"\n    -> {line}" for line in outcome.get("described", []))  # type: ignore[union-attr]
    return (
        f"{result['file']}: {str(result['verdict']).upper()}{split}{error}{extra}"
        + (f" - {words}" if words else "")
        + described
    )


async def _results(scanner: Scanner, settings: Settings, jobs: Iterator[Job], width: int) -> AsyncIterator[dict]:
    """Scan with up to `width` messages in flight; yield results in input order."""
    pending: list[asyncio.Task[dict[str, object]]] = []
    for job in jobs:
        pending.append(asyncio.create_task(_check_one(scanner, settings, job)))
        if len(pending) >= width:
            yield await pending.pop(0)
    for task in pending:
        yield await task


async def _main(args: argparse.Namespace, settings: Settings, jobs: Iterator[Job]) -> int:
    try:
        scanner = await Scanner.from_settings(settings)
    except PolicyError as exc:
        raise UserError(str(exc)) from exc
    for warning in configuration_warnings(scanner):
        print(f"mailguard: warning: {warning}", file=sys.stderr)
    tempfails = 0
    store = await _case_history(scanner, settings)
    try:
        width = args.jobs if args.jobs > 0 else settings.extract_workers * 4
        async for result in _results(scanner, settings, jobs, width):
            tempfails += result["verdict"] == Action.TEMPFAIL.value
            line = json.dumps(result, ensure_ascii=False) if args.json else _format_line(result)
            print(line, flush=True)
    finally:
        await scanner.aclose()
        if scanner.affinity is not None:
            await scanner.affinity.aclose()
        if store is not None:
            await store.aclose()
    return 1 if tempfails else 0


def configuration_warnings(scanner: Scanner) -> list[str]:
    """What makes a dry run answer differently from the configured relay: without internal
    domains every colleague is an outside party; without a register nothing protected is found."""
    warnings = []
    if not scanner.policy.organisation.internal_domains:
        warnings.append(
            "no internal domains (MAILGUARD_INTERNAL_DOMAINS or rules/organisation.yaml): "
            "every recipient counts as external"
        )
    if scanner.register is None:
        warnings.append("no protected register (MAILGUARD_REGISTER or `mailguard register import`): "
                        "protected addresses cannot be found")  # fmt: skip
    return warnings


async def _case_history(scanner: Scanner, settings: Settings) -> Any:
    """The misdirection guard needs what `mailguard learn` and the relay learnt: the store,
    opened only when cases.yaml has a rule on. Returns the store to close (or None)."""
    if scanner.policy.cases is None:
        return None
    from sqlalchemy.engine import make_url

    from mailguard.quarantine.affinity import KeyringError, open_affinity
    from mailguard.quarantine.errors import StoreError
    from mailguard.quarantine.store import QuarantineStore

    url = make_url(settings.effective_database_url)
    if url.get_backend_name() == "sqlite" and not await asyncio.to_thread(os.path.isfile, url.database or ""):
        return None  # nothing learnt yet: a dry run creates no database
    try:
        store = await QuarantineStore.open(settings)
    except StoreError as exc:
        print(f"mailguard: misdirection guard without history: {exc}", file=sys.stderr)
        return None
    try:
        scanner.affinity = open_affinity(store, lambda: scanner.policy.organisation)
    except KeyringError as exc:
        print(f"mailguard: misdirection guard without history: {exc}", file=sys.stderr)
    return store


def run(args: argparse.Namespace) -> int:
    if bool(args.file) == (args.manifest is not None):
        raise UserError("check needs FILE.eml ... or --manifest FILE.jsonl")
    if args.manifest is not None and (args.mail_from is not None or args.rcpt):
        raise UserError("--mail-from and --rcpt go with FILEs, not with --manifest")
    settings = load_settings()
    if args.manifest is not None:
        jobs: Iterator[Job] = manifest_jobs(args.manifest)
    else:
        for path in args.file:
            if not path.is_file():
                raise UserError(f"no such file: {path}")
        jobs = iter([Job(str(path), path, args.mail_from, args.rcpt) for path in args.file])
    try:
        return asyncio.run(_main(args, settings, jobs))
    except BrokenPipeError:  # `mailguard check ... | head`
        sys.stderr.close()
        return 0
