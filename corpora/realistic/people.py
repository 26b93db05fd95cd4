"""People and organisations for the realistic corpus: names, email addresses, partner agencies and
phone numbers. Phone numbers come from Ofcom's drama ranges (07700 900xxx, 0117 496 0xxx, ...),
so none is a real line."""

from __future__ import annotations

import random

from ..uk import CONSUMER, FIRST, MALE, SURNAMES, TOWN_BY_NAME

ORG = "westmere.gov.uk"
ORG_NAME = "Westmere City Council"
INTERNAL = [ORG, "schools.westmere.gov.uk"]
PARTNERS = {
    "northmere-homes.org.uk": "Northmere Homes",
    "westmere.police.uk": "Westmere Police",
    "nhs.net": "NHS",
    "citizensadvice-westmere.org.uk": "Citizens Advice Westmere",
    "safelives-partnership.org.uk": "Safe Lives Partnership",
    "cafcass.gov.uk": "Cafcass",
    "harbourside-solicitors.co.uk": "Harbourside Solicitors LLP",
    "greenacre-law.co.uk": "Greenacre Law",
    "westmere-academy.org.uk": "Westmere Academy Trust",
    "brightstart-nursery.co.uk": "Brightstart Nursery",
}
FLAGGED_DOMAINS = ["northmere-homes.org.uk", "greenacre-law.co.uk", "brightstart-nursery.co.uk"]
UNFLAGGED_PARTNERS = [d for d in PARTNERS if d not in FLAGGED_DOMAINS]


def person(rng: random.Random, female: bool | None = None) -> tuple[str, str]:
    first = rng.choice(FIRST if (female if female is not None else rng.random() < 0.8) else MALE)
    return first, rng.choice(SURNAMES)


def consumer_email(rng: random.Random, first: str, last: str) -> str:
    last = last.lower().replace("'", "").replace("-", "")
    local = rng.choice(
        [
            f"{first.lower()}.{last}",
            f"{first[0].lower()}{last}",
            f"{first.lower()}{last}{rng.randint(1, 99)}",
            f"{last}{first[0].lower()}{rng.randint(70, 99)}",
            f"{first.lower()}_{last}",
        ]
    )
    return f"{local}@{rng.choice(CONSUMER)}"


def staff_email(first: str, last: str, domain: str = ORG) -> str:
    return f"{first.lower()}.{last.lower().replace(chr(39), '').replace('-', '')}@{domain}"


def phone_for(rng: random.Random, town: str) -> str:
    prefix = TOWN_BY_NAME[town][4]
    if prefix and rng.random() < 0.4:
        return f"{prefix}{rng.randint(0, 999):03d}"
    return f"07700 900{rng.randint(0, 999):03d}"


def phone_variant(rng: random.Random, phone: str) -> str:
    """The same number written as people write it."""
    digits = phone.replace(" ", "")
    forms = [
        phone,
        digits,
        "+44 " + digits[1:5] + " " + digits[5:],
        "+44 (0)" + digits[1:5] + " " + digits[5:],
        digits[:5] + "-" + digits[5:],
        "(" + digits[:5] + ") " + digits[5:],
    ]
    if digits.startswith("07"):
        forms.append(digits[:5] + " " + digits[5:8] + " " + digits[8:])
    return rng.choice(forms)


def phone_one_off(rng: random.Random, phone: str) -> str:
    """Another real-looking number one digit away."""
    digits = list(phone)
    idx = [i for i, c in enumerate(digits) if c.isdigit()][-rng.randint(1, 3)]
    digits[idx] = str((int(digits[idx]) + rng.choice([1, 9])) % 10)
    return "".join(digits)
