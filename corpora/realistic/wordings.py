"""How a protected address is written: the forms people type it in, and a scanner's OCR slips."""

from __future__ import annotations

import random
from dataclasses import replace

from .addresses import Addr


def ocr_slips(rng: random.Random, s: str, n: int) -> str:
    """n OCR slips of the kinds scanners make: 0/O, 1/l, rn/m, 5/S, a dropped space."""
    subs = [
        ("0", "O"),
        ("O", "0"),
        ("1", "l"),
        ("l", "1"),
        ("m", "rn"),
        ("rn", "m"),
        ("5", "S"),
        ("e", "c"),
        (", ", ","),
        ("i", "l"),
    ]
    for _ in range(n):
        cands = [(a, b) for a, b in subs if a in s]
        if not cands:
            break
        a, b = rng.choice(cands)
        idxs = [i for i in range(len(s)) if s.startswith(a, i)]
        i = rng.choice(idxs)
        s = s[:i] + b + s[i + len(a) :]
    return s


def mention(rng: random.Random, a: Addr, form: str) -> str:
    num = a.number or ""
    if form == "canonical":
        return a.one_line()
    if form == "abbrev":
        return a.one_line(abbrev=True, with_locality=rng.random() < 0.5)
    if form == "upper":
        return a.one_line(upper=True)
    if form == "lower_squashed":
        return (
            a.one_line(abbrev=rng.random() < 0.5)
            .lower()
            .replace(a.postcode.lower(), a.postcode.replace(" ", "").lower())
        )
    if form == "block":
        return "\n".join(a.block(town_upper=rng.random() < 0.7))
    if form == "no_postcode":
        return a.one_line(with_postcode=False)
    if form == "number_postcode":
        return rng.choice(
            [
                f"{num}, {a.postcode}",
                f"No. {num} {a.postcode}",
                f"{num} ({a.postcode})",
                f"house number {num}, postcode {a.postcode}",
                f"{a.postcode}, {num}",
            ]
        )
    if form == "postcode_first":
        return f"{a.postcode} - {num} {a.street}, {a.town}"
    if form == "flat_slash":
        f = (a.flat or "").split()[-1]
        return f"{f}/{num} {a.street}, {a.town} {a.postcode}"
    if form == "apartment":
        f = (a.flat or "").split()[-1]
        rest = f"{a.building}, {num} {a.street}" if a.building else f"{num} {a.street}"
        return f"Apartment {f}, {rest}, {a.town}, {a.postcode}"
    if form == "building_only":
        return f"{num} {a.street}, {a.town} {a.postcode}"
    if form == "typo":
        s = a.street
        i = rng.randrange(1, len(s.split()[0]))
        s = s[:i] + s[i + 1 :] if rng.random() < 0.5 else s[:i] + s[i] + s[i:]
        return replace(a, street=s).one_line()
    raise ValueError(form)


def forms_for(a: Addr) -> list[str]:
    forms = ["canonical", "abbrev", "upper", "lower_squashed", "block", "no_postcode"]
    if a.number and a.number.isdigit() and not a.house_name:
        forms += ["number_postcode", "postcode_first"]
    return forms
