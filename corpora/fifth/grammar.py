"""How people write a home of the register, as a grammar: each wording class renders a Home in
any of its forms (order of parts, abbreviations, separators, number words, postcode letter/digit
confusions, flat and suffix forms, Welsh/English street forms, PO boxes), and each near-miss class
renders something that is NOT that home. Written from the detection issues alone, without reading
the matcher, so that the corpus and the property tests check that it generalises.

Every function takes the Home and a random.Random and returns one line of text (or None when the
class does not apply to that home); the fifth corpus draws from a seeded generator, the property
tests from hypothesis."""

from __future__ import annotations

import random
from collections.abc import Callable

from .. import uk
from .homes import VILLAGE_TOWNS, Home

ABBREV = {t: [t, *a] for t, a in uk.STREET_TYPE_ABBREVS} | {k: [k, v] for k, v in uk.STREET_ABBREV.items()}
ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split()
)
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
# Which way a confusion goes depends on the position: a letter position read as a digit, or back
TO_DIGIT = {"O": "0", "I": "1", "S": "5", "B": "8", "Z": "2"}
TO_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}

Wording = Callable[[Home, random.Random], str | None]


def number_words(n: int) -> str:
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + ("-" + ONES[ones] if ones else "")


def street_form(h: Home, rng: random.Random) -> str:
    """The street with its type in full or abbreviated, in any case the writer likes."""
    words = h.street.split()
    forms = ABBREV.get(words[-1], [words[-1]])
    s = " ".join([*words[:-1], rng.choice(forms)])
    return rng.choice([s, s, s.upper(), s.lower()])


def pc_form(h: Home, rng: random.Random) -> str:
    pc = h.postcode
    return rng.choice([pc, pc, pc.replace(" ", ""), pc.lower(), pc.replace(" ", "  ")])


def sep(rng: random.Random) -> str:
    return rng.choice([", ", ", ", " ", "\n", " - ", "; "])


def join(rng: random.Random, parts: list[str]) -> str:
    s = sep(rng)
    return s.join(p for p in parts if p)


def first_line(h: Home, rng: random.Random, number: str | None = None) -> str:
    num = h.number if number is None else number
    return f"{num} {street_form(h, rng)}".strip()


def flat_prefix(h: Home, rng: random.Random) -> str:
    return f"{rng.choice(['Flat', 'Flat', 'flat', 'Apartment', 'Apt', 'Apt.'])} {h.flat}" if h.flat else ""


def lines(h: Home, rng: random.Random, number: str | None = None) -> list[str]:
    """The home's parts in the register's order (locality kept when the row has one)."""
    if h.po_box:
        return [f"PO Box {h.po_box}", h.town, pc_form(h, rng)]
    return [flat_prefix(h, rng), h.building, first_line(h, rng, number), h.locality, h.town, pc_form(h, rng)]


# --- wordings that must be held -----------------------------------------------------------------------
def w_canonical(h: Home, rng: random.Random) -> str | None:
    """The register's parts in its order (PO boxes have a class of their own)."""
    return None if h.po_box else join(rng, lines(h, rng))


def w_any_order(h: Home, rng: random.Random) -> str | None:
    """Postcode first, town before the street, or the number after the street."""
    if h.po_box:
        return None
    pc, town = pc_form(h, rng), h.town
    fl = join(rng, [flat_prefix(h, rng), h.building])
    choice = rng.randrange(3)
    if choice == 0:
        return join(rng, [pc, fl, first_line(h, rng), h.locality, town])
    if choice == 1:
        return join(rng, [town, h.locality, fl, first_line(h, rng), pc])
    return join(rng, [fl, f"{street_form(h, rng)} {h.number}", h.locality, town, pc])


def w_number_words(h: Home, rng: random.Random) -> str | None:
    if not h.number or h.suffix or int(h.number) > 99:
        return None
    word = number_words(int(h.number))
    word = rng.choice([word.capitalize(), word, word.title()])
    return join(rng, [flat_prefix(h, rng), h.building, f"{word} {street_form(h, rng)}", h.locality, h.town, h.postcode])


