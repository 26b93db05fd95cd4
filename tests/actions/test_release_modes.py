"""Release modes as functions over (held bytes, recipients, who is internal): an invite released
"to Bcc" keeps no outside attendee; redaction cuts a mention however a document splits it."""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.actions.redact.spans import MARKER, redact_nodes
from mailguard.actions.release import ReleaseMode, ReleaseRefused, ReleaseRequest, plan_release

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from e2e.mail import COLLEAGUE, INTERNAL, PUBLIC, attendees, invite, visible

SECRET = "14 Orchard Close"
NODE = re.compile(r"<t>(?P<t>[^<]*)</t>")


def internal(address: str) -> bool:
    return address == INTERNAL or address.endswith("@" + INTERNAL)


def finder(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(re.escape(SECRET), text)]


def plan(data: bytes, mode: ReleaseMode, **kw: object) -> list[tuple[list[str], bytes]]:
    request = ReleaseRequest(mode, **kw)  # type: ignore[arg-type]
    return asyncio.run(plan_release(data, [*PUBLIC, COLLEAGUE], request, is_internal=internal)).copies


def test_bcc_release_of_an_invite_prunes_the_outside_attendees() -> None:
    [(rcpts, data)] = plan(invite("Consultation"), ReleaseMode.BCC)
    assert rcpts == [*PUBLIC, COLLEAGUE]  # everyone still gets it
    people, _ = attendees(data)
    assert people == {COLLEAGUE} and visible(data) == {COLLEAGUE}


def test_split_release_gives_each_outsider_only_themselves() -> None:
    copies = plan(invite("Consultation"), ReleaseMode.SPLIT)
    assert [r for r, _ in copies] == [[COLLEAGUE], *[[p] for p in PUBLIC]]
    for rcpts, data in copies[1:]:
        assert attendees(data)[0] == {rcpts[0], COLLEAGUE}


def test_subset_refuses_a_stranger() -> None:
    try:
        plan(invite("x"), ReleaseMode.SUBSET, recipients=("someone@else.example",))
    except ReleaseRefused as exc:
        assert "own recipients" in str(exc)
    else:
        raise AssertionError("a recipient the sender did not write was accepted")


def test_redact_without_a_register_is_refused_not_sent() -> None:
    try:
        plan(invite("x"), ReleaseMode.REDACT)
    except ReleaseRefused as exc:
        assert "register" in str(exc)
    else:
        raise AssertionError("redaction without a finder went ahead")


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    before=st.text(alphabet="abc <>&", max_size=10),
    after=st.text(alphabet="abc <>&", max_size=10),
    cuts=st.lists(st.integers(min_value=0, max_value=len(SECRET)), max_size=5),
)
def test_a_mention_split_over_any_runs_is_cut(before: str, after: str, cuts: list[int]) -> None:
    """However Word splits the text into runs, the joined text keeps no trace of the mention."""
    text = before + SECRET + after
    offsets = sorted({0, len(text), *(len(before) + c for c in cuts)})
    runs = [text[a:b] for a, b in itertools.pairwise(offsets)]
    xml = "<p>" + "".join(f"<t>{_escape(r)}</t>" for r in runs) + "</p>"
    new, count, preview = redact_nodes(xml, NODE, finder)
    joined = "".join(_unescape(m.group("t")) for m in NODE.finditer(new))
    assert count == 1 and SECRET not in joined and joined == before + MARKER + after
    assert preview and MARKER in preview[0]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
