"""A 1,500-row protected register of realistic UK addresses (England, Wales, Scotland, NI)."""
# ruff: noqa: E501 -- data tables read better unwrapped

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

PC_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ".replace("Q", "")

# (town, postcode outward districts, region)
TOWNS: list[tuple[str, tuple[str, ...], str]] = [
    ("Leeds", ("LS6", "LS7", "LS8", "LS11", "LS12"), "england"),
    ("Bristol", ("BS3", "BS5", "BS6", "BS7"), "england"),
    ("Manchester", ("M14", "M16", "M20", "M21"), "england"),
    ("Sheffield", ("S7", "S8", "S10", "S11"), "england"),
    ("York", ("YO10", "YO24", "YO31"), "england"),
    ("Norwich", ("NR2", "NR3", "NR4"), "england"),
    ("Exeter", ("EX1", "EX2", "EX4"), "england"),
    ("Leicester", ("LE2", "LE3", "LE5"), "england"),
    ("Nottingham", ("NG3", "NG5", "NG7"), "england"),
    ("Reading", ("RG1", "RG2", "RG30"), "england"),
    ("Plymouth", ("PL1", "PL2", "PL4"), "england"),
    ("Kingston upon Hull", ("HU3", "HU5", "HU8"), "england"),
    ("Derby", ("DE1", "DE22", "DE23"), "england"),
    ("Coventry", ("CV1", "CV2", "CV5"), "england"),
    ("Brighton", ("BN1", "BN2"), "england"),
    ("Southampton", ("SO14", "SO15", "SO17"), "england"),
    ("Newcastle upon Tyne", ("NE2", "NE4", "NE6"), "england"),
    ("Wakefield", ("WF1", "WF2"), "england"),
    ("Cardiff", ("CF5", "CF11", "CF14", "CF24"), "wales"),
    ("Swansea", ("SA1", "SA2", "SA6"), "wales"),
    ("Newport", ("NP19", "NP20"), "wales"),
    ("Wrexham", ("LL11", "LL13"), "wales"),
    ("Bangor", ("LL57",), "wales"),
    ("Aberystwyth", ("SY23",), "wales"),
    ("Caernarfon", ("LL55",), "wales"),
    ("Llanelli", ("SA14", "SA15"), "wales"),
    ("Pontypridd", ("CF37",), "wales"),
    ("Glasgow", ("G3", "G11", "G12", "G41", "G42"), "scotland"),
    ("Edinburgh", ("EH6", "EH7", "EH9", "EH11"), "scotland"),
    ("Aberdeen", ("AB10", "AB24", "AB25"), "scotland"),
    ("Dundee", ("DD1", "DD3", "DD4"), "scotland"),
    ("Inverness", ("IV2", "IV3"), "scotland"),
    ("Paisley", ("PA1", "PA3"), "scotland"),
    ("Stirling", ("FK7", "FK8"), "scotland"),
    ("Belfast", ("BT5", "BT6", "BT7", "BT9", "BT12", "BT14"), "ni"),
    ("Londonderry", ("BT47", "BT48"), "ni"),
    ("Newry", ("BT34", "BT35"), "ni"),
    ("Lisburn", ("BT27", "BT28"), "ni"),
    ("Omagh", ("BT78", "BT79"), "ni"),
    ("Coleraine", ("BT51", "BT52"), "ni"),
]