def confused_postcode(pc: str, rng: random.Random) -> str | None:
    """One letter/digit confusion where the postcode's structure says which it must be: the
    inward code is digit-letter-letter; the outward code is letters then digits (and maybe a letter)."""
    out, inward = pc.split()
    spots = []
    for i, ch in enumerate(out):
        if (ch.isalpha() and ch in TO_DIGIT) or (ch.isdigit() and ch in TO_LETTER and i > 0):
            spots.append(("out", i))
    if inward[0] in TO_LETTER:
        spots.append(("in", 0))
    spots += [("in", i) for i in (1, 2) if inward[i] in TO_DIGIT]
    if not spots:
        return None
    part, i = rng.choice(spots)
    s = list(out if part == "out" else inward)
    s[i] = TO_DIGIT.get(s[i]) or TO_LETTER[s[i]]
    if part == "out":
        return f"{''.join(s)} {inward}"
    return f"{out} {''.join(s)}"


def w_postcode_confusion(h: Home, rng: random.Random) -> str | None:
    bad = confused_postcode(h.postcode, rng)
    if bad is None or h.po_box:
        return None
    return join(rng, [flat_prefix(h, rng), h.building, first_line(h, rng), h.locality, h.town, bad])


def w_flat_forms(h: Home, rng: random.Random) -> str | None:
    """Flat after the street, Scottish 0/2 and 0-2, 2F1, `Flat 2, 14` and `14/2`."""
    if not h.flat or h.building:
        return None
    st, tail = street_form(h, rng), join(rng, [h.town, h.postcode])
    forms = [f"{h.number} {st}, Flat {h.flat}, {tail}", f"Flat {h.flat}, {h.number} {st}, {tail}"]
    if "/" in h.flat:
        forms += [f"{h.flat.replace('/', '-')} {h.number} {st}, {tail}", f"{h.number} {st}, {h.flat}, {tail}"]
    elif "F" in h.flat:
        forms += [f"{h.number} ({h.flat}) {st}, {tail}", f"{h.flat}, {h.number} {st}, {tail}"]
    else:
        forms += [f"{h.number}/{h.flat} {st}, {tail}", f"Flat {h.flat}, {h.number}, {st}, {tail}"]
    return rng.choice(forms)


def w_suffix_forms(h: Home, rng: random.Random) -> str | None:
    if not h.suffix:
        return None
    n, x = h.base_number, h.suffix
    num = rng.choice([f"{n} {x}", f"{n}-{x}", f"{n} ({x})", f"{n}{x.lower()}"])
    return join(rng, [first_line(h, rng, num), h.town, h.postcode])


def w_street_postcode(h: Home, rng: random.Random) -> str | None:
    """The street and the full postcode with no house number: a handful of doors."""
    if h.po_box or h.flat:
        return None
    return join(rng, [street_form(h, rng), h.locality, h.town, h.postcode])


def w_welsh_english(h: Home, rng: random.Random) -> str | None:
    if not h.english:
        return None
    return join(rng, [f"{h.number} {h.english}", h.town, h.postcode])


def w_po_box(h: Home, rng: random.Random) -> str | None:
    if not h.po_box:
        return None
    box = rng.choice([f"P.O. Box {h.po_box}", f"PO Box {h.po_box}", f"Box {h.po_box}", f"POBox {h.po_box}"])
    return join(rng, [box, rng.choice([h.town, ""]), pc_form(h, rng)])


def w_flat_no_number(h: Home, rng: random.Random) -> str | None:
    """Flat, building, street and postcode agree; the building's street number is left out."""
    if not h.building:
        return None
    return join(rng, [flat_prefix(h, rng), h.building, street_form(h, rng), h.town, pc_form(h, rng)])


WORDINGS: dict[str, Wording] = {
    "canonical": w_canonical,
    "any_order": w_any_order,
    "number_words": w_number_words,
    "postcode_confusion": w_postcode_confusion,
    "flat_forms": w_flat_forms,
    "suffix_forms": w_suffix_forms,
    "street_postcode": w_street_postcode,
    "welsh_english": w_welsh_english,
    "po_box": w_po_box,
    "flat_no_number": w_flat_no_number,
}


