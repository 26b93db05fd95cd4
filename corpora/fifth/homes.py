"""The fifth corpus's protected register: homes of every shape the detection issues name (suffix
letters, flats, Scottish tenement flats, named buildings, Welsh streets with their English form,
villages that share a street name within one post town, PO boxes of refuges), each with the
recipients flagged for it (Gmail, Outlook, whole domains, so that aliases can be tried)."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from .. import uk

KINDS = ("plain", "suffix", "flat", "tenement", "building", "welsh", "village", "pobox")

# Welsh street types and the English form councils also use (bilingual names are official in Wales)
WELSH_TYPES = [
    ("Heol", "Road"),
    ("Ffordd", "Way"),
    ("Lôn", "Lane"),
    ("Cilgant", "Crescent"),
    ("Rhodfa", "Avenue"),
    ("Sgwâr", "Square"),
    ("Teras", "Terrace"),
    ("Stryd", "Street"),
]
WELSH_STEMS = ["Plas", "Eglwys", "Castell", "Ffynnon", "Bryn", "Afon", "Derwen", "Gwenallt", "Tegid", "Glyndwr"]
WELSH_TOWNS = [("Cardiff", "CF", [5, 10, 11, 14, 24]), ("Swansea", "SA", [1, 2, 5, 6]), ("Bangor", "LL", [57])]
SCOTS_TOWNS = [("Glasgow", "G", [3, 11, 12, 41, 42]), ("Edinburgh", "EH", [6, 7, 9, 11])]
BUILDINGS = ["Weavers Court", "Albion Mill", "Canal Wharf", "Foundry House", "St Anne's Court", "The Maltings"]
# Post towns with villages that share street names (Royal Mail adds the village to tell them apart)
VILLAGE_TOWNS = [
    ("Hebden Bridge", "HX", 7, ["Heptonstall", "Cragg Vale", "Mytholm", "Blackshaw Head"]),
    ("Keighley", "BD", 22, ["Haworth", "Oxenhope", "Oakworth", "Stanbury"]),
    ("Holmfirth", "HD", 9, ["Netherthong", "Hepworth", "Hade Edge", "Upperthong"]),
]
VILLAGE_STREETS = ["Church Street", "Main Street", "Towngate", "Back Lane", "Chapel Lane"]


@dataclass
class Home:
    id: str
    name: str
    kind: str
    town: str
    postcode: str
    number: str = ""  # "14", "14A"
    flat: str = ""  # "2", "0/2", "2F1", "17"
    building: str = ""
    street: str = ""
    english: str = ""  # the street's other-language form (Welsh rows)
    locality: str = ""
    po_box: str = ""
    flagged: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        """The register's `address` column (no postcode)."""
        if self.po_box:
            return f"PO Box {self.po_box}, {self.town}"
        parts = []
        if self.flat:
            parts.append(f"Flat {self.flat}")
        if self.building:
            parts.append(self.building)
        parts.append(f"{self.number} {self.street}".strip())
        if self.locality:
            parts.append(self.locality)
        parts.append(self.town)
        return ", ".join(parts)

    @property
    def base_number(self) -> str:
        return self.number.rstrip("ABCDEFGH")

    @property
    def suffix(self) -> str:
        return self.number[len(self.base_number) :]


def postcode(rng: random.Random, area: str, district: int, taken: set[str]) -> str:
    while True:
        pc = f"{area}{district} {rng.randint(1, 9)}{rng.choice(uk.INWARD_LETTERS)}{rng.choice(uk.INWARD_LETTERS)}"
        if pc not in taken:
            taken.add(pc)
            return pc


def flagged_for(rng: random.Random, i: int, name: str) -> list[str]:
    """Gmail (with a dot in the local part, so dot and +tag aliases differ), Outlook/Hotmail, or a
    whole domain (subdomains then count)."""
    first, last = (w.lower().replace("'", "") for w in name.split()[-2:])
    kind = i % 4
    if kind == 0:
        return [f"{first}.{last}{i}@gmail.com"]
    if kind == 1:
        return [f"{first}{last}{i}@outlook.com", f"{last}.{first}{i}@hotmail.co.uk"]
    if kind == 2:
        return [f"{last}.{first}{i}@gmail.com", f"@{last}-haulage{i}.co.uk"]
    return [f"{first}.{last}{i}@icloud.com", f"{first}{i}@yahoo.co.uk"]


def build(n: int = 800, seed: int = 5005) -> list[Home]:
    rng = random.Random(seed)
    taken: set[str] = set()
    homes: list[Home] = []
    towns = [t for t in uk.TOWNS if t[0] not in {w[0] for w in WELSH_TOWNS + SCOTS_TOWNS}]
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        name = f"{rng.choice(uk.FIRST)} {rng.choice(uk.SURNAMES)}"
        hid = f"F{i:05d}"
        number = str(rng.randint(1, 98))
        if kind == "welsh":
            town, area, dists = rng.choice(WELSH_TOWNS)
            wtype, etype = rng.choice(WELSH_TYPES)
            stem = rng.choice(WELSH_STEMS)
            street, english = f"{wtype} y {stem}", f"{stem} {etype}"
            if rng.random() < 0.5:
                street, english = english, street
            h = Home(
                hid,
                name,
                kind,
                town,
                postcode(rng, area, rng.choice(dists), taken),
                number,
                street=street,
                english=english,
            )
        elif kind == "tenement":
            town, area, dists = rng.choice(SCOTS_TOWNS)
            flat = (
                f"{rng.randint(0, 3)}/{rng.randint(1, 2)}"
                if town == "Glasgow"
                else f"{rng.randint(1, 4)}F{rng.randint(1, 3)}"
            )
            street = f"{rng.choice(uk.REGIONAL_STREET_NAMES['scotland'])} {rng.choice(uk.SCOTTISH_TYPES)}"
            h = Home(hid, name, kind, town, postcode(rng, area, rng.choice(dists), taken), number, flat, street=street)
        elif kind == "village":
            town, area, district, villages = rng.choice(VILLAGE_TOWNS)
            h = Home(
                hid,
                name,
                kind,
                town,
                postcode(rng, area, district, taken),
                number,
                street=rng.choice(VILLAGE_STREETS),
                locality=rng.choice(villages),
            )
        elif kind == "pobox":
            town, area, dists, *_ = rng.choice(towns)
            h = Home(
                hid, name, kind, town, postcode(rng, area, rng.choice(dists), taken), po_box=str(rng.randint(100, 999))
            )
        else:
            town, area, dists, *_ = rng.choice(towns)
            street = f"{rng.choice(uk.STREET_NAMES)} {rng.choice(uk.STREET_TYPES)}"
            h = Home(hid, name, kind, town, postcode(rng, area, rng.choice(dists), taken), number, street=street)
            if kind == "suffix":
                h.number += rng.choice("ABC")
            elif kind == "flat":
                h.flat = str(rng.randint(1, 12))
            elif kind == "building":
                h.flat, h.building = str(rng.randint(1, 40)), rng.choice(BUILDINGS)
        h.flagged = flagged_for(rng, i, name)
        homes.append(h)
    return homes


def write(homes: list[Home], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "address", "postcode", "phone", "flagged_recipients"])
        for h in homes:
            w.writerow([h.id, h.name, h.address, h.postcode, "", ";".join(h.flagged)])
