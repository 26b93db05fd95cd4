"""The prose, signatures and disclaimers a UK council really puts in its letters and emails."""

from __future__ import annotations

import random

from .people import ORG_NAME

FILLER = [
    "Thank you for your recent correspondence, which was received on {d} {m}.",
    "I am writing to confirm the outcome of the review carried out under Section {n} of the Housing Act 1996.",
    "The Council has considered all of the information available, including the reports dated {d} {m} {y}.",
    "Please note that the charge of £{n}.{p:02d} is payable within 14 days of the date of this letter.",
    "If you disagree with this decision you have the right to request a review within 21 days.",
    "The next review meeting is scheduled for {d} {m} at 10:30 in Room {n}, Civic Centre.",
    "Our reference is {ref}; please quote it in all correspondence.",
    "Paragraph {n} of the assessment sets out the reasons for this recommendation.",
    "The arrears on the account stood at £{n}{p:02d}.00 on {d} {m} {y}.",
    "This information is provided under the Data Protection Act 2018 and the UK GDPR.",
    "A copy of this letter has been placed on the case file ({ref}).",
    "Officers attended on {d} {m} between 9am and {n2}pm and no further action was required.",
    "Item {n}: the minutes of the previous meeting were agreed as a true record.",
    "The appeal must be lodged within {n} working days.",
    "Please bring photographic identification and proof of income for the last 3 months.",
    "Bin collections in your area will move from Tuesday to Thursday from week {n}.",
    "Your council tax band remains Band {band} for {y}/{y2}.",
    "Under Article {n} of the Order, the authority must give 28 days' notice.",
    "The panel noted the {n} outstanding actions from the last quarter.",
    "Children's Services will write to you separately about the contact arrangements.",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DISCLAIMER = (
    "This email and any attachments are confidential and intended solely for the addressee. If you have "
    "received it in error, please notify the sender and delete it. {org} may monitor email traffic. "
    "Views expressed are those of the author and not necessarily those of {org}. "
    "Find out how we use your personal information at www.westmere.gov.uk/privacy."
)


def filler(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        d = rng.randint(1, 28)
        out.append(
            rng.choice(FILLER).format(
                d=d,
                m=rng.choice(MONTHS),
                y=rng.choice([2024, 2025, 2026]),
                y2=rng.choice([25, 26, 27]),
                n=rng.randint(2, 60),
                n2=rng.randint(2, 5),
                p=rng.randint(0, 99),
                band=rng.choice("ABCDEFG"),
                ref=case_ref(rng),
            )
        )
    return out


def case_ref(rng: random.Random) -> str:
    return rng.choice(
        [
            f"HOU/{rng.randint(2023, 2026)}/{rng.randint(100, 99999):05d}",
            f"CS-{rng.randint(10000, 99999)}",
            f"ASB{rng.randint(1000, 9999)}",
            f"FC{rng.randint(10, 26)}P{rng.randint(100, 999)}",
        ]
    )


def signature(name: str, title: str, office: str, phone: str) -> str:
    return (
        f"Kind regards\n\n{name}\n{title}\n{ORG_NAME}\n{office}\nTel: {phone}\n"
        f"www.westmere.gov.uk | Follow us @WestmereCouncil\n"
    )


def disclaimer() -> str:
    return "\n" + "-" * 60 + "\n" + DISCLAIMER.format(org=ORG_NAME) + "\n"
