"""The one delivery-identity normaliser: addresses a provider delivers to one mailbox compare
equal, distinct mailboxes stay distinct."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.organisation.mailbox import canonical_domain, canonical_mailbox, domain_and_parents

FIXED = settings(derandomize=True, max_examples=300, deadline=None)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("J.Smith+case@GoogleMail.com", "jsmith@gmail.com"),
        ("<j.s.mith@gmail.com.>", "jsmith@gmail.com"),
        ('"j.smith"@gmail.com', "jsmith@gmail.com"),
        ("Jo+x@Hotmail.co.uk", "jo@hotmail.co.uk"),
        ("jo+x@live.fr", "jo@live.fr"),
        ("jo+x@outlook.com", "jo@outlook.com"),
        ("jo+x@msn.com", "jo@msn.com"),
        ("jo+x@me.com", "jo@icloud.com"),
        ("jo+x@mac.com", "jo@icloud.com"),
        ("anything@jo.fastmail.com", "jo@fastmail.com"),
        ("jo+x@fastmail.fm", "jo@fastmail.fm"),
        ("jo.b-c_d+x@protonmail.com", "jobcd@proton.me"),
        ("jobcd@pm.me", "jobcd@proton.me"),
        ("jo+x@yandex.ru", "jo@yandex.ru"),
        ("+x@gmail.com", "+x@gmail.com"),  # no base mailbox: nothing to strip to
        ("Jo@Bücher.DE", "jo@bücher.de"),
        ("jo@xn--bcher-kva.de", "jo@bücher.de"),
        ("jo@bücher\uff0ede", "jo@bücher.de"),  # a full-width dot separates labels too
        ("jo@[192.0.2.1]", "jo@[192.0.2.1]"),
        ("not an address", "not an address"),
    ],
)
def test_provider_delivery_rules(written: str, canonical: str) -> None:
    assert canonical_mailbox(written) == canonical


@pytest.mark.parametrize(
    "address",
    [
        "jo+x@example.org",  # a provider we do not know: the tag may be a different mailbox
        "j.o@example.org",  # dots matter outside Gmail
        "jo+x@hotmail.example.org",  # a subdomain called hotmail is not Microsoft
        "jo+x@outlook.office365.com",
    ],
)
def test_unknown_providers_keep_tags_and_dots(address: str) -> None:
    assert canonical_mailbox(address) == address


def test_rules_name_further_subaddress_domains() -> None:
    assert canonical_mailbox("jo+x@Example.org", frozenset({"example.org"})) == "jo@example.org"
    assert canonical_mailbox("jo+x@sub.example.org", frozenset({"example.org"})) == "jo+x@sub.example.org"


def test_microsoft_namespaces_stay_apart() -> None:
    # hotmail.com and outlook.com are separate namespaces: jo at one is not jo at the other.
    assert canonical_mailbox("jo@hotmail.com") != canonical_mailbox("jo@outlook.com")


def test_domain_and_parents() -> None:
    assert domain_and_parents("A.Council.GOV.uk.") == ["a.council.gov.uk", "council.gov.uk", "gov.uk", "uk"]
    assert domain_and_parents("xn--bcher-kva.de") == ["bücher.de", "de"]
    assert domain_and_parents("") == []


_atom = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_local = st.lists(_atom, min_size=1, max_size=3).map(".".join)
_domain = st.sampled_from(
    [
        "gmail.com",
        "googlemail.com",
        "hotmail.co.uk",
        "icloud.com",
        "proton.me",
        "example.org",
        "bücher.de",
        "xn--bcher-kva.de",
        "council.gov.uk",
        "live.com",
    ]
)


def _mixed_case(text: str, flips: list[bool]) -> str:
    return "".join(ch.upper() if flip else ch for ch, flip in zip(text, flips + [False] * len(text), strict=False))


@FIXED
@given(local=_local, domain=_domain, flips=st.lists(st.booleans(), max_size=40))
def test_idempotent_and_case_blind(local: str, domain: str, flips: list[bool]) -> None:
    address = f"{local}@{domain}"
    once = canonical_mailbox(address)
    assert canonical_mailbox(once) == once
    assert canonical_mailbox(_mixed_case(address, flips)) == once
    assert canonical_mailbox(f"  <{address}.> ".replace(">.", ".>")) == once


@FIXED
@given(
    local=_atom,
    dots=st.lists(st.integers(min_value=0, max_value=8), max_size=4),
    tag=_atom,
    domain=st.sampled_from(["gmail.com", "googlemail.com", "GMail.com"]),
)
def test_gmail_dots_tags_and_googlemail_are_one_mailbox(local: str, dots: list[int], tag: str, domain: str) -> None:
    dotted = local
    for position in sorted(set(dots), reverse=True):
        if 0 < position < len(dotted):
            dotted = dotted[:position] + "." + dotted[position:]
    assert canonical_mailbox(f"{dotted}+{tag}@{domain}") == f"{local}@gmail.com"


@FIXED
@given(labels=st.lists(_atom, min_size=1, max_size=5))
def test_parents_are_suffixes_most_specific_first(labels: list[str]) -> None:
    domain = ".".join(labels)
    parents = domain_and_parents(domain.upper())
    assert parents[0] == canonical_domain(domain) == domain
    assert parents[-1] == labels[-1]
    assert len(parents) == len(labels)
    assert all(a.endswith("." + b) for a, b in pairwise(parents))
