"""The sender's link and decision at the store: only exposure holds get a link; any change to a
token makes it invalid; a reviewer and the sender racing for one hold never both win (SQLite and
PostgreSQL, under the store's own transaction)."""

from __future__ import annotations

import asyncio
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.actions.release import Plan, ReleaseMode, ReleaseRequest
from mailguard.actions.sender_link import LinkExpired, LinkInvalid, SenderLinks
from mailguard.policy.verdict import Action, Reason, Verdict
from mailguard.quarantine import Conflict, QuarantineStore
from mailguard.quarantine.errors import NotSendersChoice
from mailguard.quarantine.schema import audit, outbox

from .conftest import envelope, make_settings, message

NOW = 1_790_000_000.0
LINKS = SenderLinks(
    make_settings("sqlite://", Path("/nonexistent"), sender_link_key="k" * 32, admin_public_url="https://mg.example")
)


def _verdict(*detectors: str) -> Verdict:
    reasons = [Reason(f"rule-{d}", d, "why", action=Action.HOLD) for d in detectors]
    return Verdict(Action.HOLD, reasons=reasons)


def _notice_text(data: bytes) -> str:
    body = message_from_bytes(data, policy=policy.default).get_body(("plain",))
    return str(body.get_content()) if body is not None else ""


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, 200), replacement=st.characters(codec="ascii", exclude_characters="\r\n"))
def test_any_change_to_a_token_makes_it_invalid(position: int, replacement: str) -> None:
    token = LINKS.token("QABCDEFGHIJKL", NOW + 3600)
    assert LINKS.check(token, NOW) == "QABCDEFGHIJKL"
    i = position % len(token)
    if token[i] == replacement:
        return
    with pytest.raises(LinkInvalid):
        LINKS.check(token[:i] + replacement + token[i + 1 :], NOW)


def test_a_token_expires_and_cannot_be_extended() -> None:
    token = LINKS.token("QABCDEFGHIJKL", NOW + 60)
    with pytest.raises(LinkExpired):
        LINKS.check(token, NOW + 60)
    item, expiry, mac = token.split(".")
    with pytest.raises(LinkInvalid):
        LINKS.check(f"{item}.{int(expiry, 16) + 3600:x}.{mac}", NOW + 60)


@pytest.mark.parametrize(
    ("detectors", "linked"),
    [
        (("exposure",), True),
        (("exposure", "exposure"), True),
        (("protected",), False),
        (("exposure", "protected"), False),
        (("exposure", "unscannable"), False),
        (("misdirection",), False),
    ],
)
async def test_only_an_exposure_hold_gets_a_link(tmp_path: Path, detectors: tuple[str, ...], linked: bool) -> None:
    settings_ = make_settings(f"sqlite:///{tmp_path}/q.db", tmp_path, admin_public_url="https://mg.example/")
    store = await QuarantineStore.open(settings_)
    try:
        item_id = await store.hold(envelope(), message(), _verdict(*detectors))
        async with store.transaction(False) as conn:
            [data] = (await conn.execute(sa.select(outbox.c.data).where(outbox.c.kind == "notice"))).scalars()
        text = _notice_text(bytes(data))
        assert (f"https://mg.example/sender/{item_id}." in text) is linked
    finally:
        await store.aclose()


async def test_a_reviewer_and_the_sender_racing_never_both_win(store: QuarantineStore) -> None:
    for _ in range(3):
        item_id = await store.hold(envelope(), message(), _verdict("exposure"))
        held = await store.held(item_id)
        plan = Plan(ReleaseMode.BCC, [(list(held.rcpt), held.data)])
        results = await asyncio.gather(
            store.sender_release(held, ReleaseRequest(ReleaseMode.BCC), plan),
            store.release(item_id, "api:rita", request=ReleaseRequest(ReleaseMode.AS_IS)),
            return_exceptions=True,
        )
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        async with store.transaction(False) as conn:
            releases = (
                await conn.execute(
                    sa.select(audit.c.actor).where(audit.c.item_id == item_id, audit.c.action == "release")
                )
            ).all()
            copies = (
                await conn.execute(sa.select(outbox.c.id).where(outbox.c.ref == item_id, outbox.c.kind == "release"))
            ).all()
        assert len(releases) == 1 and len(copies) == 1
        winner = (await store.get_item(item_id)) or {}
        assert winner["decided_by"] == releases[0].actor


async def test_the_sender_cannot_decide_a_protected_hold(store: QuarantineStore) -> None:
    item_id = await store.hold(envelope(), message(), _verdict("exposure", "protected"))
    held = await store.held(item_id)
    with pytest.raises(NotSendersChoice):
        await store.sender_release(held, ReleaseRequest(ReleaseMode.AS_IS), Plan(ReleaseMode.AS_IS, []))
    assert ((await store.get_item(item_id)) or {})["status"] == "held"
