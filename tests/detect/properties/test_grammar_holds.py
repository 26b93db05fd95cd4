"""Property tests of detection, written from issues 10 and 21 (not from the matcher): a grammar
renders a register row in any wording (order of parts, abbreviations, separators, case, postcode
confusions, number words, flat and suffix forms, Welsh/English streets, PO boxes) inside any
carrier (body, HTML, Subject, display name, file name, zip path, PDF in shuffled order and in two
columns, DOCX runs, document metadata, vCard, map link, calendar location) and sends it through
the real Scanner to a flagged recipient or one of its aliases: it must be held. A near-miss
grammar (neighbour's number, another postcode or village in the same post town, another flat,
14 vs 14A, the street with another postcode, a recipient not flagged) must not be held.

One parametrised case per class; every class is matched (none is marked as expected to fail).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.scanning import SyncScanner

from corpora.fifth.carriers import CARRIERS, Envelope
from corpora.fifth.grammar import NEAR_MISSES, WORDINGS, Wording, aliases
from corpora.fifth.homes import Home
from mailguard.policy.verdict import Action

from .conftest import HOMES, SENDER

PROFILE = settings.get_profile("properties")

# Each wording class is also tested alone, as a property of the class, in test_wording_classes.py.


def applicable(make: Wording) -> list[Home]:
    return [h for h in HOMES if make(h, random.Random(0)) is not None]


def flagged(home: Home) -> str:
    return next(f for f in home.flagged if not f.startswith("@"))


def render(data: st.DataObject, make: Wording) -> tuple[Home, random.Random, str]:
    """A home the class applies to, a seeded generator, and the class's text for that home."""
    home = data.draw(st.sampled_from(applicable(make)), label="home")
    rng = data.draw(st.randoms(use_true_random=False))
    text = make(home, rng)
    assert text is not None
    return home, rng, text


def send(scan: SyncScanner, to: str, carrier: str, text: str, rng: random.Random) -> Action:
    message = CARRIERS[carrier](Envelope(SENDER, [to]), text, rng)
    return scan(SENDER, [to], message).action


@pytest.mark.parametrize("wording", list(WORDINGS))
@settings(PROFILE)
@given(data=st.data())
def test_every_wording_is_held_in_the_body(scan: SyncScanner, wording: str, data: st.DataObject) -> None:
    home, rng, text = render(data, WORDINGS[wording])
    assert send(scan, flagged(home), "body", text, rng) == Action.HOLD, f"{home.address} {home.postcode}: {text!r}"


@pytest.mark.parametrize("carrier", list(CARRIERS))
@settings(PROFILE)
@given(data=st.data())
def test_every_carrier_is_read(scan: SyncScanner, carrier: str, data: st.DataObject) -> None:
    """The register's own wording of a plain home (number, street, town, postcode) on each surface."""
    home = data.draw(st.sampled_from([h for h in HOMES if h.kind == "plain"]), label="home")
    rng = data.draw(st.randoms(use_true_random=False))
    text = f"{home.number} {home.street}, {home.town} {home.postcode}"
    assert send(scan, flagged(home), carrier, text, rng) == Action.HOLD, f"{carrier}: {text!r}"


@settings(PROFILE, max_examples=40)  # the cross product of classes needs more examples to reach each
@given(data=st.data())
def test_any_wording_in_any_carrier_is_held(scan: SyncScanner, data: st.DataObject) -> None:
    wording = data.draw(st.sampled_from(sorted(WORDINGS)), label="wording")
    carrier = data.draw(st.sampled_from(sorted(CARRIERS)), label="carrier")
    home, rng, text = render(data, WORDINGS[wording])
    assert send(scan, flagged(home), carrier, text, rng) == Action.HOLD, f"{wording} in {carrier}: {text!r}"


@pytest.mark.parametrize("kind", ["plus_tag", "gmail_dots", "googlemail", "case"])
@settings(PROFILE)
@given(data=st.data())
def test_aliases_of_a_flagged_mailbox_are_flagged(scan: SyncScanner, kind: str, data: st.DataObject) -> None:
    rng = data.draw(st.randoms(use_true_random=False))
    homes = [h for h in HOMES if kind in aliases(flagged(h), rng)]
    home = data.draw(st.sampled_from(homes), label="home")
    to = aliases(flagged(home), rng)[kind]
    text = f"{home.address}, {home.postcode}"
    assert send(scan, to, "body", text, rng) == Action.HOLD, f"{to} for {flagged(home)}"


@settings(PROFILE)
@given(data=st.data())
def test_subdomains_of_a_flagged_domain_are_flagged(scan: SyncScanner, data: st.DataObject) -> None:
    rng = data.draw(st.randoms(use_true_random=False))
    home = data.draw(st.sampled_from([h for h in HOMES if any(f.startswith("@") for f in h.flagged)]), label="home")
    to = aliases(next(f for f in home.flagged if f.startswith("@")), rng)["subdomain"]
    assert send(scan, to, "body", f"{home.address}, {home.postcode}", rng) == Action.HOLD, to


@pytest.mark.parametrize("near", list(NEAR_MISSES))
@settings(PROFILE)
@given(data=st.data())
def test_near_misses_are_not_held(scan: SyncScanner, near: str, data: st.DataObject) -> None:
    home, rng, text = render(data, NEAR_MISSES[near])
    carrier = data.draw(st.sampled_from(["body", "html", "docx_runs", "pdf_shuffled"]), label="carrier")
    got = send(scan, flagged(home), carrier, text, rng)
    assert got != Action.HOLD, f"{near} of {home.address} {home.postcode} in {carrier}: {text!r}"


@settings(PROFILE)
@given(data=st.data())
def test_a_recipient_not_flagged_is_not_held(scan: SyncScanner, data: st.DataObject) -> None:
    _home, rng, text = render(data, WORDINGS["canonical"])
    to = f"tenancy.team{rng.randrange(100)}@harbour-lettings.co.uk"
    assert send(scan, to, "body", text, rng) != Action.HOLD, text


@settings(PROFILE, max_examples=40)  # the cross product of classes needs more examples to reach each
@given(data=st.data())
def test_no_near_miss_in_any_carrier_is_held(scan: SyncScanner, data: st.DataObject) -> None:
    near = data.draw(st.sampled_from(sorted(NEAR_MISSES)), label="near miss")
    carrier = data.draw(st.sampled_from(sorted(CARRIERS)), label="carrier")
    home, rng, text = render(data, NEAR_MISSES[near])
    got = send(scan, flagged(home), carrier, text, rng)
    assert got != Action.HOLD, f"{near} in {carrier}: {text!r}"
