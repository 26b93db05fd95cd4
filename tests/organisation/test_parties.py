"""Who is which party: colleagues none, each member of the public one, an organisation one."""

from __future__ import annotations

import pytest

from mailguard.organisation.domains import registrable_domain
from mailguard.organisation.mailbox import canonical_domain, canonical_mailbox
from mailguard.organisation.organisation import Kind, Organisation

ORG = Organisation.of(["dept.example.gov.uk"], ["friendly-isp.net"], ["zen.co.uk"], ["friendly-isp.net"])


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("a.example.co.uk", "example.co.uk"),
        ("example.co.uk", "example.co.uk"),
        ("nhs.net", "nhs.net"),
        ("mail.hmrc.gov.uk", "hmrc.gov.uk"),
        ("x.leeds.ac.uk", "leeds.ac.uk"),
        ("trust.nhs.uk", "trust.nhs.uk"),
        ("partner-housing.org.uk", "partner-housing.org.uk"),
        ("Sub.Example.COM.", "example.com"),
        ("xn--bcher-kva.de", "bücher.de"),
        ("localhost", "localhost"),
    ],
)
def test_registrable_domain(domain: str, expected: str) -> None:
    assert registrable_domain(domain) == expected


def test_canonical_domain_keeps_broken_a_labels() -> None:
    assert canonical_domain("xn--zz.example") == "xn--zz.example"


@pytest.mark.parametrize(
    "address",
    [
        "a@dept.example.gov.uk",
        "b@DEPT.EXAMPLE.GOV.UK",
        "c@team.dept.example.gov.uk",
        "d@dept.example.gov.uk.",
    ],
)
def test_internal_and_subdomains_are_not_parties(address: str) -> None:
    assert ORG.party(address) is None


def test_sibling_of_internal_domain_is_external() -> None:
    # example.gov.uk is the parent, not a subdomain: a different organisation
    assert ORG.party("x@example.gov.uk") == "example.gov.uk"
    assert ORG.party("x@otherdept.example.gov.uk") == "example.gov.uk"


@pytest.mark.parametrize(
    "address",
    [
        "a@gmail.com", "a@googlemail.com", "a@hotmail.co.uk", "a@hotmail.fr", "a@live.co.uk", "a@yahoo.co.uk",
        "a@ymail.com", "a@icloud.com", "a@me.com", "a@btinternet.com", "a@sky.com", "a@virginmedia.com",
        "a@blueyonder.co.uk", "a@ntlworld.com", "a@talktalk.net", "a@aol.co.uk", "a@gmx.de", "a@proton.me",
        "a@protonmail.com", "a@outlook.com", "a@friendly-isp.net",
    ],
)  # fmt: skip
def test_consumer_addresses_are_their_own_party(address: str) -> None:
    other = "zz" + address
    assert ORG.party(address) == canonical_mailbox(address)
    assert ORG.kind(address) is Kind.PUBLIC
    assert ORG.party(other) != ORG.party(address)


def test_one_organisation_is_one_party() -> None:
    parties = ORG.parties(["a@riverside.org", "b@Riverside.org", "c@mail.riverside.org"])
    assert list(parties) == ["riverside.org"]
    assert ORG.parties(["a@a.example.co.uk", "b@b.example.co.uk"]).keys() == {"example.co.uk"}
    assert len(ORG.parties(["a@one.co.uk", "b@two.co.uk"])) == 2


def test_idn_forms_are_one_party() -> None:
    assert ORG.party("a@xn--bcher-kva.de") == ORG.party("b@bücher.de") == "bücher.de"


def test_consumer_brand_needs_the_registrable_label() -> None:
    # "hotmail.*" covers hotmail.co.uk, not notmyhotmail.co.uk nor hotmail.example.org
    assert ORG.party("a@notmyhotmail.co.uk") == "notmyhotmail.co.uk"
    assert ORG.party("a@hotmail.example.org") == "example.org"


def test_settings_consumer_domain_covers_subdomains() -> None:
    assert ORG.party("a@mx.friendly-isp.net") == "a@mx.friendly-isp.net"


def test_raw_utf8_and_nfd_forms_are_one_party() -> None:
    raw = "märy@exämple.net".encode().decode("ascii", "surrogateescape")
    nfd = "ma\u0308ry@exa\u0308mple.net"
    assert ORG.party(raw) == ORG.party(nfd) == ORG.party("märy@exämple.net") == "exämple.net"
    assert len(ORG.parties([raw, nfd, "other@exämple.net"])) == 1


@pytest.mark.parametrize(
    "domain",
    [
        "ntlworld.com", "virginmedia.com", "talktalk.net", "sky.com", "plus.net", "user.plus.com", "tiscali.co.uk",
        "aol.com", "btopenworld.com", "blueyonder.co.uk", "gmx.co.uk", "web.de", "protonmail.ch", "tutanota.com",
        "zoho.com", "yandex.ru", "mail.ru", "qq.com", "163.com",
    ],
)  # fmt: skip
def test_uk_isp_and_international_mailboxes_are_the_public(domain: str) -> None:
    assert ORG.kind(f"someone@{domain}") is Kind.PUBLIC


def test_the_rules_can_take_a_domain_out_of_the_consumer_list() -> None:
    assert ORG.kind("office@zen.co.uk") is Kind.PROFESSIONAL
    assert ORG.party("office@zen.co.uk") == ORG.party("other@zen.co.uk") == "zen.co.uk"


def test_one_persons_aliases_are_one_member_of_the_public() -> None:
    assert ORG.party("J.Smith+housing@googlemail.com") == ORG.party("jsmith@gmail.com")
    assert ORG.party("pat+x@friendly-isp.net") == ORG.party("pat@friendly-isp.net")  # rules' subaddress domain
