"""The exposure reason a reviewer reads: the location once (however many rows of a list), and
only recipients named; everyone else visible is counted, never copied into the reason."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from policy_helpers import INTERNAL, Decide, make_content

from mailguard.envelope import Envelope
from mailguard.message.model import AddressSource, VisibleAddress
from mailguard.policy.engine import Policy, load_policy
from mailguard.policy.scan_context import ScanContext
from mailguard.policy.verdict import Action
from mailguard.settings import Settings

POLICY: Policy = load_policy(Settings(internal_domains=[INTERNAL]))
PROVIDERS = ("gmail.com", "hotmail.com", "yahoo.co.uk", "outlook.com", "btinternet.com")
local = st.from_regex(r"[a-z]{3,8}\.[a-z]{2,6}", fullmatch=True)
address = st.builds(lambda name, host: f"{name}@{host}", local, st.sampled_from(PROVIDERS))


def _listed(people: list[str], rows: int) -> list[VisibleAddress]:
    return [
        VisibleAddress(a, AddressSource.LISTED, f'attachment "people.csv" › row {i % rows + 2}')
        for i, a in enumerate(people)
    ]


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(address, min_size=2, max_size=30, unique=True),
    rcpt=st.lists(address, min_size=2, max_size=4, unique=True),
    rows=st.integers(1, 40),
)
def test_a_listed_exposure_names_the_place_once_and_only_recipients(
    people: list[str], rcpt: list[str], rows: int
) -> None:
    content = make_content(to=rcpt[:1])
    content.addresses += _listed(people, rows)
    ctx = ScanContext(Envelope(f"me@{INTERNAL}", tuple(rcpt)), content, POLICY.organisation, POLICY.flagged, None)
    decision = POLICY.decide(ctx)
    [listed] = [r for r in decision.reasons if r.rule == "exposure-address-list"]
    assert listed.detail.count('attachment "people.csv"') == 1, listed.detail
    named = {a for a in people if a in listed.detail}
    assert named <= set(rcpt), listed.detail  # a stranger's address is counted, never named
    for recipient in rcpt:  # who would see the list
        assert recipient in listed.detail


def test_header_exposure_names_its_recipients_as_written(decide: Decide) -> None:
    rcpt = ["Jane.Doe@gmail.com".lower(), "b.two@yahoo.co.uk"]
    detail = decide(make_content(to=rcpt), rcpt).reasons[0].detail
    assert detail == "2 members of the public visible in To: jane.doe@gmail.com, b.two@yahoo.co.uk"


def test_a_to_address_that_is_no_recipient_is_counted_not_named(decide: Decide) -> None:
    # one public recipient and a stranger visible in To: the stranger is counted, not named
    [reason] = decide(make_content(to=["a.one@gmail.com", "c.three@hotmail.com"]), ["a.one@gmail.com"]).reasons
    assert reason.action is Action.REWRITE
    assert "c.three@hotmail.com" not in reason.detail and "1 more not among the recipients" in reason.detail
