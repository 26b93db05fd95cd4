"""Blind spots the red-team corpus (bench/redteam_corpus.py) found, one minimal message each.

Those in code owned by engineers still at work are xfail (strict=False, so a fix shows up as
XPASS): the register matcher (`mailguard/detect/register/`) and extraction
(`mailguard/message/`). Those fixed in detect/policy are plain regression tests.
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
        marks=xfail(MATCHER, "triggers.find skips digit tokens longer than 7 chars before trying PHONE_FIND"),
    ),
    pytest.param(
        "Her new number is +441174960123.",
        id="phone-unbroken-plus44",
        marks=xfail(MATCHER, "same: an 11+ digit token is never offered to PHONE_FIND"),
    ),
    pytest.param(
        "They are at 66-A Redcliffe Square, Bolton BL2 9WE.",
        id="house-letter-after-hyphen",
        marks=xfail(MATCHER, "NUMBER/NUMBER_WORD refuse a number followed by '-'; 66-A is not read as 66A"),
    ),
    pytest.param(
        "They are at 168 Iyv Walk, Bath BA1 7GS.",
        id="typo-in-short-street-with-exact-postcode",
        marks=xfail(
            MATCHER,
            "street names <= 4 letters need a 100 score, and the postcode path vetoes the exact "
            "number + exact postcode because a street type ('Walk') follows an unmatched street",
        ),
    ),
    pytest.param(
        "They are at ll Maple Court, Wakefield.",
        id="ocr-house-number-without-a-real-digit",
        marks=xfail(MATCHER, "_NUM needs one real digit, so OCR 'll' for 11 is never a house number"),
    ),
    pytest.param(
        "They are at 9 Linden Close, Derby DE1 3AB.",
        id="register-row-with-non-numeric-phone",
        marks=xfail(
            MATCHER,
            "load.py drops the whole row when phone is not a UK number ('ex-directory'), so the "
            "address is not protected at all; keep the row, skip the phone, report the line",
        ),
    ),
    pytest.param(
        "Her email is ann.example [at] outlook [dot] com.",
        id="obfuscated-email",
        marks=xfail(MATCHER, "'[at]'/'[dot]' spellings of the protected email (low priority)"),
    ),
    pytest.param(
        '<p>Write to <a href="mailto:ann.example@outlook.com">her</a>.</p>',
        id="email-only-in-mailto-href",
        marks=xfail(EXTRACTION, "html.py does not extract href targets; mailto: addresses are readable on hover"),
    ),
    pytest.param(
        '<p>See <a href="https://maps.example.com/?q=14+Acacia+Avenue+Bristol+BS1+4AB">the map</a>.</p>',
        id="address-only-in-link-url",
        marks=xfail(EXTRACTION, "link targets (URL query text) are not extracted"),
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
        marks=xfail(
            MATCHER,
            "the address path rejects flat 5 (row is flat 2) but _number_near_postcode holds on "
            "30 + LS6 2QT: _blocked only looks at the word right before the number ('5,')",
        ),
    ),
    pytest.param(
        "See chapter 187 Sycamore Park history, York.",
        id="flat-word-inside-chapter",
        marks=xfail(
            MATCHER,
            "_FLAT_BEFORE has no word boundary: 'chAPTer 187' reads as 'Apt er', so the span starts "
            "inside 'chapter' and the 'chapter' blocker is never seen",
        ),
    ),
    pytest.param("Order 14 Acacia Avenue depot, Bristol.", id="order-number"),
    pytest.param("No. 12, BS1 4AB", id="neighbour-number-postcode"),
    pytest.param("The family left the BS1 area of Bristol.", id="district-alone"),
]


@pytest.mark.parametrize("body", PASS)
async def test_should_pass(scan: Scan, body: str) -> None:
    v = await scan(eml(f"Dear colleague,\n\n{body}\n"))
    assert v.action is Action.PASS, v.as_json()


# --- exposure: consumer domains (fixed in mailguard/detect/parties.py) -----------------------
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
