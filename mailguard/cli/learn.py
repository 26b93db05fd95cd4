"""`mailguard learn --manifest FILE.jsonl`: seed the misdirection guard from an archive.

Each message of the manifest (lines as for `mailguard check`) is read as delivered mail: its
case keys (register rows it mentions, case references of rules/cases.yaml) are learnt for its
external recipients, at the time of its Date header. Nothing is delivered or held.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parsedate_to_datetime
from pathlib import Path

from mailguard.cli import UserError
from mailguard.cli.check import Job, envelope_for, manifest_jobs
from mailguard.detect.cases import external_recipients, written_forms
from mailguard.environment import load_settings
from mailguard.policy.loader import PolicyError
from mailguard.policy.scanner import Scanner
from mailguard.policy.verdict import Action
from mailguard.relay.dataread import normalise_line_ends
from mailguard.settings import Settings

BATCH = 1000  # deliveries per write transaction
_DATE_PARSER = BytesHeaderParser(policy=compat32)  # the raw text: no header-class exceptions


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--manifest", type=Path, required=True, help='JSON lines: {"file": PATH, "mail_from": A, "rcpt": [B, ...]}'
    )
    parser.add_argument("--jobs", type=int, default=0, help="messages in flight (default: 4 per extract worker)")


def message_time(data: bytes) -> float | None:
    """The Date header as UNIX seconds (no zone: UTC); None when missing or unreadable."""
    try:
        value = _DATE_PARSER.parsebytes(data, headersonly=True).get("Date")
        if not value:
            return None
        when = parsedate_to_datetime(str(value))
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


class _Tally:
    def __init__(self) -> None:
        self.messages = self.learnt = self.no_case = self.no_external = self.undated = self.failed = 0


async def _read(scanner: Scanner, job: Job, tally: _Tally) -> tuple[tuple[str, ...], tuple[str, ...], float] | None:
    if job.error:
        tally.failed += 1
        return None
    try:
        data = normalise_line_ends(await asyncio.to_thread(job.path.read_bytes))
        envelope = envelope_for(job, data)
    except Exception:  # unreadable file or header block: counted, the rest still learnt
        tally.failed += 1
        return None
    verdict = await scanner(envelope, data)
    if verdict.action is Action.TEMPFAIL:
        tally.failed += 1
        return None
    at = message_time(data)
    if at is None:
        tally.undated += 1
        at = time.time()
    return verdict.case_keys, envelope.rcpt_tos, at


async def _main(args: argparse.Namespace, settings: Settings) -> int:
    from mailguard.quarantine.affinity import Delivery, KeyringError, open_affinity
    from mailguard.quarantine.errors import StoreError
    from mailguard.quarantine.store import QuarantineStore

    try:
        scanner = await Scanner.from_settings(settings)
    except PolicyError as exc:
        raise UserError(str(exc)) from exc
    try:
        if scanner.policy.cases is None:
            raise UserError("the misdirection guard is off: no rule enabled in rules/cases.yaml")
        try:
            store = await QuarantineStore.open(settings)
        except StoreError as exc:
            raise UserError(str(exc)) from exc
        try:
            service = open_affinity(store, lambda: scanner.policy.organisation)
        except KeyringError as exc:
            await store.aclose()
            raise UserError(str(exc)) from exc
        tally = _Tally()
        width = args.jobs if args.jobs > 0 else settings.extract_workers * 4
        pending: list[asyncio.Task[tuple[tuple[str, ...], tuple[str, ...], float] | None]] = []
        batch: list[Delivery] = []

        async def take(task: asyncio.Task[tuple[tuple[str, ...], tuple[str, ...], float] | None]) -> None:
            found = await task
            tally.messages += 1
            if found is None:
                return
            keys, rcpts, at = found
            external = external_recipients(scanner.policy.organisation, rcpts)
            if not keys:
                tally.no_case += 1
            elif not external:
                tally.no_external += 1
            else:
                batch.append(Delivery(keys, external, at, written_forms(rcpts)))
                tally.learnt += 1
            if len(batch) >= BATCH:
                await service.store.record(batch)
                batch.clear()

        try:
            for job in manifest_jobs(args.manifest):
                pending.append(asyncio.create_task(_read(scanner, job, tally)))
                if len(pending) >= width:
                    await take(pending.pop(0))
            for task in pending:
                await take(task)
            await service.store.record(batch)
            cases = await service.store.count_cases()
        finally:
            await service.aclose()
            await store.aclose()
    finally:
        await scanner.aclose()
    print(
        f"learnt {tally.learnt} of {tally.messages} messages; {tally.no_case} about no case, "
        f"{tally.no_external} with no external recipient, {tally.failed} unreadable, "
        f"{tally.undated} without a usable Date (learnt as now); {cases} cases known"
    )
    return 1 if tally.failed else 0


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    return asyncio.run(_main(args, settings))
