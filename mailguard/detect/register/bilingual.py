"""Welsh and English forms of one street: "Stryd y Plas" is "Plas Street", "Heol y Parc" is
"Parc Road" (bilingual street names are official in Wales, and a letter may use either).

A register street has a few forms: its own, and the same stem with the type in the other
language (the Welsh type leads, with an optional article; the English type follows). Each form
is hashed into the index at compile time like the street itself, and verification compares
the text with every form, so no register text is kept in clear for them. English-to-Welsh forms
are made only for rows in Welsh postcode areas: elsewhere nobody writes "Heol" for a Road, and
every Road in the register would otherwise answer a look-up of "14 Heol …".
"""

from __future__ import annotations

from functools import lru_cache

from mailguard.detect.register.ukforms import STREET_TYPES

# Welsh type -> the English types councils pair it with (Ffordd is a Way or a Road).
WELSH_TO_ENGLISH: dict[str, tuple[str, ...]] = {
    "heol": ("road",),
    "ffordd": ("way", "road"),
    "lon": ("lane",),
    "cilgant": ("crescent",),
    "rhodfa": ("avenue",),
    "sgwar": ("square",),
    "teras": ("terrace",),
    "stryd": ("street",),
}
_ENGLISH_TO_WELSH: dict[str, tuple[str, ...]] = {}
for _w, _es in WELSH_TO_ENGLISH.items():
    for _e in _es:
        _ENGLISH_TO_WELSH[_e] = (*_ENGLISH_TO_WELSH.get(_e, ()), _w)
ARTICLES = frozenset({"y", "yr", "r"})
# Postcode areas in Wales (SY and CH straddle the border: failing closed costs a look-up).
WELSH_AREAS = frozenset({"CF", "SA", "LL", "NP", "LD", "SY", "CH"})


def _area(postcode: str) -> str:
    return postcode[:2] if len(postcode) > 1 and postcode[1].isalpha() else postcode[:1]


def in_wales(postcode: str) -> bool:
    return _area(postcode) in WELSH_AREAS


def street_forms(street: tuple[str, ...], postcode: str) -> tuple[tuple[str, ...], ...]:
    """The street as written in the register first, then its other-language forms."""
    return forms_of(street, in_wales(postcode))


@lru_cache(maxsize=65536)
def forms_of(street: tuple[str, ...], welsh: bool) -> tuple[tuple[str, ...], ...]:
    """`street_forms` of a street in Wales (`welsh`) or elsewhere."""
    forms = [street]
    if len(street) > 1 and street[0] in WELSH_TO_ENGLISH:
        stem = street[1:]
        while stem and stem[0] in ARTICLES and len(stem) > 1:
            stem = stem[1:]
        forms += [(*stem, e) for e in WELSH_TO_ENGLISH[street[0]] if e in STREET_TYPES]
    elif len(street) > 1 and street[-1] in _ENGLISH_TO_WELSH and welsh:
        forms += [(w, "y", *street[:-1]) for w in _ENGLISH_TO_WELSH[street[-1]]]
    return tuple(forms)
