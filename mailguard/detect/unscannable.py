"""Parts we could not read: grouped by reason, so the policy can treat each reason its own way."""

from __future__ import annotations

from collections.abc import Iterable

from mailguard.message.model import Unscanned, UnscannedReason


def by_reason(parts: Iterable[Unscanned]) -> dict[UnscannedReason, list[Unscanned]]:
    out: dict[UnscannedReason, list[Unscanned]] = {}
    for part in parts:
        out.setdefault(part.reason, []).append(part)
    return out


def describe(reason: UnscannedReason, parts: list[Unscanned], limit: int = 3) -> str:
    places = ", ".join(p.where for p in parts[:limit])
    more = f" and {len(parts) - limit} more" if len(parts) > limit else ""
    return f"{len(parts)} part{'s' if len(parts) != 1 else ''} not scanned ({reason.value}): {places}{more}"