STREET_NAMES = {
    "england": """Acacia Fernbank Beechwood Marlborough Victoria Albert Station Church Mill Highfield Springfield
        Oakfield Hawthorn Willow Chestnut Manor Priory Cavendish Belgrave Stanley Clarendon Wellington Nelson
        Jubilee Coronation Ashgrove Elmwood Moorland Brookside Orchard Sycamore Laburnum Rowan Holly Hazel
        Grosvenor Lansdowne Portland Richmond Windsor Balmoral Hillcrest Fairfield Woodland Kingsley Harewood
        Cranbrook Ashburnham Thornhill Rosebery Cliftonville Ravenscroft Blenheim""".split(),
    "ni": """Ormeau Lisburn Antrim Malone Cregagh Castlereagh Donegall Glenard Knockbreda Ravenhill Cliftonville
        Rosetta Sandown Finaghy Glenmachan Stranmillis Eglantine Ballysillan Whiterock Ardoyne""".split(),
    "scotland": """Gibson Kelvinhaugh Allison Marchmont Warrender Dalry Byres Dumbarton Craigpark Hyndland
        Comely Bruntsfield Polwarth Dundonald Crown Rosemount Union Menzieshill Hilltown Causewayside""".split(),
}
ENGLISH_TYPES = "Road Street Avenue Crescent Gardens Terrace Court Close Drive Grove Lane Place Way Row Mews Walk Rise Square Parade".split()
SCOTTISH_TYPES = "Street Road Terrace Drive Place Gardens Crescent Avenue".split()
WELSH_STREETS = """Heol y Parc|Heol Llanishen Fach|Ffordd Glyndŵr|Ffordd yr Orsaf|Stryd Fawr|Stryd y Castell|Lôn Las|
    Lôn y Bryn|Maes y Coed|Ffordd Penrhos|Heol Isaf|Heol Tŷ Gwyn|Rhodfa'r Môr|Lôn Ceredigion|Ffordd Pen-y-Bryn|
    Heol Hir|Stryd Twll yn y Wal|Lôn Bopty|Ffordd Caergybi|Heol Eglwys""".replace("\n", "").split("|")
CLOSES = """Advocate's Close|Lady Stair's Close|Fleshmarket Close|Blackfriars Wynd|Kirk Wynd|Mid Wynd|Todd's Wynd|
    Baxter's Close|Candlemaker Row|Bakehouse Close""".replace("\n", "").split("|")
BUILDINGS = """Riverside Point|Albion Works|The Old Co-operative Society Buildings|Victoria and Albert Riverside Residences|
    Kingfisher House|St Catherine's Court|Tower Mill|The Former Central Methodist Mission Hall|Canal Wharf|
    Prospect Place Apartments""".replace("\n", "").split("|")
HOUSE_NAMES = """Rose Cottage|The Old Forge|Hillview|Ty Newydd|Bryn Awel|Ivy House|The Laurels|Orchard End|
    Meadowbank|Glenview|Hawthorn Farm|The Old School House|Brook Cottage|Cae Glas|Ashlea""".replace("\n", "").split("|")
LANES = "Mill Lane|Back Lane|Church Lane|Chapel Road|Moor Lane|Station Road|Green Lane|Lôn y Felin|Burn Road|Sandy Lane".split(
    "|"
)
VILLAGES = [
    ("Little Snoring", "Fakenham", "NR21"),
    ("Ashwell", "Baldock", "SG7"),
    ("Austwick", "Lancaster", "LA2"),
    ("Llanystumdwy", "Criccieth", "LL52"),
    ("Kirkmichael", "Blairgowrie", "PH10"),
    ("Drumbo", "Lisburn", "BT27"),
    ("Great Ayton", "Middlesbrough", "TS9"),
    ("Llangynidr", "Crickhowell", "NP8"),
    ("Gartocharn", "Alexandria", "G83"),
    ("Chipping Campden", "Gloucestershire", "GL55"),
    ("Hawes", "North Yorkshire", "DL8"),
    ("Ballyward", "Castlewellan", "BT31"),
]
FIRST = """Amy Sarah Claire Joanne Lisa Emma Nicola Rebecca Laura Gemma Siân Catrin Eilidh Mhairi Aoife Niamh Rachel
    Kirsty Hannah Megan Bethan Ffion Fiona Shona Orla Ciara Donna Kelly Stacey Louise""".split()
LAST = """Smith Jones Williams Davies Evans Thomas Roberts Hughes Lewis Morgan Campbell MacDonald Stewart Robertson
    Murray O'Neill Kelly Murphy Quinn McLaughlin Wilson Taylor Brown Walker Wright Hall Green Wood Clarke Patel""".split()
MALE = """daz jonno gaz lee dean craig wayne stevie kev rab jamie liam connor ryan mark""".split()
CONSUMER = ["gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "icloud.com", "btinternet.com", "live.co.uk"]
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