# --- near misses that must NOT be held ----------------------------------------------------------------
def other_inward(pc: str, rng: random.Random) -> str:
    """A postcode in the same district that differs in every inward character (beyond any typo)."""
    out, inward = pc.split()
    d = str((int(inward[0]) + rng.randint(2, 7)) % 10)
    letters = [c for c in uk.INWARD_LETTERS if c not in inward]
    return f"{out} {d}{rng.choice(letters)}{rng.choice(letters)}"


def n_neighbour(h: Home, rng: random.Random) -> str | None:
    if not h.number or h.flat:
        return None
    other = str(int(h.base_number) + rng.choice([2, 4, -2]) if int(h.base_number) > 4 else int(h.base_number) + 2)
    return join(rng, [first_line(h, rng, other), h.locality, h.town, h.postcode])


def n_other_postcode(h: Home, rng: random.Random) -> str | None:
    """Same number and street, same post town, another full postcode."""
    if not h.number or h.flat:
        return None
    return join(rng, [first_line(h, rng), h.town, other_inward(h.postcode, rng)])


def n_other_village(h: Home, rng: random.Random) -> str | None:
    """Same number and street, another village of the same post town, with its own postcode."""
    if not h.locality:
        return None
    villages = next(v for t, _, _, v in VILLAGE_TOWNS if t == h.town)
    village = rng.choice([v for v in villages if v != h.locality])
    return join(rng, [first_line(h, rng), village, h.town, other_inward(h.postcode, rng)])


def n_other_flat(h: Home, rng: random.Random) -> str | None:
    if not h.flat or not h.flat.isdigit():
        return None
    other = str(int(h.flat) + rng.choice([1, 2, 3]))
    return join(rng, [f"Flat {other}", h.building, first_line(h, rng), h.town, h.postcode])


def n_suffix(h: Home, rng: random.Random) -> str | None:
    """14 for a 14A row, or 14B for a 14 row: another door."""
    if h.flat or not h.number:
        return None
    num = h.base_number if h.suffix else h.number + rng.choice("BC")
    return join(rng, [first_line(h, rng, num), h.town, h.postcode])


def n_street_other_postcode(h: Home, rng: random.Random) -> str | None:
    if h.po_box or h.flat or not h.street:
        return None
    return join(rng, [street_form(h, rng), h.town, other_inward(h.postcode, rng)])


NEAR_MISSES: dict[str, Wording] = {
    "neighbour_number": n_neighbour,
    "other_postcode_same_town": n_other_postcode,
    "other_village_same_town": n_other_village,
    "other_flat": n_other_flat,
    "suffix_differs": n_suffix,
    "street_other_postcode": n_street_other_postcode,
}


# --- recipients that reach the flagged mailbox ---------------------------------------------------------
def aliases(address: str, rng: random.Random) -> dict[str, str]:
    """Alias class -> an address its provider still delivers to the flagged entry `address`."""
    if address.startswith("@"):
        dom = address[1:]
        box, sub = rng.choice(["office", "accounts", "dispatch"]), rng.choice(["mail", "uk", "yard"])
        return {"subdomain": f"{box}@{sub}.{dom}"}
    local, _, dom = address.partition("@")
    tag = rng.choice(["court", "kids", "x", "info"])
    if dom == "gmail.com":
        dots = local.replace(".", "") if "." in local else f"{local[0]}.{local[1:]}"
        return {
            "plus_tag": f"{local}+{tag}@{dom}",
            "googlemail": f"{local}@googlemail.com",
            "gmail_dots": f"{dots}@{dom}",
            "case": f"{local.upper()}@Gmail.com",
        }
    if dom in ("outlook.com", "hotmail.co.uk", "icloud.com"):
        return {"plus_tag": f"{local}+{tag}@{dom}", "case": f"{local.title()}@{dom.upper()}"}
    return {"case": f"{local.upper()}@{dom}"}
