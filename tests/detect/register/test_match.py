"""Which writings of a protected address are mentions, and which near misses are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailguard.detect.register import Register
from mailguard.message.model import Segment, SegmentKind

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def register() -> Register:
    reg, errors = Register.from_csv(HERE / "register.csv")
    assert errors == []
    return reg


def ids(register: Register, *segments: Segment) -> set[str]:
    return {m.register_id for m in register.find_mentions(list(segments))}


def body(text: str) -> Segment:
    return Segment(text, "body")


POSITIVE = [
    # (text, register id)
    ("She lives at 14 Acacia Avenue, Bristol BS1 4AB.", "R1"),
    ("14 acacia avenue, bristol, bs1 4ab", "R1"),
    ("14 ACACIA AVENUE BRISTOL BS1 4AB", "R1"),
    ("14 Acacia Avenue\nBristol\nBS1 4AB", "R1"),
    ("14 Acacia Avenue Bristol BS14AB", "R1"),
    ("14 Acacia Ave, Bristol", "R1"),
    ("14 Acacia Av., Bristol", "R1"),
    ("14  Acacia   Avenue ,  Bristol", "R1"),
    ("BS1 4AB, 14 Acacia Avenue", "R1"),
    ("Postcode bs1 4ab - 14 Acacia Avenue", "R1"),
    ("14, BS1 4AB", "R1"),
    ("No. 14, postcode BS1 4AB", "R1"),
    ("house number 14 (BS1 4AB)", "R1"),
    ("14 Acacia Avenue", "R1"),  # no town given: nothing says it is elsewhere (fail closed)
    ("14 Acaica Avenue, Bristol", "R1"),  # typo
    ("14 Acacia Avenue, Bristl, BS1 4AB", "R1"),
    ("l4 Acacia Avenue, Bristol", "R1"),  # OCR 1/l
    ("14 Acacia Avenue, Bristo1 B51 4AB", "R1"),  # OCR 1/l, 5/S
    ("14 Acacia Avenue, Bristol BSl 4A8", "R1"),  # OCR in the postcode
    ("14 Acacia Avenue, Bristol, BS1 4AG", "R1"),  # mistyped postcode, same district and town
    ("Call 07700 900123 after six", "R1"),
    ("call +44 7700-900123", "R1"),
    ("(07700) 900 123", "R1"),
    ("write to Alice.Protected@Example.net please", "R1"),
    ("Flat 2, 14 High Street, Bristol", "R2"),
    ("Flat 2, 14 High St, Bristol BS2 8QT", "R2"),
    ("2/14 High Street, Bristol", "R2"),
    ("Apartment 2, 14 High Street", "R2"),
    ("Apt 2 14 High St", "R2"),
    ("14 High Street, Bristol BS2 8QT", "R2"),  # the building, flat not written
    ("Tel: +44 (0)117 496 0123", "R2"),
    ("0117-496-0123", "R2"),
    ("Flat 12, 30C Cherry Lane, Leicester", "R3"),
    ("30c Cherry Ln, Leicester LE25 6JA", "R3"),
    ("30 C Cherry Lane, Leicester", "R3"),
    ("Flat 12 | 30C | Cherry Lane | Leicester | LE25 6JA", "R3"),
    ("30C, LE25 6JA", "R3"),
    ("7 St Johns Road, Clifton, Bristol", "R4"),
    ("7 St. John's Rd, Bristol BS8 2HG", "R4"),
    ("7 Saint Johns Road, Bristol", "R4"),
    ("7 ST JOHNS RD CLIFTON", "R4"),
    ("221 Baker St, London NW1 6XE", "R5"),
    ("221 Baker Street, London", "R5"),
    ("221 Baker Street, London, nw16xe", "R5"),
    ("Rose Cottage, Mill Lane, Wells BA5 1AA", "R6"),
    ("88 Station Road, Newcastle upon Tyne", "R7"),
    ("88 Station Rd, Newcastle NE1 5DL", "R7"),
    ("88 Station Raod, Newcastle-upon-Tyne", "R7"),
    ("5 Moorland Cres, Leeds LS6 3JX", "R8"),
    ("5 Moor1and Crescent, Leeds", "R8"),
    ("5 Moorland Crescent, LS6 3JX", "R8"),
    ("5 Moorland Crescent, Leeds LS8 3JX", "R8"),  # one district digit mistyped, all else the row's
    ("5 Moorland Crescent, Leeds LE6 3JX", "R8"),
    ("１４ Acacia Avenue, Bristol", "R1"),  # full-width digits
    ("14\u00a0Acacia Avenue, Bristol", "R1"),  # no-break space
    ("14 Aca\u200bcia Avenue, Bristol", "R1"),  # zero-width space hidden in the word
    ("14 | Acacia Avenue | Bristol", "R1"),  # table cells
    # red-team blind spots (tests/redteam/test_blind_spots.py), M1-M8
    ("Her new number is 01174960123.", "R2"),  # unbroken digits
    ("Her new number is +441174960123.", "R2"),
    ("tel:+441174960123", "R2"),
    ("+44(0)1174960123", "R2"),
    ("+44-117-496-0123", "R2"),
    ("0 1 1 7 4 9 6 0 1 2 3", "R2"),  # digit by digit
    ("07700900123", "R1"),
    ("66-A Redcliffe Square, Bolton BL2 9WE", "R9"),  # suffix after a hyphen
    ("66–A Redcliffe Sq, Bolton", "R9"),  # ... an en dash
    ("66 A Redcliffe Square, Bolton", "R9"),
    ("168 Iyv Walk, Bath BA1 7GS", "R10"),  # short name mistyped, exact postcode
    ("168 Iyv Walk, BA1 7GS", "R10"),
    ("ll Maple Court, Wakefield", "R11"),  # OCR 11 with no real digit
    ("II MAPLE COURT, WAKEFIELD", "R11"),
    ("ll Maple Ct", "R11"),
    ("ann.example [at] outlook [dot] com", "R13"),  # obfuscated email
    ("ann.example(at)outlook(dot)com", "R13"),
    ("Email: ANN [dot] EXAMPLE [at] OUTLOOK [dot] COM.", "R13"),
    ("Flat 2, 30 Rowan Rd LS6 2QT", "R12"),
    ("30 Rowan Road (flat 2), Leeds LS6 2QT", "R12"),
    ("2/30 Rowan Road, LS6 2QT", "R12"),
    ("30 Rowan Road, Leeds LS6 2QT", "R12"),  # the building, flat not written
    ("187 Sycamore Park, York", "R13"),
    # other generators' wordings
    ("14, Acacia Avenue, Bristol", "R1"),
    ("No.14 Acacia Ave, Bristol", "R1"),
    ("Number 14, Acacia Avenue", "R1"),
    ("#14 Acacia Avenue", "R1"),
    ("14 Acacia Avenue,Bristol,BS1 4AB", "R1"),
    ("14 Acacia Ave., Bristol", "R1"),
    ("14 Acacia-Avenue, Bristol", "R1"),
    ("14 Acacia Aveneu, Bristol", "R1"),
    ("Acacia Avenue 14", "R1"),  # street first, then the number
    ("Acacia Avenue 14, Bristol BS1 4AB", "R1"),
    ("Acacia Ave. 14", "R1"),
    ("St Johns Road 7, Bristol", "R4"),
    ("Rowan Road 30, flat 2, Leeds", "R12"),
    ("14 Acacia Avenue, Bristol, Avon BS1 4AB", "R1"),  # county
    ("14 Acacia Ave, Bristol, Avon, BS1 4AB, United Kingdom", "R1"),
    ("14 Acacia Avenue, Bristol BS1 4AB.", "R1"),  # trailing punctuation
    ("14 Acacia Avenue, Bristol (BS1 4AB)", "R1"),
    ("14 Acacia Avenue – Bristol – BS1 4AB", "R1"),  # en dashes
    ("14 Acacia Avenue Bristol", "R1"),
    ("BS14AB 14 Acacia Avenue", "R1"),
    ("14 acacia avenue bristol bs14ab", "R1"),
    ("14 Acacia, Bristol BS1 4AB", "R1"),  # street type left out: number + postcode
    ("14/2 High Street, Bristol", "R2"),  # Scottish: number 14, flat 2
    ("2nd floor flat, 14 High Street, Bristol", "R2"),  # flat not numbered: the building
    ("10 Heol y Felin, Cardiff", "R14"),  # Welsh: the street word first
    ("10 Heol-y-Felin, Cardiff CF14 1AA", "R14"),
    ("3 Kirk Wynd, Kirkcaldy", "R15"),
    ("Ivy Cottage, Church Lane, Ashby LE65 1AB", "R16"),  # house name and postcode
    ("Ivy Cottage, LE65 1AB", "R16"),
    ("14-16 Acacia Avenue, Bristol", "R1"),  # a range names its two ends
    ("12-14 Acacia Avenue, Bristol", "R1"),
    ("12–14 Acacia Avenue", "R1"),
    ("14 Acacia Avenue, Keynsham", "R1"),  # a place we cannot tell is another town: fail closed
    ("Apt. 187 Sycamore Park", "R13"),  # flat 187 of a block, or house 187: fail closed
    ("Now at 14 Асасiа Avenue, Bristol", "R1"),  # Cyrillic look-alikes
    ("14 Αcacia Avenue, Bristol", "R1"),  # a Greek capital alpha
    ("the flat at 14 High Street, Bristol", "R2"),  # "at" is no flat number: the building counts
    ("Flat 28, Riverside Court, 29 Fernbank Row, York", "R17"),
    ("Riverside Court, 29 Fernbank Row, York YO24 8SU", "R17"),  # the building, no flat written
    ("Flat 28, Riverside Court, 29, YO24 8SU", "R17"),
    ("Case 4471/14 Acacia Avenue, Bristol", "R1"),  # a folder path: the case number is no flat
    ("Flat 2 - 30 Rowan Road - Leeds - LS6 2QT", "R12"),  # list separators between the parts
    ("Flat 2; 30 Rowan Road; Leeds", "R12"),
]

NEGATIVE = [
    "12 Acacia Avenue, Bristol, BS1 4AB",  # neighbour, same street and postcode
    "16 Acacia Avenue, Bristol",
    "140 Acacia Avenue, Bristol",
    "14 Acacia Avenue, Leeds",  # same street, another town
    "14 Acacia Avenue, Leeds LS1 1AA",
    "14 Acacia Avenue, LS1 1AA",  # another postcode
    "14 Acacia Road, Bristol",  # another street type
    "14 Acacia Close",
    "Acacia Avenue, Bristol BS1 4AX",  # street and another postcode, no number
    "We met on Acacia Avenue in Bristol",
    "BS1 district",
    "Order 14 was sent to Acacia Avenue",
    "Order 14, Acacia Avenue, Bristol",
    "Order No. 14 Acacia Avenue",
    "14 May 2024, BS1 4AB",
    "Flat 14, 12 Acacia Avenue, BS1 4AB",  # 14 is a flat there
    "Flat 3, 14 High Street, Bristol",  # another flat in R2's building
    "3/14 High Street, Bristol",
    "Flat 12, 31C Cherry Lane, Leicester",
    "Flat 11, 30C Cherry Lane, Leicester",
    "30 Cherry Lane, Leicester",  # 30 is not 30C
    "7 Johns Road, Bristol",
    "221 Baker Street, Manchester",
    "88 Station Road, Sunderland",
    "5 Moorland Crescent, Leeds LS16 3JX",  # postcode of another district
    "5 Moorland Crescent, Leeds LS8 3JY",  # two characters off: another postcode
    "5 Moorland Crescent, LS8 3JX",  # a slip with no town to confirm it
    "15 Moorland Crescent, Leeds",
    "Call 07700 900124",
    "Our reference 0117 496 0124",
    "alice.protected@example.com",
    "The 14 Acacia Avenue residents association",
    "Bristol",
    # red-team near misses (M6, M7) and their kin
    "Flat 5, 30 Rowan Rd LS6 2QT",  # another flat of R12's building, postcode path
    "Flat 5, 30 Rowan Road, Leeds LS6 2QT",
    "30 Rowan Road (flat 5), Leeds LS6 2QT",  # the flat written after
    "30 Rowan Road, flat 5, LS6 2QT",
    "Flat 5 - 30 Rowan Road - Leeds - LS6 2QT",  # a flat, then the house number: no range 5-30
    "Tenancy - Flat 5 - 30 Rowan Rd - Leeds.pdf",
    "Flat 5; 30 Rowan Road; Leeds",
    "5/30 Rowan Road, LS6 2QT",
    "Flat 5, 30, LS6 2QT",
    "Chapter 187 Sycamore Park, York",  # "ch-apt-er" is no flat word
    "chapter 187 Sycamore Park history. York.",
    "Room 187, Sycamore Park Community Centre, York",
    "66 Redcliffe Square, Bolton",  # 66 is not 66A
    "168 Iyv Walk, Bath",  # a mistyped short name needs the exact postcode
    "168 Elm Walk, Bath BA1 7GS",  # another street at the postcode
    "ill Maple Court, Wakefield",  # 111
    "This is Maple Court, Wakefield",
    "lo Maple Court, Wakefield",  # 10
    "011749601234567",  # a longer digit run that contains the phone
    "ann [at] outlook [dot] com",
    "ann dot example at outlook dot com",  # bare words: not read (documented)
    "+44 117 496 0124",
    # other generators' near misses
    "10-16 Acacia Avenue, Bristol",  # 14 inside a range is not written
    "Acacia Avenue 12, Bristol",
    "Flat 5, Rowan Road 30, Leeds",
    "Rowan Road 30 (flat 5)",
    "Acacia Avenue 14, Leeds",
    "Acacia Avenue 14 May",
    "we walked down Acacia Avenue 14 times",
    "Order Acacia Avenue 14",
    "ticket #14 Acacia Avenue",
    "14 Acacia Avenue, Bath BS1 4XY",  # same district, but another town named
    "14 Acacia Avenue, Bath",
    "On 14 March Acacia Avenue was closed",
    "Case 14 Acacia Avenue",
    "Case no. 14, Acacia Avenue, Bristol",
    "case number 14 Acacia Avenue",
    "Invoice no 14 Acacia Avenue",
    "Meeting room 14 Acacia Avenue",
    "14/3 High Street, Bristol",  # Scottish: flat 3 of number 14
    "Ivy Cottage, LE65 1AC",
    "10 Heol y Felin, Swansea",
    # realistic corpus: a building's name between the flat and the number; wide spreadsheet rows
    "Flat 31, Riverside Court, 29 Fernbank Row, Acomb, York",
    "Flat 31, Riverside Court, 29 Fernbank Row, York YO24 8SU",
    "Flat 31, Riverside Court, 29, YO24 8SU",
    "Apartment 3, The Old Brewery, 30 Rowan Road, Leeds",
]
# A full postcode with no other home's number or flat beside it is a mention of its own kind
# (issue 21, docs/detection.md): these name nothing more than the postcode.
POSTCODE_ONLY = [
    "BS1 4AB",
    "ref 14, BS1 4AB",  # a reference, not a door
    "Case CM-14-AB, Bristol BS1 4AB",
    "Leicester LE25 6JA",
    "Reception: Area Office, Leeds LS6 2QT | Opening hours | 30",  # another cell's number after a word
]
NEGATIVE_ALLOWED = {"The 14 Acacia Avenue residents association"}  # number + street, no other place: held


@pytest.mark.parametrize(("text", "rid"), POSITIVE)
def test_positive_variant(register: Register, text: str, rid: str) -> None:
    assert rid in ids(register, body(text))


@pytest.mark.parametrize("text", [t for t in NEGATIVE if t not in NEGATIVE_ALLOWED])
def test_near_miss_is_not_a_mention(register: Register, text: str) -> None:
    assert ids(register, body(text)) == set()


def test_address_over_consecutive_table_rows(register: Register) -> None:
    rows = [
        Segment("Address | 14 Acacia Avenue", 'attachment "a.docx" › table 1, row 1', SegmentKind.ROW),
        Segment(" | Bristol", 'attachment "a.docx" › table 1, row 2', SegmentKind.ROW),
        Segment("Postcode | BS1 4AB", 'attachment "a.docx" › table 1, row 3', SegmentKind.ROW),
    ]
    (m,) = register.find_mentions(rows)
    assert (m.register_id, m.kind, m.segment_index, m.score) == ("R1", "address", 0, 1.0)
    assert m.matched == "14 Acacia Avenue"


def test_number_and_postcode_in_label_rows(register: Register) -> None:
    rows = [
        Segment("House number | 14", "sheet 1, row 1", SegmentKind.ROW),
        Segment("Postcode | bs1 4ab", "sheet 1, row 2", SegmentKind.ROW),
    ]
    assert ids(register, *rows) == {"R1"}


def test_rows_of_a_neighbour_list_do_not_mix(register: Register) -> None:
    rows = [
        Segment("12 | Acacia Avenue | Bristol | BS1 4AB", "sheet 1, row 1", SegmentKind.ROW),
        Segment("14 | Acacia Avenue | Leeds | LS1 1AA", "sheet 1, row 2", SegmentKind.ROW),
        Segment("16 | Acacia Avenue | Bristol | BS1 4AB", "sheet 1, row 3", SegmentKind.ROW),
    ]
    assert ids(register, *rows) == set()


@pytest.mark.parametrize("text", POSTCODE_ONLY)
def test_a_postcode_alone_is_a_postcode_mention_and_nothing_more(register: Register, text: str) -> None:
    found = register.find_mentions([body(text)])
    assert found and {m.kind for m in found} == {"postcode"}


def test_segments_of_different_parts_are_not_joined(register: Register) -> None:
    found = register.find_mentions([Segment("14", 'attachment "a.pdf"'), Segment("BS1 4AB", 'attachment "b.pdf"')])
    assert {m.kind for m in found} == {"postcode"}  # the postcode alone; 14 is not its house number


def test_span_points_at_the_original_text(register: Register) -> None:
    original = "Dear X,\n\nthe family moved to FLAT 2,  14 HIGH ST\u200b, BRISTOL.\nRegards"
    segments = [Segment("Subject line", "subject", SegmentKind.FIELD), Segment(original, "body")]
    (m,) = register.find_mentions(segments)
    assert m.segment_index == 1
    assert original[m.start : m.end] == m.matched
    assert m.matched.startswith("FLAT 2") and m.matched.endswith("BRISTOL")


def test_every_mention_kind(register: Register) -> None:
    text = "14 Acacia Avenue, Bristol. 30C, LE25 6JA. Tel 07700 900123. alice.protected@example.net"
    kinds = {(m.register_id, m.kind) for m in register.find_mentions([body(text)])}
    assert kinds == {("R1", "address"), ("R3", "postcode_number"), ("R1", "phone"), ("R1", "email")}


def test_text_without_triggers_finds_nothing(register: Register) -> None:
    assert register.find_mentions([body("Lorem ipsum dolor sit amet. " * 2000)]) == []
    assert register.find_mentions([]) == []
    assert register.find_mentions([body("")]) == []


def test_other_cells_of_a_wide_row_are_not_house_numbers(register: Register) -> None:
    # a housing-stock sheet: bedrooms and rent sit in cells after the postcode, and the row
    # before ends in numbers; neither is R1's house number 14
    rows = [
        Segment("100231 | 9 Elm Road | Bristol | BS1 4AB | Bungalow | 14 | 137.25", "sheet 1, row 1", SegmentKind.ROW),
        Segment("100232 | 2 Oak Road | Leeds | LS1 1AA | Flat | 2 | 14", "sheet 1, row 2", SegmentKind.ROW),
        Segment("100233 | 16 Acacia Avenue | Bristol | BS1 4AB | House | 3 | 99.10", "sheet 1, row 3", SegmentKind.ROW),
        Segment("100234 | 8 Acacia Avenue | Bristol | BS1 4AB | House | 14", "sheet 1, row 4", SegmentKind.ROW),
    ]
    assert ids(register, *rows) == set()


def test_house_number_cell_beside_the_postcode_cell(register: Register) -> None:
    assert ids(register, Segment("BS1 4AB | 14 | Bristol", "sheet 1, row 1", SegmentKind.ROW)) == {"R1"}
    assert ids(register, Segment("postcode BS1 4AB, house number 14", "body")) == {"R1"}


# --- Scottish tenements, Welsh accents, named rural houses (found by `python -m corpora thirdeye`) ----
@pytest.fixture(scope="module")
def regional() -> Register:
    reg, errors = Register.from_csv(HERE / "register_regional.csv")
    assert errors == []
    return reg


@pytest.mark.parametrize(
    ("address", "flat", "number", "street"),
    [
        ("Flat 2/1, 45 Gibson Street, Glasgow", "2/1", "45", ("gibson", "street")),
        ("2/1, 45 Gibson Street, Glasgow", "2/1", "45", ("gibson", "street")),
        ("0/2 17 Kelvinhaugh Street, Glasgow", "0/2", "17", ("kelvinhaugh", "street")),
        ("Flat 0 / 1, 43 Bruntsfield Road", "0/1", "43", ("bruntsfield", "road")),
        ("2/14 Acacia Avenue, Leeds", "2", "14", ("acacia", "avenue")),  # flat 2 of number 14
        ("12 Lôn Las, Bangor", "", "12", ("lon", "las")),
        ("9 Heol Tŷ Gwyn, Cardiff", "", "9", ("heol", "ty", "gwyn")),
    ],
)
def test_register_address_parsing(address: str, flat: str, number: str, street: tuple[str, ...]) -> None:
    from mailguard.detect.register.ukforms import parse_address

    parsed = parse_address(address)
    assert parsed is not None and (parsed.flat, parsed.number, parsed.street) == (flat, number, street)


REGIONAL_POSITIVE = [
    ("Flat 2/1, 45 Gibson Street, Glasgow G12 8NX", "G1"),
    ("2/1 45 Gibson Street, Glasgow", "G1"),
    ("45 Gibson Street (Flat 2/1), Glasgow", "G1"),
    ("45 Gibson St, Glasgow", "G1"),  # the close, no flat written: counts
    ("Flat 0/2, 17 Kelvinhaugh Street, Glasgow", "G2"),
    ("Flat 7, Victoria and Albert Riverside Residences, 51 Comely Drive, Glasgow", "G3"),
    ("12 Lon Las, Bangor", "W1"),  # accent left off
    ("12 Lôn Las, Bangor", "W1"),
    ("9 Ffordd Glyndŵr, Wrexham", "W3"),  # accent added
    ("Orchard End, Back Lane, Hawes, North Yorkshire", "H1"),  # named house, no postcode
    ("Orchard End\nBack Lane\nHawes", "H1"),
    ("ORCHARD END BACK LANE HAWES DL8 6ZL", "H1"),
    ("Orchard End, Back Lane, Hawes, North Yorkshire, DL8 6WL", "H1"),  # postcode slip
    ("Ty Newydd, Lon y Felin, Llanystumdwy, Criccieth", "W2"),
    ("Flat 1F2, 12 Marchmont Road, Edinburgh", "E1"),
]
REGIONAL_NEGATIVE = [
    "Flat 2/2, 45 Gibson Street, Glasgow G12 8NX",  # the other door on the landing
    "Flat 1/1, 45 Gibson Street, Glasgow",
    "2/2 45 Gibson Street, Glasgow",
    "Flat 0/1, 17 Kelvinhaugh Street, Glasgow G3 8PL",
    "Flat 8, Victoria and Albert Riverside Residences, 51 Comely Drive, Glasgow G12 9ZA",
    "Flat 2F2, 12 Marchmont Road, Edinburgh EH9 1HD",
    "12 Lon Las, Swansea",
    "Orchard End, Back Lane, Austwick, Lancaster",  # same name and lane, another village
    "Orchard End, Back Lane",  # a name and a lane alone: thousands of houses
    "Orchard End, Back Lane, Bentham LA2 7AA",  # another district
    "Back Lane, Hawes",  # the lane, no house
]


@pytest.mark.parametrize(("text", "rid"), REGIONAL_POSITIVE)
def test_regional_positive(regional: Register, text: str, rid: str) -> None:
    assert rid in ids(regional, body(text))


@pytest.mark.parametrize("text", REGIONAL_NEGATIVE)
def test_regional_near_miss(regional: Register, text: str) -> None:
    assert ids(regional, body(text)) == set()
