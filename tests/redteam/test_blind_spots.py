"""Blind spots the red-team corpus (`python -m corpora redteam`) found, one minimal message each.

Those in code owned by engineers still at work are xfail (strict=False, so a fix shows up as
XPASS): extraction (`mailguard/message/`). Those fixed in the register matcher
(`mailguard/detect/register/`) and in detect/policy are plain regression tests.
"""

from __future__ import annotations

import pytest

from mailguard.policy.verdict import Action

from .conftest import Scan
from .mail import FLAGGED, INTERNAL, SENDER, eml

MATCHER = "matcher (mailguard/detect/register)"
EXTRACTION = "extraction (mailguard/message)"


def xfail(where: str, why: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=False, reason=f"{where}: {why}")


# --- should hold ----------------------------------------------------------------------------
HOLD = [
    pytest.param(
        "Her new number is 01174960123.",
        id="phone-unbroken-digits",
    ),
    pytest.param(
        "Her new number is +441174960123.",
        id="phone-unbroken-plus44",
    ),
    pytest.param(
        "They are at 66-A Redcliffe Square, Bolton BL2 9WE.",
        id="house-letter-after-hyphen",
    ),
    pytest.param(
        "They are at 168 Iyv Walk, Bath BA1 7GS.",
        id="typo-in-short-street-with-exact-postcode",
    ),
    pytest.param(
        "They are at ll Maple Court, Wakefield.",
        id="ocr-house-number-without-a-real-digit",
    ),
    pytest.param(
        "They are at 9 Linden Close, Derby DE1 3AB.",
        id="register-row-with-non-numeric-phone",
    ),
    pytest.param(
        "Her email is ann.example [at] outlook [dot] com.",
        id="obfuscated-email",
    ),
    pytest.param(
        '<p>Write to <a href="mailto:ann.example@outlook.com">her</a>.</p>',
        id="email-only-in-mailto-href",
    ),
    pytest.param(
        '<p>See <a href="https://maps.example.com/?q=14+Acacia+Avenue+Bristol+BS1+4AB">the map</a>.</p>',
        id="address-only-in-link-url",
    ),
    # fixed in mailguard/message/extract/links.py (URLs in plain text are decoded too)
    pytest.param(
        "See https://maps.example.com/?q=14+Acacia+Avenue+Bristol+BS1+4AB for the way.",
        id="address-only-in-plain-text-url",
    ),
    pytest.param(
        '<p><a href="https://safelinks.example/?url=https%3A%2F%2Fmaps.example%2F%3Fq%3D14%2BAcacia%2B'
        'Avenue%2BBS1%2B4AB&amp;data=1">map</a></p>',
        id="address-in-url-inside-redirect-url",
    ),
    # fixed in mailguard/detect/views.py (label/value tables read together)
    pytest.param(
        "<table><tr><td>House number</td><td>14</td></tr><tr><td>Street</td><td>Acacia Avenue</td></tr>"
        "<tr><td>Town</td><td>Bristol</td></tr><tr><td>Postcode</td><td>BS1 4AB</td></tr></table>",
        id="label-value-html-table",
    ),
    pytest.param(
        "<table><tr><td>House number</td><td>14</td></tr><tr><td>Street</td><td>Acacia Avenue</td></tr>"
        "<tr><td>Postcode</td><td>BS1 4AB</td></tr></table>",
        id="label-value-table-without-town",
    ),
    pytest.param(
        "<table><tr><th>Field</th><th>Value</th></tr><tr><td>Address line 1</td><td>14 Acacia Avenue</td></tr>"
        "<tr><td>Address line 2</td><td></td></tr><tr><td>Post town</td><td>Bristol</td></tr></table>",
        id="label-value-address-lines",
    ),
    # fixed in mailguard/detect/views.py (homoglyphs folded before matching)
    pytest.param("Now at 14 \u0410\u0441\u0430\u0441i\u0430 Avenue, Bristol BS1 4AB.", id="cyrillic-street"),
]


@pytest.mark.parametrize("body", HOLD)
async def test_should_hold(scan: Scan, body: str) -> None:
    data = eml(None, html=body) if body.startswith("<") else eml(body)
    v = await scan(data)
    assert v.action is Action.HOLD, v.as_json()


# --- should pass ----------------------------------------------------------------------------
PASS = [
    pytest.param(
        "Flat 5, 30 Rowan Road, Leeds LS6 2QT",
        id="other-flat-same-building",
    ),
    pytest.param(
        "See chapter 187 Sycamore Park history, York.",
        id="flat-word-inside-chapter",
    ),
    pytest.param("Order 14 Acacia Avenue depot, Bristol.", id="order-number"),
    pytest.param("No. 12, BS1 4AB", id="neighbour-number-postcode"),
    pytest.param("The family left the BS1 area of Bristol.", id="district-alone"),
]


@pytest.mark.parametrize("body", PASS)
async def test_should_pass(scan: Scan, body: str) -> None:
    v = await scan(eml(f"Dear colleague,\n\n{body}\n"))
    assert v.action is Action.PASS, v.as_json()


# --- exposure: consumer domains (mailguard/organisation/domains.py) -----------------------
@pytest.mark.parametrize("domain", ["wanadoo.co.uk", "orange.net", "tesco.net", "fsmail.net", "btconnect.com"])
async def test_two_people_at_an_old_isp_are_two_parties(scan: Scan, domain: str) -> None:
    a, b = f"ann@{domain}", f"bob@{domain}"
    v = await scan(eml("Hello both", to=f"{a}, {b}"), rcpt=(a, b))
    assert v.action is Action.REWRITE, v.as_json()


async def test_one_org_at_domain_and_subdomain_is_one_party(scan: Scan) -> None:
    rcpt = ("a@partner-housing.org.uk", "b@mail.partner-housing.org.uk")
    v = await scan(eml("Hello", to=", ".join(rcpt)), rcpt=rcpt)
    assert v.action is Action.PASS, v.as_json()


async def test_flagged_domain_covers_its_subdomains(scan: Scan) -> None:
    rcpt = ("worker@mail.partner-housing.org.uk",)
    v = await scan(eml("They moved to Flat 2, 30 Rowan Road, Leeds LS6 2QT.", to=rcpt[0]), rcpt=rcpt)
    assert v.action is Action.HOLD, v.as_json()


async def test_internal_only_passes(scan: Scan) -> None:
    v = await scan(eml("At 14 Acacia Avenue, Bristol BS1 4AB.", to=SENDER), rcpt=(f"x@{INTERNAL}",))
    assert v.action is Action.PASS, v.as_json()


async def test_flagged_in_upper_case(scan: Scan) -> None:
    v = await scan(eml("At 14 Acacia Avenue, Bristol BS1 4AB."), rcpt=(FLAGGED.upper(),))
    assert v.action is Action.HOLD, v.as_json()
