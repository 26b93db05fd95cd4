"""Near misses: messages that look like a protected mention but are not one (neighbours, another
town, numbers that are not house numbers); every one must pass. And the row's full postcode
alone, which since issue 21 is a mention: held."""

from __future__ import annotations

from .corpus import Corpus
from .mail import canonical, hold_body, pass_body, pass_case, wrap
from .names import TOWNS


def near_misses(c: Corpus) -> None:
    """Every way a message can come close to a protected mention without being one."""
    for _ in range(6):  # neighbour: same street and postcode, another number
        row = c.new_row(number=str(c.rnd.randint(10, 90)))
        other = str(int(row.number) + c.rnd.choice([-2, 2, 1, 10]))
        pass_body(
            c,
            "protected-negative/neighbour",
            row,
            f"{other} {row.street} {row.stype}, {row.town} {row.postcode}",
            lead="Neighbour's address:",
        )
    for _ in range(4):
        row = c.new_row(number=str(c.rnd.randint(10, 90)))
        other = str(int(row.number) + 2)
        pass_body(c, "protected-negative/neighbour_number_postcode", row, f"No. {other}, {row.postcode}")
    for _ in range(6):  # same street, another town (and that town's postcode, or none)
        row = c.new_row()
        town = c.rnd.choice([t for t in TOWNS if t != row.town])
        with_pc = c.rnd.random() < 0.5
        pc = f" {c.postcode(town)}" if with_pc else ""
        pass_body(c, "protected-negative/same_street_other_town", row, f"{row.line()}, {town}{pc}")
    for _ in range(4):  # same number and street name, another street type, same town
        row = c.new_row(stype="Avenue")
        pass_body(c, "protected-negative/other_street_type", row, f"{row.number} {row.street} Road, {row.town}")
    for _ in range(4):
        row = c.new_row()
        district = row.postcode.split()[0]
        pass_body(
            c,
            "protected-negative/district_alone",
            row,
            f"The family has moved out of the {district} area of {row.town}.",
        )
    for _ in range(3):  # a full postcode alone names ~15 doors: held (issue 21, docs/detection.md)
        row = c.new_row()
        hold_body(
            c,
            row,
            "protected/postcode_alone",
            f"Our {row.town} office covers {row.postcode} and the nearby streets.",
        )
    for fmt in [
        "Order {n} was delivered to the {s} {t} depot.",
        "Invoice {n}: {s} {t} branch repairs.",
        "See page {n}. {s} {t} is closed for works.",
        "Room {n}, {s} {t} Community Centre",
        "Chapter {n} {s} {t} history.",
        "Case ref {n} {s} {t} review",
        "£{n} {s} {t} parking fee",
        "Bus {n} {s} {t} stop",
    ]:
        row = c.new_row()
        pass_body(
            c,
            "protected-negative/number_not_house",
            row,
            fmt.format(n=row.number, s=row.street, t=row.stype) + f" {row.town}.",
        )
    for _ in range(4):  # house number of one row, postcode of another
        a, b = c.new_row(number="14"), c.new_row(number="22")
        pass_body(c, "protected-negative/number_postcode_other_row", b, f"No. {a.number}, {b.postcode}")
    for _ in range(4):
        row = c.new_row()
        pass_case(c, "protected-negative/internal_only", [c.sender(), c.sender()], wrap(c, canonical(row)))
    for _ in range(4):
        row = c.new_row()
        pass_body(c, "protected-negative/flagged_no_mention", row, "No address in this one.")
    for _ in range(4):
        row = c.new_row()
        other = c.person_email()
        pass_case(c, "protected-negative/mention_unflagged", [other], wrap(c, canonical(row)))
    for _ in range(3):
        row = c.new_row(flat="2")
        pass_body(c, "protected-negative/other_flat", row, f"Flat 5, {row.line()}, {row.town} {row.postcode}")
    for _ in range(3):
        row = c.new_row(phone=True)
        last = int(row.phone[-4:])
        pass_body(
            c,
            "protected-negative/neighbour_phone",
            row,
            f"Office number: 0117 496 {(last + 1) % 10000:04d}",
            lead="Contact:",
        )
    for month in ("May", "June", "March"):  # a date right before a street name
        row = c.new_row(number=str(c.rnd.randint(3, 28)))
        pass_body(
            c,
            "protected-negative/date_before_street",
            row,
            f"On {row.number} {month} {row.street} {row.stype} was closed for resurfacing, {row.town}.",
        )
    for _ in range(3):
        row = c.new_row(number="14")
        pass_body(
            c,
            "protected-negative/number_in_date_time",
            row,
            f"Meeting at 14:00 on 14/12. {row.street} {row.stype} entrance, {row.town}.",
        )
    for _ in range(3):
        row = c.new_row(number=str(c.rnd.randint(20, 99)))
        hold_body(  # the amount is no house number, but the postcode alone is held (issue 21)
            c,
            row,
            "protected/postcode_alone_with_amount",
            f"Parking permit for {row.postcode} costs £{row.number}.00 a year ({row.number}%).",
        )
