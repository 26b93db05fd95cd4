"""Turn a release request into copies (see the package docstring for the modes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from mailguard.actions.addrlist import normalise_address
from mailguard.actions.redact import Finder, redact_message
from mailguard.actions.release.modes import Plan, ReleaseMode, ReleaseRefused, ReleaseRequest
from mailguard.actions.release.strip import attachment_names, strip_attachments
from mailguard.actions.split import SplitError, prune_to, split_copies
from mailguard.envelope import Envelope

Predicate = Callable[[str], bool]
Rescan = Callable[[bytes], Awaitable[list[str]]]  # the places protected data is still found


async def plan_release(
    data: bytes,
    rcpts: Sequence[str],
    request: ReleaseRequest,
    *,
    is_internal: Predicate,
    finder: Finder | None = None,
    rescan: Rescan | None = None,
) -> Plan:
    """The copies `request` delivers; `ReleaseRefused` with the reason when it cannot be done."""
    rcpts = list(rcpts)
    mode = request.mode
    try:
        if mode is ReleaseMode.AS_IS:
            return Plan(mode, [(rcpts, data)])
        if mode is ReleaseMode.BCC:
            return Plan(mode, [(rcpts, prune_to(data, is_internal))])
        if mode is ReleaseMode.SPLIT:
            return Plan(mode, list(split_copies(data, Envelope("", tuple(rcpts)), is_internal)))
    except SplitError as exc:
        raise ReleaseRefused(f"this message's structure cannot be edited safely ({exc}); use another mode") from exc
    if mode is ReleaseMode.SUBSET:
        return _subset(data, rcpts, request.recipients)
    if mode is ReleaseMode.STRIP:
        return _strip(data, rcpts, request.attachments)
    return await _redact(data, rcpts, finder, rescan)


def _subset(data: bytes, rcpts: list[str], chosen: Sequence[str]) -> Plan:
    by_key = {_key(r): r for r in rcpts}
    wanted = [_key(c) for c in chosen]
    unknown = [c for c, k in zip(chosen, wanted, strict=True) if k not in by_key]
    if unknown:
        raise ReleaseRefused("subset: only the message's own recipients can be chosen")
    keep = [by_key[k] for k in dict.fromkeys(wanted)]
    if not keep:
        raise ReleaseRefused("subset: choose at least one recipient")
    refused = [r for r in rcpts if _key(r) not in set(wanted)]
    return Plan(ReleaseMode.SUBSET, [(keep, data)], refused=refused)


def _strip(data: bytes, rcpts: list[str], names: Sequence[str]) -> Plan:
    if not names:
        raise ReleaseRefused("strip: choose at least one attachment to remove")
    present = attachment_names(data)
    missing = [n for n in names if n not in present]
    if missing:
        raise ReleaseRefused("strip: the message has no attachment of that name")
    stripped = strip_attachments(data, set(names))
    return Plan(
        ReleaseMode.STRIP, [(rcpts, stripped)], changes=[f'removed attachment "{n}"' for n in dict.fromkeys(names)]
    )


async def _redact(data: bytes, rcpts: list[str], finder: Finder | None, rescan: Rescan | None) -> Plan:
    if finder is None or rescan is None:
        raise ReleaseRefused("redact: no protected register is loaded here, so nothing can be redacted safely")
    result = redact_message(data, finder)
    still = await rescan(result.data)
    if still:
        places = "; ".join(dict.fromkeys(still))[:500]
        raise ReleaseRefused(f"redact: protected details are still found after redaction, in {places}")
    return Plan(ReleaseMode.REDACT, [(rcpts, result.data)], changes=result.changes, preview=result.preview)


def _key(address: str) -> str:
    return normalise_address(address, stand_in=False) or address.strip().strip("<>").lower()
