"""Conversions between the pipeline's objects, table rows and the dicts the API hands out."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from email import policy
from email.parser import BytesHeaderParser
from typing import Any

from mailguard.actions.held_message import HeldMessage, HeldReason
from mailguard.envelope import Envelope
from mailguard.policy.verdict import Verdict, public_reason
from mailguard.visible import visible

MAX_HEADER_TEXT = 998  # RFC 5322 line limit: enough for any real subject or Message-Id


def new_id(prefix: str = "Q") -> str:
    """`Q` + 12 base32 characters (60 random bits): unguessable, readable aloud, URL-safe."""
    return prefix + base64.b32encode(secrets.token_bytes(8)).decode("ascii")[:12]


def normalise_id(item_id: str) -> str:
    return item_id.strip().upper()


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def header_facts(data: bytes) -> tuple[str, str]:
    """(subject, message_id) from the header block; ("", "") when it cannot be read."""
    try:
        msg = BytesHeaderParser(policy=policy.default).parsebytes(data)
        subject = str(msg.get("subject", "") or "")
        message_id = str(msg.get("message-id", "") or "")
    except Exception:  # a malformed header must not stop a hold
        return "", ""
    return one_line(subject), one_line(message_id)


def one_line(value: str) -> str:
    """One line of header text: whitespace runs as one space, invisible and direction-changing
    characters kept as visible ⟨U+XXXX⟩ escapes (mailguard/visible.py), never dropped unseen."""
    shown = visible(" ".join(storable(value).split()))
    flat = "".join(ch if ch.isprintable() else " " for ch in shown)
    return " ".join(flat.split())[:MAX_HEADER_TEXT]


def storable(value: str) -> str:
    """Text both databases accept: no NUL (PostgreSQL refuses it) and no lone surrogates
    (undecodable header bytes, which neither UTF-8 nor PostgreSQL's json can hold)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = (
            value.encode("utf-8", "surrogateescape")
            if _only_escapes(value)
            else value.encode("utf-8", "replace")
        )
        value = raw.decode("utf-8", "replace")
    return value.replace("\x00", "\ufffd")


def _only_escapes(value: str) -> bool:
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in value)


def _storable_tree(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {k: _storable_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable_tree(v) for v in value]
    return value


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """The verdict as stored (strings made storable: extracted text can hold anything)."""
    return _storable_tree(
        {
            "action": verdict.action.value,
            "reasons": [r.record() for r in verdict.reasons],
            "unscanned": [
                {"where": u.where, "reason": u.reason.value, "detail": u.detail} for u in verdict.unscanned
            ],
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size, "where": a.where}
                for a in verdict.attachments
            ],
            "split": verdict.split,
            "scan_seconds": verdict.scan_seconds,
            "case_keys": list(verdict.case_keys),
        }
    )


def envelope_json(envelope: Envelope) -> dict[str, Any]:
    return _storable_tree(
        {
            "client_ip": envelope.client_ip,
            "helo": envelope.helo,
            "auth_user": envelope.auth_user,
            "mail_options": list(envelope.mail_options),
        }
    )


def pending_json(pending: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not pending:
        return None
    return {**pending, "at": iso(pending.get("at"))}


def item_summary(row: Mapping[str, Any], now: float) -> dict[str, Any]:
    """The list view of an item (no bytes, no snippets)."""
    verdict = row["verdict"] or {}
    return {
        "id": row["id"],
        "message_id": row["message_id"],
        "mail_from": row["mail_from"],
        "rcpt": list(row["rcpt"]),
        "subject": row["subject"],
        "received_at": iso(row["received_at"]),
        "status": row["status"],
        "verdict": verdict.get("action", "hold"),
        "reasons": [public_reason(r) for r in verdict.get("reasons", [])],
        "age_seconds": max(0.0, now - row["received_at"]),
        "size": row["size"],
        "decided_at": iso(row["decided_at"]),
        "decided_by": row["decided_by"],
        "comment": row["decision_comment"],
        "mode": row["release_mode"],
        "pending_confirmation": pending_json(row["pending"]),
    }


def item_detail(row: Mapping[str, Any], now: float) -> dict[str, Any]:
    """The detail view: the summary plus snippets, attachments and what could not be read."""
    verdict = row["verdict"] or {}
    reasons = verdict.get("reasons", [])
    out = item_summary(row, now)
    out["reasons"] = [
        {**public_reason(r), **{k: r[k] for k in ("snippet", "reviewer_note") if r.get(k)}} for r in reasons
    ]
    out["snippets"] = [{"rule": r["rule"], **r["snippet"]} for r in reasons if r.get("snippet")]
    out["attachments"] = list(verdict.get("attachments", []))
    out["unscanned"] = list(verdict.get("unscanned", []))
    out["split"] = bool(verdict.get("split", False))
    out["envelope"] = dict(row["envelope"] or {})
    return out


def held_reasons(stored: list[Mapping[str, Any]]) -> tuple[HeldReason, ...]:
    """The stored verdict's reasons, typed for the actions."""
    out = []
    for reason in stored:
        snippet = reason.get("snippet") or {}
        out.append(
            HeldReason(
                str(reason.get("rule", "")),
                str(reason.get("detector", "")),
                str(snippet.get("where", "")),
                str(snippet.get("match", "")),
            )
        )
    return tuple(out)


def held_message(row: Mapping[str, Any]) -> HeldMessage:
    """A row of quarantine_items (with its data) as the actions' typed record."""
    verdict = row["verdict"] or {}
    return HeldMessage(
        id=row["id"],
        mail_from=row["mail_from"],
        rcpt=tuple(row["rcpt"]),
        subject=row["subject"],
        message_id=row["message_id"],
        received_at=row["received_at"],
        data=bytes(row["data"]),
        reasons=held_reasons(verdict.get("reasons", [])),
        unscanned=tuple(str(u.get("where", "")) for u in verdict.get("unscanned", [])),
        pending=row["pending"] or None,
    )
