"""UK address, people and organisation data for bench/realistic_corpus.py.

Real town names with postcode areas and districts that belong to them, street names and types
as UK councils write them, flats, house names and numbers with letters. Phone numbers come from
Ofcom's drama ranges (07700 900xxx, 0117 496 0xxx, ...), so none is a real line.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

# town, postcode area, districts, localities, landline prefix (drama range) or "" for mobile only
TOWNS: list[tuple[str, str, list[int], list[str], str]] = [
    (
        "Bristol",
        "BS",
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 16],
        ["Clifton", "Redland", "Bedminster", "Southville", "Easton", "Fishponds", "Henleaze", "Knowle"],
        "0117 496 0",
    ),
    (
        "Leeds",
        "LS",
        [1, 2, 4, 6, 7, 8, 9, 11, 12, 13, 15, 17],
        ["Headingley", "Chapel Allerton", "Armley", "Beeston", "Harehills", "Roundhay"],
        "0113 496 0",
    ),
    (
        "Manchester",
        "M",
        [1, 4, 8, 9, 11, 13, 14, 16, 19, 20, 21, 40],
        ["Chorlton", "Didsbury", "Moss Side", "Levenshulme", "Ancoats", "Withington"],
        "0161 496 0",
    ),
    (
        "Sheffield",
        "S",
        [1, 2, 3, 5, 6, 7, 8, 10, 11, 13],
        ["Hillsborough", "Crookes", "Walkley", "Heeley", "Darnall", "Ecclesall"],
        "0114 496 0",
    ),
    (
        "Nottingham",
        "NG",
        [1, 2, 3, 5, 6, 7, 8, 9, 11],
        ["Sneinton", "Sherwood", "Lenton", "Radford", "Carlton", "Basford"],
        "0115 496 0",
    ),
    (
        "Leicester",
        "LE",
        [1, 2, 3, 4, 5, 7],
        ["Belgrave", "Evington", "Aylestone", "Braunstone", "Humberstone"],
        "0116 496 0",
    ),
    ("Norwich", "NR", [1, 2, 3, 4, 5, 6, 7], ["Thorpe Hamlet", "Eaton", "Lakenham", "Mile Cross", "Earlham"], ""),
    ("Exeter", "EX", [1, 2, 4], ["Heavitree", "St Thomas", "Pennsylvania", "Alphington"], ""),
    (
        "Cardiff",
        "CF",
        [3, 5, 10, 11, 14, 23, 24],
        ["Canton", "Roath", "Splott", "Grangetown", "Llandaff", "Cathays"],
        "029 2018 0",
    ),
    (
        "Birmingham",
        "B",
        [5, 6, 8, 10, 11, 12, 13, 14, 15, 16, 23, 29, 30, 31],
        ["Moseley", "Handsworth", "Erdington", "Selly Oak", "Kings Heath", "Sparkhill"],
        "0121 496 0",
    ),
    (
        "Liverpool",
        "L",
        [4, 6, 7, 8, 9, 11, 13, 15, 17, 18, 19],
        ["Anfield", "Toxteth", "Wavertree", "Walton", "Aigburth", "Everton"],
        "0151 496 0",
    ),
    (
        "Newcastle upon Tyne",
        "NE",
        [1, 2, 3, 4, 5, 6, 15],
        ["Jesmond", "Heaton", "Byker", "Fenham", "Gosforth", "Benwell"],
        "0191 498 0",
    ),
    ("York", "YO", [10, 23, 24, 26, 30, 31], ["Acomb", "Clifton", "Fulford", "Heworth", "Tang Hall"], ""),
    ("Bath", "BA", [1, 2], ["Widcombe", "Larkhall", "Oldfield Park", "Weston"], ""),
    ("Oxford", "OX", [1, 2, 3, 4], ["Cowley", "Headington", "Jericho", "Summertown", "Blackbird Leys"], ""),
    ("Cambridge", "CB", [1, 2, 3, 4, 5], ["Chesterton", "Romsey", "Arbury", "Cherry Hinton", "Trumpington"], ""),
    ("Reading", "RG", [1, 2, 4, 6, 30], ["Caversham", "Tilehurst", "Whitley", "Earley"], ""),
    ("Brighton", "BN", [1, 2], ["Hove", "Kemptown", "Hanover", "Moulsecoomb", "Whitehawk"], ""),
    ("Plymouth", "PL", [1, 2, 3, 4, 5, 6, 7], ["Stonehouse", "Devonport", "Plympton", "Mutley", "Efford"], ""),
    ("Southampton", "SO", [14, 15, 16, 17, 18, 19], ["Shirley", "Portswood", "Bitterne", "Woolston", "Millbrook"], ""),
    ("Derby", "DE", [1, 21, 22, 23, 24], ["Normanton", "Allenton", "Chaddesden", "Littleover", "Alvaston"], ""),
    ("Coventry", "CV", [1, 2, 3, 4, 5, 6], ["Earlsdon", "Foleshill", "Tile Hill", "Stoke Aldermoor", "Radford"], ""),
    ("Hull", "HU", [1, 3, 5, 6, 7, 8, 9], ["Newland", "Bransholme", "Orchard Park", "Hessle Road"], ""),
    ("Swansea", "SA", [1, 2, 5, 6], ["Sketty", "Uplands", "Morriston", "St Thomas", "Townhill"], ""),
    ("Gloucester", "GL", [1, 2, 3, 4], ["Tuffley", "Barton", "Kingsholm", "Hucclecote"], ""),
    ("Lincoln", "LN", [1, 2, 5, 6], ["Bracebridge", "Birchwood", "Ermine", "Boultham"], ""),
    ("Ipswich", "IP", [1, 2, 3, 4], ["Chantry", "Whitton", "Gainsborough", "Rushmere"], ""),
    ("Northampton", "NN", [1, 2, 3, 4, 5], ["Kingsthorpe", "Duston", "Abington", "Far Cotton"], ""),
    ("Preston", "PR", [1, 2, 5], ["Ashton-on-Ribble", "Fulwood", "Ribbleton", "Deepdale"], ""),
    ("Carlisle", "CA", [1, 2, 3], ["Botcherby", "Denton Holme", "Harraby", "Stanwix"], ""),
    ("Hereford", "HR", [1, 2, 4], ["Tupsley", "Whitecross", "Belmont", "Holmer"], ""),
    ("Ledbury", "HR", [8], ["Wellington Heath", "Eastnor"], ""),
    ("Canterbury", "CT", [1, 2], ["Wincheap", "Hales Place", "Thanington", "Sturry"], ""),
    (
        "Edinburgh",
        "EH",
        [3, 4, 6, 7, 8, 9, 10, 11, 12, 16, 17],
        ["Leith", "Gorgie", "Morningside", "Portobello", "Craigmillar"],
        "0131 496 0",
    ),
    (
        "Glasgow",
        "G",
        [3, 11, 12, 13, 20, 21, 31, 32, 40, 41, 42, 51],
        ["Partick", "Govanhill", "Dennistoun", "Shawlands", "Maryhill"],
        "0141 496 0",
    ),
    (
        "Belfast",
        "BT",
        [4, 5, 6, 7, 9, 11, 12, 14, 15],
        ["Ormeau", "Ballyhackamore", "Andersonstown", "Ardoyne", "Sandy Row"],
        "028 9018 0",
    ),
    ("Sunderland", "SR", [1, 2, 3, 4, 5, 6], ["Roker", "Hendon", "Pallion", "Southwick"], ""),
    ("Middlesbrough", "TS", [1, 3, 4, 5], ["Linthorpe", "Acklam", "Berwick Hills", "North Ormesby"], ""),
    ("Doncaster", "DN", [1, 2, 4, 5], ["Balby", "Wheatley", "Bentley", "Intake"], ""),
    ("Wakefield", "WF", [1, 2, 3, 4], ["Eastmoor", "Lupset", "Outwood", "Sandal"], ""),
    ("Bolton", "BL", [1, 2, 3], ["Halliwell", "Daubhill", "Breightmet", "Astley Bridge"], ""),
    ("Stockport", "SK", [1, 2, 3, 4, 5], ["Edgeley", "Heaton Moor", "Reddish", "Cheadle Heath"], ""),
    ("Fakenham", "NR", [21], ["Little Snoring", "Hempton"], ""),
    ("Taunton", "TA", [1, 2], ["Priorswood", "Halcon", "Wilton"], ""),
]
TOWN_BY_NAME = {t[0]: t for t in TOWNS}

STREET_NAMES = [
    "Acacia",
    "Albert",
    "Alexandra",
    "Beech",
    "Belmont",
    "Brook",
    "Cherry",
    "Church",
    "Clarence",
    "Coronation",
    "Devonshire",
    "Elm",
    "Falcon",
    "Gladstone",
    "Grange",
    "Hawthorn",
    "Highfield",
    "Holly",
    "Lancaster",
    "Laurel",
    "Manor",
    "Maple",
    "Marlborough",
    "Meadow",
    "Mill",
    "Newport",
    "Oak",
    "Orchard",
    "Park",
    "Priory",
    "Queens",
    "Railway",
    "Richmond",
    "Rosebery",
    "St John's",
    "St Mary's",
    "Station",
    "Stanley",
    "Sycamore",
    "Trinity",
    "Victoria",
    "Wellington",
    "Westfield",
    "Willow",
    "Windsor",
    "York",
    "Cromwell",
    "Nelson",
    "Salisbury",
    "Kingsley",
    "Ashgrove",
    "Fernbank",
    "Heather",
    "Juniper",
    "Kestrel",
    "Larch",
    "Mulberry",
    "Oakfield",
    "Poplar",
    "Rowan",
    "Sandringham",
    "Thornhill",
    "Upper Belgrave",
    "Vicarage",
    "Waterloo",
    "Woodland",
    "Chapel",
    "Bridge",
    "Castle",
    "Cemetery",
    "Dale",
    "Eastfield",
    "Fairfield",
    "Glebe",
    "Hillside",
    "Jubilee",
    "Kings",
    "Lime",
    "Market",
    "North",
    "Osborne",
    "Pembroke",
    "Raglan",
    "School",
    "Springfield",
    "Tennyson",
    "Union",
    "Whitehall",
    "Wordsworth",
    "Ashley",
    "Bath",
    "Cotham",
    "Derwent",
    "Edgar",
    "Fitzroy",
    "Gordon",
    "Hamilton",
    "Hartington",
    "Inkerman",
    "Lansdowne",
    "Mafeking",
    "Norfolk",
    "Percy",
    "Regent",
    "Shakespeare",
    "Milton",
    "St Peter's",
    "Kensington",
    "Chatsworth",
    "Beaconsfield",
    "Balmoral",
    "Cavendish",
    "Gloucester",
]
STREET_TYPES = (
    ["Road"] * 9
    + ["Street"] * 7
    + ["Avenue"] * 4
    + [
        "Crescent",
        "Crescent",
        "Gardens",
        "Gardens",
        "Terrace",
        "Terrace",
        "Close",
        "Close",
        "Court",
        "Square",
        "Place",
        "Lane",
        "Lane",
        "Drive",
        "Drive",
        "Grove",
        "Grove",
        "Way",
        "Mews",
        "Walk",
        "Rise",
        "Hill",
        "Parade",
        "Row",
        "View",
        "Green",
    ]
)
ABBREV = {
    "Road": "Rd",
    "Street": "St",
    "Avenue": "Ave",
    "Crescent": "Cres",
    "Gardens": "Gdns",
    "Terrace": "Terr",
    "Close": "Cl",
    "Court": "Ct",
    "Square": "Sq",
    "Place": "Pl",
    "Lane": "Ln",
    "Drive": "Dr",
    "Grove": "Gr",
    "Parade": "Pde",
}
BUILDINGS = [
    "Wellington Court",
    "The Maltings",
    "Priory House",
    "Canal Wharf",
    "Victoria Mansions",
    "Albion Court",
    "Kingfisher House",
    "Riverside Point",
    "St Anne's Court",
    "Clarence House",
    "The Old Brewery",
    "Foundry Court",
    "Regency Heights",
    "Harbour View",
    "Oak Tree House",
]
HOUSE_NAMES = [
    "Rose Cottage",
    "The Willows",
    "Ivy Cottage",
    "Orchard House",
    "The Old Rectory",
    "Hillcrest",
    "Brookside",
    "Fair View",
    "Meadowbank",
    "The Laurels",
    "Wren Cottage",
    "Holly Lodge",
    "Stable Cottage",
]

FIRST = [
    "Sarah",
    "Emma",
    "Claire",
    "Rebecca",
    "Laura",
    "Gemma",
    "Amy",
    "Jade",
    "Kirsty",
    "Nicola",
    "Hannah",
    "Charlotte",
    "Leanne",
    "Zoe",
    "Aisha",
    "Fatima",
    "Priya",
    "Shannon",
    "Natalie",
    "Danielle",
    "Joanne",
    "Michelle",
    "Lisa",
    "Karen",
    "Stacey",
    "Chloe",
    "Megan",
    "Bethany",
    "Sophie",
    "Samira",
    "Agnieszka",
    "Ewa",
    "Olivia",
    "Jessica",
    "Lauren",
    "Holly",
    "Kelly",
    "Tracey",
    "Donna",
    "Siobhan",
]
MALE = [
    "David",
    "James",
    "Mark",
    "Paul",
    "Daniel",
    "Lee",
    "Craig",
    "Wayne",
    "Darren",
    "Ryan",
    "Jamie",
    "Liam",
    "Stuart",
    "Gary",
    "Shaun",
    "Dean",
    "Mohammed",
    "Imran",
    "Tomasz",
    "Connor",
    "Kyle",
    "Jason",
    "Neil",
    "Carl",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Ali",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ahmed",
    "Hussain",
    "Nowak",
    "Kowalski",
    "O'Brien",
    "McDonald",
    "Fraser",
    "Reid",
    "Campbell",
    "Stewart",
    "Hughes-Lloyd",
]
CONSUMER = (
    ["gmail.com"] * 8
    + ["hotmail.co.uk"] * 5
    + ["outlook.com"] * 4
    + ["yahoo.co.uk"] * 3
    + ["btinternet.com"] * 3
    + ["icloud.com"] * 2
    + [
        "live.co.uk",
        "sky.com",
        "virginmedia.com",
        "talktalk.net",
        "aol.com",
        "googlemail.com",
        "ntlworld.com",
        "me.com",
        "hotmail.com",
        "yahoo.com",
        "protonmail.com",
    ]
)
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
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


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
    if words and words[-1] in ABBREV:
        words[-1] = ABBREV[words[-1]]
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
