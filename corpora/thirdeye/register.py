"""A 1,500-row protected register of realistic UK addresses (England, Wales, Scotland, NI)."""


from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from ..uk import (
    CLOSES,
    ENGLISH_TYPES,
    INWARD_LETTERS,
    LANES,
    SCOTTISH_TYPES,
    VILLAGES,
    WELSH_STREETS,
)
from ..uk import (
    CONSUMER_COMMON as CONSUMER,
)
from ..uk import (
    LONG_BUILDINGS as BUILDINGS,
)
from ..uk import (
    NICKNAMES as MALE,
)
from ..uk import (
    REGIONAL_FIRST as FIRST,
)
from ..uk import (
    REGIONAL_LAST as LAST,
)
from ..uk import (
    REGIONAL_STREET_NAMES as STREET_NAMES,
)
from ..uk import (
    REGIONAL_TOWNS as TOWNS,
)
from ..uk import (
    RURAL_HOUSE_NAMES as HOUSE_NAMES,
)

PC_INWARD_LETTERS = INWARD_LETTERS.replace("Q", "")

WORK_DOMAINS = [
    "northern-haulage.co.uk",
    "ardmore-security.com",
    "westfield-motors.co.uk",
    "clydeside-scaffolding.co.uk",
    "taff-valley-roofing.co.uk",
    "lagan-logistics.com",
]


@dataclass
class Row:
    id: str
    name: str
    region: str
    flat: str = ""  # "3", "2/1", "1F2"
    building: str = ""
    number: str = ""
    house_name: str = ""
    street: str = ""
    locality: str = ""
    town: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    flagged: list[str] = field(default_factory=list)
    bare_flat: bool = False  # Glasgow style "2/1, 45 Gibson Street" (no "Flat")

    @property
    def kind(self) -> str:
        if self.house_name:
            return "rural"
        if "/" in self.flat or (self.flat[:1].isdigit() and "F" in self.flat):
            return "tenement"
        return self.region

    def parts(self) -> list[str]:
        """The address as written in the register, without the postcode."""
        out = []
        if self.flat:
            out.append(self.flat if self.bare_flat else f"Flat {self.flat}")
        if self.building:
            out.append(self.building)
        if self.house_name:
            out.append(self.house_name)
        out.append(f"{self.number} {self.street}".strip())
        if self.locality:
            out.append(self.locality)
        out.append(self.town)
        return out

    @property
    def address(self) -> str:
        return ", ".join(self.parts())


def postcode(rng: random.Random, district: str) -> str:
    return f"{district} {rng.randint(1, 9)}{rng.choice(PC_INWARD_LETTERS)}{rng.choice(PC_INWARD_LETTERS)}"


def _street(rng: random.Random, region: str) -> str:
    if region == "wales":
        if rng.random() < 0.7:
            return rng.choice(WELSH_STREETS)
        return f"{rng.choice(STREET_NAMES['england'])} {rng.choice(ENGLISH_TYPES)}"
    if region == "scotland":
        if rng.random() < 0.2:
            return rng.choice(CLOSES)
        return f"{rng.choice(STREET_NAMES['scotland'])} {rng.choice(SCOTTISH_TYPES)}"
    names = STREET_NAMES["ni" if region == "ni" else "england"]
    return f"{rng.choice(names)} {rng.choice(ENGLISH_TYPES)}"


def make_row(rng: random.Random, i: int, taken: set[str]) -> Row:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    roll = rng.random()
    if roll < 0.08:  # rural: house name + lane + village + town, no number
        vill, town, dist = rng.choice(VILLAGES)
        row = Row(
            f"T{i:05d}",
            name,
            "rural",
            house_name=rng.choice(HOUSE_NAMES),
            street=rng.choice(LANES),
            locality=vill,
            town=town,
            postcode=postcode(rng, dist),
        )
    else:
        town, dists, region = rng.choice(TOWNS)
        row = Row(
            f"T{i:05d}",
            name,
            region,
            number=str(rng.randint(1, 180)),
            street=_street(rng, region),
            town=town,
            postcode=postcode(rng, rng.choice(dists)),
        )
        if region == "scotland" and rng.random() < 0.5:
            if town == "Edinburgh":
                row.flat = f"{rng.randint(1, 3)}F{rng.randint(1, 3)}"
            else:
                row.flat, row.bare_flat = f"{rng.randint(0, 3)}/{rng.randint(1, 2)}", rng.random() < 0.3
        elif rng.random() < 0.25:
            row.flat = str(rng.randint(1, 40))
            if rng.random() < 0.35:
                row.building = rng.choice(BUILDINGS)
        if rng.random() < 0.15 and row.number.isdigit() and int(row.number) < 90:
            row.number += rng.choice("ABC")
    key = f"{row.number}|{row.house_name}|{row.street}|{row.town}"
    if key in taken:
        return make_row(rng, i, taken)
    taken.add(key)
    local = f"{rng.choice(MALE)}.{rng.choice(LAST).lower().replace(chr(39), '')}{i}"
    row.flagged = [f"{local}@{rng.choice(CONSUMER)}"]
    if rng.random() < 0.1:
        row.flagged.append("@" + rng.choice(WORK_DOMAINS).replace(".", f"{i}.", 1))
    if rng.random() < 0.4:
        row.phone = f"07700 9{i % 100000:05d}"[:13] if i < 1000 else f"0113 496 {i % 10000:04d}"
    if rng.random() < 0.2:
        row.email = f"{name.split()[0].lower().replace('â', 'a')}.{i}@{rng.choice(CONSUMER)}"
    return row


def build(seed: int = 7, n: int = 1500) -> list[Row]:
    rng = random.Random(seed)
    taken: set[str] = set()
    return [make_row(rng, i, taken) for i in range(n)]


def write(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "address", "postcode", "phone", "flagged_recipients", "email"])
        for r in rows:
            w.writerow([r.id, r.name, r.address, r.postcode, r.phone, ";".join(r.flagged), r.email])
