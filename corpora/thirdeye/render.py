"""Ways people write a register address (positives) and addresses that only look like it (near misses)."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable

from corpora.uk import STREET_ABBREV

from .register import PC_INWARD_LETTERS, TOWNS, VILLAGES, Row

ABBREV = {
    **STREET_ABBREV,
    "Walk": "Wlk",
    "Mews": "Mews",
    "Row": "Row",
    "Way": "Way",
    "Rise": "Rise",
}
SWAP_TYPE = {
    "Road": "Avenue",
    "Avenue": "Road",
    "Street": "Road",
    "Crescent": "Close",
    "Gardens": "Grove",
    "Terrace": "Street",
    "Court": "Close",
    "Close": "Court",
    "Drive": "Road",
    "Grove": "Gardens",
    "Lane": "Road",
    "Place": "Street",
    "Way": "Road",
    "Row": "Street",
    "Mews": "Road",
    "Walk": "Way",
    "Rise": "Road",
    "Square": "Street",
    "Parade": "Road",
}


def unaccent(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def head(row: Row) -> list[str]:
    """Flat / building / house name lines before the street line."""
    out = [f"Flat {row.flat}"] if row.flat else []
    return out + [p for p in (row.building, row.house_name) if p]


def street_line(row: Row, street: str | None = None) -> str:
    return f"{row.number} {street or row.street}".strip()


def tail(row: Row) -> list[str]:
    return [p for p in (row.locality, row.town) if p]


def lines(row: Row, *, street: str | None = None, pc: str | None = None) -> list[str]:
    return [*head(row), street_line(row, street), *tail(row), pc or row.postcode]


def abbreviate(street: str, dot: bool) -> str:
    words = street.split()
    if words[-1] in ABBREV and ABBREV[words[-1]] != words[-1]:
        words[-1] = ABBREV[words[-1]] + ("." if dot else "")
    return " ".join(words)


def typo_postcode(rng: random.Random, pc: str) -> str:
    """One wrong character in the inward code (a slip, same district)."""
    out, inw = pc.split()
    k = rng.randrange(3)
    if k == 0:
        new = str((int(inw[0]) % 9) + 1)
    else:
        new = rng.choice([c for c in PC_INWARD_LETTERS if c != inw[k]])
    return f"{out} {inw[:k]}{new}{inw[k + 1 :]}"


def ocr(text: str) -> str:
    """One scanner slip in the street name: m -> rn, or o -> 0, or l -> 1."""
    for a, b in (("m", "rn"), ("o", "0"), ("l", "1"), ("e", "c")):
        i = text.find(a, text.find(" ") + 2)
        if i > 0:
            return text[:i] + b + text[i + 1 :]
    return text


Variant = Callable[[Row, random.Random], list[str]]


def v_canonical(row: Row, rng: random.Random) -> list[str]:
    return [", ".join(lines(row)[:-1]) + ", " + row.postcode]


def v_nocommas(row: Row, rng: random.Random) -> list[str]:
    return [" ".join(lines(row))]


def v_block(row: Row, rng: random.Random) -> list[str]:
    return lines(row)


def v_upper(row: Row, rng: random.Random) -> list[str]:
    return [x.upper() for x in lines(row)]


def v_abbrev_dot(row: Row, rng: random.Random) -> list[str]:
    return [", ".join(lines(row, street=abbreviate(row.street, True)))]


def v_abbrev_nodot(row: Row, rng: random.Random) -> list[str]:
    return [" ".join(lines(row, street=abbreviate(row.street, False)))]


def v_postcode_first(row: Row, rng: random.Random) -> list[str]:
    """Postcode, town, street, number (the order of some forms and of people from abroad)."""
    parts = [row.postcode, row.town]
    if row.number:
        parts.append(f"{row.street} {row.number}")
    else:
        parts += [row.street, row.house_name]
    if row.flat:
        parts.append(f"Flat {row.flat}")
    return [", ".join(parts)]


def v_pc_typo(row: Row, rng: random.Random) -> list[str]:
    return [", ".join(lines(row, pc=typo_postcode(rng, row.postcode)))]


def v_number_postcode(row: Row, rng: random.Random) -> list[str]:
    if not row.number:
        return [f"{row.house_name}, {row.postcode}"]
    flat = f"Flat {row.flat}, " if row.flat else ""
    return [f"{flat}No. {row.number}, {row.postcode}"]


def v_no_postcode(row: Row, rng: random.Random) -> list[str]:
    return [", ".join(lines(row)[:-1])]


def v_squashed_lower(row: Row, rng: random.Random) -> list[str]:
    return [" ".join(lines(row, pc=row.postcode.replace(" ", ""))).lower()]


def v_ocr(row: Row, rng: random.Random) -> list[str]:
    return [", ".join(lines(row, street=ocr(row.street)))]


def v_unaccented(row: Row, rng: random.Random) -> list[str]:
    return [unaccent(", ".join(lines(row)))]


def v_flat_after(row: Row, rng: random.Random) -> list[str]:
    """`45 Gibson Street (Flat 2/1)`, `2/1 45 Gibson Street`, `29 Fernbank Row, Flat 3`."""
    if not row.flat:
        return v_canonical(row, rng)
    if "/" in row.flat and rng.random() < 0.5:
        return [f"{row.flat} {row.number} {row.street}, {row.town} {row.postcode}"]
    return [f"{row.number} {row.street} (Flat {row.flat}), {row.town}, {row.postcode}"]


VARIANTS: dict[str, Variant] = {
    "canonical": v_canonical,
    "nocommas": v_nocommas,
    "block": v_block,
    "upper": v_upper,
    "abbrev_dot": v_abbrev_dot,
    "abbrev_nodot": v_abbrev_nodot,
    "postcode_first": v_postcode_first,
    "pc_typo": v_pc_typo,
    "number_postcode": v_number_postcode,
    "no_postcode": v_no_postcode,
    "squashed_lower": v_squashed_lower,
    "ocr": v_ocr,
    "unaccented": v_unaccented,
    "flat_after": v_flat_after,
}


# --- near misses: each returns address lines that are NOT the row's address ---------------------
def _other_town(row: Row, rng: random.Random) -> tuple[str, str]:
    choices = [t for t in TOWNS if t[0] != row.town and t[2] == (row.region if row.region != "rural" else "england")]
    town, dists, _ = rng.choice(choices or TOWNS)
    district = rng.choice(dists)
    return town, f"{district} {rng.randint(1, 9)}{rng.choice(PC_INWARD_LETTERS)}{rng.choice(PC_INWARD_LETTERS)}"


def n_other_town(row: Row, rng: random.Random) -> list[str] | None:
    if not row.number:
        return None
    town, pc = _other_town(row, rng)
    return [", ".join([*head(row), street_line(row), town, pc])]


def n_other_type(row: Row, rng: random.Random) -> list[str] | None:
    words = row.street.split()
    if not row.number or words[-1] not in SWAP_TYPE:
        return None
    street = " ".join([*words[:-1], SWAP_TYPE[words[-1]]])
    return [", ".join([*head(row), street_line(row, street), row.town])]


def n_neighbour(row: Row, rng: random.Random) -> list[str] | None:
    if not row.number or not row.number.isdigit():
        return None
    n = int(row.number) + rng.choice((-2, 2, 1, 10))
    if n < 1:
        n = int(row.number) + 2
    return [f"{n} {row.street}, {row.town}, {row.postcode}"]


def n_other_flat(row: Row, rng: random.Random) -> list[str] | None:
    if not row.flat:
        return None
    if "/" in row.flat:
        a, b = row.flat.split("/")
        other = f"{a}/{3 - int(b)}"
    elif "F" in row.flat:
        a, b = row.flat.split("F")
        other = f"{int(a) % 3 + 1}F{b}"
    else:
        other = str(int(row.flat) + 1)
    return [
        ", ".join([f"Flat {other}"] + [p for p in (row.building,) if p] + [street_line(row), row.town, row.postcode])
    ]


def n_postcode_list(row: Row, rng: random.Random) -> list[str] | None:
    out = [row.postcode]
    for _ in range(5):
        inward = f"{rng.randint(1, 9)}{rng.choice(PC_INWARD_LETTERS)}{rng.choice(PC_INWARD_LETTERS)}"
        out.append(f"{row.postcode.split()[0]} {inward}")
    rng.shuffle(out)
    out.remove(row.postcode)  # the row's own full postcode alone is a mention (issue 21): its neighbours only
    return ["Postcodes in the pilot area: " + ", ".join(out) + "."]


def n_range(row: Row, rng: random.Random) -> list[str] | None:
    if not row.number or not row.number.isdigit() or int(row.number) < 6:
        return None
    n = int(row.number)
    lo, hi = (n + 2, n + 20) if rng.random() < 0.5 else (max(1, n - 20), n - 2)
    return [f"Resurfacing works outside {lo}-{hi} {row.street}, {row.town}, are planned for the spring."]


def n_date(row: Row, rng: random.Random) -> list[str] | None:
    if not row.number or not row.number.isdigit() or int(row.number) > 28:
        return None
    n = int(row.number)
    return [f"On {n}/10/2026 the drop-in at {row.street} library will close early."]


def n_phone_in_ref(row: Row, rng: random.Random) -> list[str] | None:
    if not row.phone:
        return None
    digits = row.phone.replace(" ", "")
    return [f"Payment reference 44{digits}93 was received on 3 November."]


def n_po_box(row: Row, rng: random.Random) -> list[str] | None:
    if not row.number or not row.number.isdigit():
        return None
    return [f"Please reply to PO Box {row.number}, {row.town}, {row.postcode.split()[0]} 9ZZ."]


def n_named_elsewhere(row: Row, rng: random.Random) -> list[str] | None:
    """The same house name on a lane of the same name, in another village (there are many)."""
    if not row.house_name:
        return None
    vill, town, dist = rng.choice([v for v in VILLAGES if v[0] != row.locality])
    return [f"{row.house_name}, {row.street}, {vill}, {town}, {dist} {rng.randint(1, 9)}AB"]


NEAR_MISSES: dict[str, Callable[[Row, random.Random], list[str] | None]] = {
    "other_town": n_other_town,
    "other_type": n_other_type,
    "neighbour": n_neighbour,
    "other_flat": n_other_flat,
    "postcode_list": n_postcode_list,
    "range": n_range,
    "date": n_date,
    "phone_in_ref": n_phone_in_ref,
    "po_box": n_po_box,
    "named_elsewhere": n_named_elsewhere,
}
