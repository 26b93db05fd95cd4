"""`mailguard quarantine list | show ID | release ID | reject ID`: review without the web page.

Decisions are recorded as `cli:<unix user>`. A release is queued in the store's outbox and
delivered by the running relay (`mailguard serve`), exactly as a release from the page.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from mailguard.actions.dkim import signer_from_settings
from mailguard.actions.release import ReleaseMode, ReleaseRefused, ReleaseRequest
from mailguard.actions.release.deliver import Releaser
from mailguard.cli import UserError
from mailguard.environment import load_settings
from mailguard.organisation.organisation import Organisation
from mailguard.quarantine import Conflict, NotFound, QuarantineStore, SameReviewer, StoreError
from mailguard.quarantine.database import sqlite_file
from mailguard.quarantine.errors import JustificationRequired
from mailguard.settings import Settings
from mailguard.visible import visible

STATUS_CHOICES = ("held", "released", "rejected", "expired", "all")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    ls = sub.add_parser("list", help="list quarantined mail (held, newest first, by default)")
    ls.add_argument("--status", choices=STATUS_CHOICES, default="held")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--offset", type=int, default=0)
    ls.add_argument("--search", "-q", dest="q", help="text in the id, subject, sender or recipients")
    ls.add_argument("--rule", help="only items a given rule held")
    ls.add_argument("--json", action="store_true", help='print {"items": [...], "total": N}')

    show = sub.add_parser("show", help="one item: reasons, matched text, attachments, history")
    show.add_argument("id")
    out = show.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--raw", action="store_true", help="write the message as it arrived to stdout")

    rel = sub.add_parser("release", help="deliver a held message to its original recipients")
    rel.add_argument("id")
    rel.add_argument("--comment", default="")
    rel.add_argument(
        "--mode",
        choices=[m.value for m in ReleaseMode],
        default="as_is",
        help="bcc: outside recipients hidden (an invite's attendees pruned); split: one copy each; "
        "subset: only --recipient; strip: without --attachment; redact: protected details replaced",
    )
    rel.add_argument("--recipient", action="append", default=[], help="subset: a recipient who gets it (repeat)")
    rel.add_argument("--attachment", action="append", default=[], help="strip: an attachment to remove (repeat)")
    rel.add_argument("--justification", default="", help="why; required for a protected-address hold")
    rel.add_argument("--json", action="store_true")

    rej = sub.add_parser("reject", help="do not deliver a held message")
    rej.add_argument("id")
    rej.add_argument("--comment", default="")
    rej.add_argument(
        "--notify-sender",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="tell the sender (default: MAILGUARD_NOTIFY_SENDER)",
    )
    rej.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    return asyncio.run(_with_store(settings, lambda store: ACTIONS[args.action](store, settings, args)))


def actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = str(os.getuid())
    return f"cli:{user}"


async def _with_store(settings: Settings, action: Callable[[QuarantineStore], Awaitable[int]]) -> int:
    # Reading commands never create an empty store (in the wrong folder, say): they say where they looked.
    try:
        path = sqlite_file(settings.effective_database_url)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    if path is not None and not path.is_file():
        raise UserError(f"no quarantine store at {path} (MAILGUARD_DATABASE_URL, or MAILGUARD_DATA_DIR)")
    try:
        store = await QuarantineStore.open(settings)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    try:
        return await action(store)
    except (NotFound, Conflict, StoreError) as exc:
        message = f"no quarantine item {exc}" if isinstance(exc, NotFound) else str(exc)
        print(f"mailguard: {message}", file=sys.stderr)
        return 1
    finally:
        await store.aclose()


async def _list(store: QuarantineStore, settings: Settings, args: argparse.Namespace) -> int:
    items, total = await store.list_items(
        status=None if args.status == "all" else args.status,
        limit=args.limit,
        offset=args.offset,
        q=args.q,
        rule=args.rule,
    )
    if args.json:
        _print_json({"items": items, "total": total})
        return 0
    if not items:
        print(f"no {args.status if args.status != 'all' else ''} items".replace("  ", " "))
        return 0
    print(f"{'ID':13}  {'STATUS':8}  {'AGE':>5}  {'RCPT':>4}  {'FROM':30}  {'RULES':24}  SUBJECT")
    for item in items:
        rules = ",".join(sorted({r["rule"] for r in item["reasons"]}))
        by = item["decided_by"]
        decided = f"  [{item['mode'] or item['status']} by {_clean(by, 40)}]" if by else ""
        print(
            f"{item['id']:13}  {item['status']:8}  {_age(item['age_seconds']):>5}  {len(item['rcpt']):>4}  "
            f"{_clean(item['mail_from'], 30):30}  {_clean(rules, 24):24}  {_clean(item['subject'], 60)}"
            + decided
        )
    shown = args.offset + len(items)
    print(f"{args.offset + 1}–{shown} of {total}")
    return 0


async def _show(store: QuarantineStore, settings: Settings, args: argparse.Namespace) -> int:
    if args.raw:
        data = await store.raw(args.id)
        if data is None:
            raise NotFound(args.id)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    item = await store.get_item(args.id)
    if item is None:
        raise NotFound(args.id)
    if args.json:
        _print_json(item)
    else:
        _print_item(item)
    return 0


async def _release(store: QuarantineStore, settings: Settings, args: argparse.Namespace) -> int:
    try:
        request = ReleaseRequest(
            ReleaseMode(args.mode), tuple(args.recipient), tuple(args.attachment), args.justification
        )
        async with _releaser(settings, store.organisation_of(), request) as releaser:
            item = await store.release(args.id, actor(), comment=args.comment, request=request, planner=releaser)
    except SameReviewer:
        print("mailguard: you asked for this release; another reviewer must confirm it", file=sys.stderr)
        return 1
    except JustificationRequired:
        print("mailguard: a protected-address hold needs --justification", file=sys.stderr)
        return 1
    except ReleaseRefused as exc:
        print(f"mailguard: release refused: {exc}", file=sys.stderr)
        return 1
    if args.json:
        _print_json(item)
    elif item["status"] == "held":
        print(f"{item['id']}: release requested; a second reviewer must confirm it")
    else:
        print(f"{item['id']}: released ({item['mode']}); queued for delivery by the relay's outbox")
    return 0


@asynccontextmanager
async def _releaser(
    settings: Settings, organisation: Organisation, request: ReleaseRequest
) -> AsyncIterator[Releaser]:
    """The planner the API uses; redaction loads the register and an extraction worker."""
    dkim = signer_from_settings(settings)
    if request.mode is not ReleaseMode.REDACT:
        yield Releaser(settings, organisation, dkim)
        return
    from mailguard.policy.scanner import Scanner

    scanner = await Scanner.from_settings(settings)
    try:
        yield Releaser(settings, organisation, dkim, scanner)
    finally:
        await scanner.aclose()


async def _reject(store: QuarantineStore, settings: Settings, args: argparse.Namespace) -> int:
    notify = settings.notify_sender if args.notify_sender is None else args.notify_sender
    item = await store.reject(args.id, actor(), comment=args.comment, notify_sender=notify)
    if args.json:
        _print_json(item)
    else:
        print(f"{item['id']}: rejected; the sender {'will be' if notify else 'will not be'} told")
    return 0


ACTIONS: dict[str, Callable[[QuarantineStore, Settings, argparse.Namespace], Awaitable[int]]] = {
    "list": _list,
    "show": _show,
    "release": _release,
    "reject": _reject,
}


def _print_item(item: dict[str, Any]) -> None:
    rows = [
        ("ID", item["id"]),
        ("Status", item["status"]),
        ("Received", item["received_at"]),
        ("From", item["mail_from"] or "<>"),
        ("To", ", ".join(item["rcpt"])),
        ("Subject", item["subject"]),
        ("Message-Id", item["message_id"]),
        ("Size", f"{item['size']} bytes"),
    ]
    if item["decided_by"]:
        how = f" ({item['mode']})" if item["mode"] else ""
        rows.append(("Decided", f"{item['decided_at']} by {item['decided_by']}{how}: {item['comment'] or ''}"))
    if item["pending_confirmation"]:
        p = item["pending_confirmation"]
        rows.append(
            (
                "Pending",
                f"release ({p['mode']}) asked by {p['actor']} at {p['at']}, awaiting a second reviewer",
            )
        )
    if item.get("delivery"):
        d = item["delivery"]
        rows.append(
            ("Delivery", f"{d['status']} after {d['attempts']} attempt(s) {d['last_error'] or ''}".strip())
        )
    for label, value in rows:
        print(f"{label + ':':12}{_clean(str(value), 200)}")
    print("\nReasons:")
    for r in item["reasons"]:
        register = f" [{r['register_id']}]" if r.get("register_id") else ""
        print(f"  - {_clean(r['rule'], 60)} ({r['detector']}){register}: {_clean(r['detail'], 200)}")
        if r.get("snippet"):
            s = r["snippet"]
            print(
                f"      in {_clean(s['where'], 120)}: …{_clean(s['before'], 80)}[{_clean(s['match'], 120)}]"
                f"{_clean(s['after'], 80)}…"
            )
    if item["attachments"]:
        print("\nAttachments:")
        for a in item["attachments"]:
            print(f"  - {_clean(a['where'], 120)} ({a['content_type']}, {a['size']} bytes)")
    if item["unscanned"]:
        print("\nNot scanned:")
        for u in item["unscanned"]:
            print(f"  - {_clean(u['where'], 120)}: {u['reason']}")
    print("\nHistory:")
    for e in item["audit"]:
        print(f"  {e['at']}  {_clean(e['actor'], 40)}  {e['action']}  {_clean(e['comment'], 120)}")


def _print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _clean(text: str, width: int) -> str:
    """One line without control characters (a subject must not drive the terminal), invisible and
    direction-changing characters shown as ⟨U+XXXX⟩ (mailguard/visible.py), cut to width."""
    shown = visible(" ".join(text.splitlines()).replace("\t", " "))
    flat = "".join(ch if ch.isprintable() else " " for ch in shown)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"
