"""Exposure through the real relay: professionals working together are not an exposure (0
rewrites over generated multi-agency mail), members of the public seeing each other still are.

The decisions on purpose (docs/exposure.md): a couple writing from two consumer mailboxes are
two people (each address is someone's own); one person's two spellings of one mailbox
(`j.smith+x@googlemail.com`, `jsmith@gmail.com`) are one person."""

from __future__ import annotations

import random

import pytest
from support.stack import Stack

from .mail import COLLEAGUE, SENDER, marker, subject_of, visible

AGENCIES = (
    "avon.police.uk", "met.police.uk", "nhs.net", "bristol.gov.uk", "somerset.gov.uk", "cafcass.gov.uk",
    "stmarys.bristol.sch.uk", "oakfield-academy.org.uk", "womensaid.org.uk", "refuge.org.uk",
    "barnardos.org.uk", "smith-law.co.uk", "jonesandco-solicitors.co.uk", "dwp.gov.uk", "probation.gov.uk",
    "housing-partner.example", "citizensadvice.org.uk", "uhbw.nhs.uk", "awp.nhs.uk", "nspcc.org.uk",
)  # fmt: skip
FIRST = ("alex", "sam", "jo", "kim", "lee", "pat", "chris", "ruth", "omar", "priya", "tom", "ewa")


def _message(subject: str, to: list[str], cc: list[str]) -> bytes:
    return (
        f"From: Sam Worker <{SENDER}>\r\nTo: {', '.join(to)}\r\nCc: {', '.join(cc)}\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{subject}@council.example>\r\n\r\n"
        "Agenda for the strategy meeting attached.\r\n"
    ).encode()


def _multi_agency(rng: random.Random) -> list[str]:
    agencies = rng.sample(AGENCIES, rng.randint(2, 8))
    return [f"{rng.choice(FIRST)}.{rng.choice(FIRST)}@{domain}" for domain in agencies]


def test_professionals_working_together_are_never_rewritten(stack: Stack) -> None:
    rng = random.Random(21)
    for _ in range(40):
        word = marker()
        pros = _multi_agency(rng)
        cut = rng.randint(1, len(pros))
        to, cc = pros[:cut], [*pros[cut:], COLLEAGUE]
        if rng.random() < 0.5:  # one member of the public among them: the family at the centre
            to.append(f"{rng.choice(FIRST)}{rng.randint(1, 99)}@{rng.choice(['gmail.com', 'btinternet.com'])}")
        assert stack.send(_message(word, to, cc), SENDER, [*to, *cc])[0] == 250
        [got] = stack.wait_for(lambda m, w=word: w in subject_of(m.data))
        assert b"X-Mailguard-Rewritten" not in got.data, (to, cc)
        assert visible(got.data) == {a.lower() for a in (*to, *cc)}


@pytest.mark.parametrize(
    ("public", "rewritten"),
    [
        (["ann@gmail.com", "bob@hotmail.co.uk"], True),  # two members of the public
        (["ann@ntlworld.com", "bob@ntlworld.com"], True),  # a couple's two mailboxes: two people
        (["j.smith+case@googlemail.com", "jsmith@gmail.com"], False),  # one person's two spellings
        (["pat@sky.com"], False),  # one member of the public with professionals
    ],
)
def test_public_exposure_is_still_caught(stack: Stack, public: list[str], rewritten: bool) -> None:
    word = marker()
    to = [*public, "dc.jones@avon.police.uk", "hv@nhs.net"]
    assert stack.send(_message(word, to, [COLLEAGUE]), SENDER, [*to, COLLEAGUE])[0] == 250
    stack.wait_for(lambda m: word in subject_of(m.data))
    stack.outbox_idle()  # a rewrite may go out as one copy inside and one outside
    copies = stack.delivered(lambda m: word in subject_of(m.data))
    shown = set().union(*(visible(c.data) for c in copies))
    assert sorted(r for c in copies for r in c.rcpt_tos) == sorted([*to, COLLEAGUE])  # everyone gets it once
    if rewritten:
        assert not shown & set(public), shown
    else:
        assert {p.lower() for p in public} <= shown
