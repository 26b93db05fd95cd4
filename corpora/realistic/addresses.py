"""A UK postal address (flats, buildings, house names, numbers with letters) and random ones."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from corpora.uk import STREET_ABBREV

from ..uk import BUILDINGS, HOUSE_NAMES, INWARD_LETTERS, STREET_NAMES, STREET_TYPES, TOWN_BY_NAME, TOWNS


@dataclass(frozen=True)
class Addr:
    number: str | None  # "14", "14A"
    street: str  # "Acacia Avenue"
    town: str
    postcode: str  # "BS8 2AB"
    locality: str | None = None
    flat: str | None = None  # "Flat 2", "Apartment 12"
    building: str | None = None  # "Wellington Court"
    house_name: str | None = None

    def premise_lines(self) -> list[str]:
        """Lines before the locality: flat / building / house name / number and street."""
        out: list[str] = []
        if self.flat and self.building:
            out += [f"{self.flat}, {self.building}" if not self.house_name else self.flat]
        elif self.flat:
            out.append(self.flat)
        elif self.building:
            out.append(self.building)
        if self.house_name:
            out.append(self.house_name)
        out.append(f"{self.number} {self.street}" if self.number else self.street)
        return out

    def register_address(self) -> str:
        """The register's `address` column: everything but the postcode, comma separated."""
        parts = self.premise_lines()
        if self.flat and not self.building and not self.house_name:
            parts = [f"{self.flat}, {parts[1]}"]
        return ", ".join(parts + ([self.locality] if self.locality else []) + [self.town])

    def one_line(
        self, abbrev: bool = False, upper: bool = False, with_postcode: bool = True, with_locality: bool = True
    ) -> str:
        parts = self.premise_lines()
        if abbrev:
            parts = [abbreviate(p) for p in parts]
        if with_locality and self.locality:
            parts.append(self.locality)
        parts.append(self.town)
        s = ", ".join(parts) + (f" {self.postcode}" if with_postcode else "")
        return s.upper() if upper else s

    def block(self, town_upper: bool = True) -> list[str]:
        """Royal Mail style: one element a line, town in capitals, postcode last."""
        lines = self.premise_lines() + ([self.locality] if self.locality else [])
        return [*lines, self.town.upper() if town_upper else self.town, self.postcode]


def abbreviate(s: str) -> str:
    words = s.split(" ")
    if words and words[-1] in STREET_ABBREV:
        words[-1] = STREET_ABBREV[words[-1]]
    return " ".join(words)


def postcode_for(rng: random.Random, town: str, district: int | None = None) -> str:
    _, area, districts, _, _ = TOWN_BY_NAME[town]
    d = district if district is not None else rng.choice(districts)
    return f"{area}{d} {rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def district_of(postcode: str) -> str:
    return postcode.split(" ")[0]


def street(rng: random.Random) -> str:
    return f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_TYPES)}"


def house_number(rng: random.Random) -> str:
    n = rng.choice([rng.randint(1, 40), rng.randint(1, 40), rng.randint(1, 160), rng.randint(1, 400)])
    return f"{n}{rng.choice('ABC')}" if rng.random() < 0.1 else str(n)


def random_addr(rng: random.Random, town: str | None = None, kind: str | None = None) -> Addr:
    town = town or rng.choice(TOWNS)[0]
    loc = rng.choice(TOWN_BY_NAME[town][3]) if rng.random() < 0.45 else None
    base = Addr(house_number(rng), street(rng), town, postcode_for(rng, town), loc)
    kind = (
        kind
        or rng.choices(
            ["house", "flat", "flat_building", "house_name", "name_only", "apartment"], [60, 17, 6, 8, 3, 6]
        )[0]
    )
    if kind == "flat":
        return replace(base, flat=f"Flat {rng.randint(1, 12)}{rng.choice(['', '', '', 'A', 'B'])}")
    if kind == "flat_building":
        return replace(base, flat=f"Flat {rng.randint(1, 40)}", building=rng.choice(BUILDINGS))
    if kind == "apartment":
        return replace(base, flat=f"Apartment {rng.randint(1, 60)}", building=rng.choice(BUILDINGS))
    if kind == "house_name":
        return replace(base, house_name=rng.choice(HOUSE_NAMES), number=str(rng.randint(1, 60)))
    if kind == "name_only":
        return replace(base, house_name=rng.choice(HOUSE_NAMES), number=None, street=f"{rng.choice(STREET_NAMES)} Lane")
    return base
