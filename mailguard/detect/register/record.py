"""A row's verification record: keyed hashes of its normalised parts, nothing else.

Each part is one 64-bit word, `tag << 56 | detail << 40 | hash40`: the house number (and the
number without its letter), the flat, the postcode (its look-up key) with its outward and
inward codes, each street form's name and type, the three letters the postcode check looks
for, the house name, each place, phones and emails. `detail` is a word count or how many
edits a name tolerates (decided from its length when compiling; see `fuzzy`). The relay hashes
what the text says with the same key (`probe`) and compares: it never holds a row's text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from mailguard.detect.register.bilingual import street_forms
from mailguard.detect.register.fuzzy import NAME, depth, name_form
from mailguard.detect.register.probe import (
    FLAT,
    INWARD,
    KIND,
    NUMBER,
    NUMBER_BASE,
    OUTWARD,
    PREFIX,
    Probe,
    number_base,
)
from mailguard.detect.register.ukforms import PO_BOX_STREET, STREET_TYPES, canon_flat, postcode_key, skeleton
from mailguard.detect.register.values import Entry

_H = (1 << 40) - 1
(_NUMBER, _BASE, _FLAT, _POSTCODE, _OUTWARD, _INWARD, _STREET, _KIND) = range(1, 9)
(_PREFIX, _HOUSE, _PLACE, _PLACE_FIRST, _PHONE, _EMAIL, _PO_BOX) = range(9, 16)


@dataclass(frozen=True, slots=True)
class Street:
    """One form of a row's street: its word count, its name's hash (without the type), its
    type's hash (0: none), and the edits its name tolerates (strict, and with the postcode)."""

    size: int
    name: int
    kind: int
    strict: int
    loose: int


@dataclass(frozen=True, slots=True)
class Place:
    size: int
    name: int
    tolerance: int
    first: int  # hash of its first word when that alone names it ("Newcastle"), else 0


@dataclass(frozen=True, slots=True)
class HouseName:
    size: int
    name: int
    tolerance: int  # -1: too short to be found by its name


@dataclass(frozen=True, slots=True)
class Row:
    """A register row as the matcher reads it: its id, and hashes (0 or empty: not given)."""

    id: str
    probe: Probe = field(repr=False, compare=False)
    number: int = 0
    number_base: int = 0
    flat: int = 0
    postcode: int = 0
    outward: int = 0
    inward: int = 0
    streets: tuple[Street, ...] = ()
    prefixes: frozenset[int] = frozenset()
    house_name: HouseName | None = None
    places: tuple[Place, ...] = ()
    phones: frozenset[int] = frozenset()
    emails: frozenset[int] = frozenset()
    po_box: bool = False

    def is_number(self, number: str | None) -> bool:
        return bool(number) and self.probe.number(number) == self.number

    def at(self, postcode_key: str) -> bool:
        return self.probe.postcode(postcode_key) == self.postcode


def decode(words: list[int], rid: str, probe: Probe) -> Row:
    fields: dict[str, object] = {}
    streets: list[Street] = []
    places: list[Place] = []
    sets: dict[int, set[int]] = {_PREFIX: set(), _PHONE: set(), _EMAIL: set()}
    for w in words:
        tag, detail, h = w >> 56, (w >> 40) & 0xFFFF, w & _H
        if tag == _STREET:
            streets.append(Street(detail & 15, h, 0, (detail >> 4 & 3) - 1, (detail >> 6 & 3) - 1))
        elif tag == _KIND:
            s = streets[-1]
            streets[-1] = Street(s.size, s.name, h, s.strict, s.loose)
        elif tag == _PLACE:
            places.append(Place(detail & 15, h, (detail >> 4) - 1, 0))
        elif tag == _PLACE_FIRST:
            p = places[-1]
            places[-1] = Place(p.size, p.name, p.tolerance, h)
        elif tag == _HOUSE:
            fields["house_name"] = HouseName(detail & 15, h, (detail >> 4) - 1)
        elif tag in sets:
            sets[tag].add(h)
        elif tag == _PO_BOX:
            fields["po_box"] = True
        else:
            fields[_SINGLE[tag]] = h
    return Row(
        rid,
        probe,
        streets=tuple(streets),
        places=tuple(places),
        prefixes=frozenset(sets[_PREFIX]),
        phones=frozenset(sets[_PHONE]),
        emails=frozenset(sets[_EMAIL]),
        **fields,  # type: ignore[arg-type]
    )


_SINGLE = {
    _NUMBER: "number",
    _BASE: "number_base",
    _FLAT: "flat",
    _POSTCODE: "postcode",
    _OUTWARD: "outward",
    _INWARD: "inward",
}


def _word(tag: int, h: int, detail: int = 0) -> int:
    return tag << 56 | detail << 40 | h


def _tolerance(name: str, most: int) -> int:
    return min(most, depth(name))


class Recorder:
    """Builds the records of a compile; remembers the hash of each repeated part (numbers,
    names, outward codes) and collects the names the variant table needs."""

    def __init__(self, hash_one: Callable[[str], int]) -> None:
        self._hash = hash_one
        self._memo: dict[str, int] = {}
        self.names: set[str] = set()

    def _h(self, part: str) -> int:
        h = self._memo.get(part)
        if h is None:
            h = self._memo[part] = self._hash(part)
        return h

    def _name(self, name: str) -> int:
        self.names.add(name)
        return self._h(NAME + name)

    def record(self, e: Entry, pc_hash: int, phone_hashes: list[int], email_hashes: list[int]) -> list[int]:
        """The record of `e` (its postcode, phones and emails hashed by the caller: they are its
        look-up keys too, so each is hashed once)."""
        a, h = e.address, self._h
        pc = postcode_key(e.postcode)
        out = [_word(_POSTCODE, pc_hash), _word(_OUTWARD, h(OUTWARD + pc[:-3])), _word(_INWARD, h(INWARD + pc[-3:]))]
        if a.number:
            out += [_word(_NUMBER, h(NUMBER + a.number)), _word(_BASE, h(NUMBER_BASE + number_base(a.number)))]
        if a.flat:
            out.append(_word(_FLAT, h(FLAT + canon_flat(a.flat))))
        if a.street == PO_BOX_STREET:
            out.append(_word(_PO_BOX, 0))
        for street in street_forms(a.street, e.postcode):
            out += self.street(street)
        # a first word of one or two letters has no three-letter prefix: "" stands for any
        out += [_word(_PREFIX, h(PREFIX + (p if len(p) == 3 else ""))) for p in street_prefixes(a.street, e.postcode)]
        if a.house_name:
            spaced, name = skeleton(" ".join(a.house_name)), name_form(a.house_name)
            tol = -1 if len(spaced) < 5 else _tolerance(name, 1 if len(name) < 17 else 2)
            out.append(_word(_HOUSE, self._name(name), min(len(a.house_name), 15) | (tol + 1) << 4))
        for place in a.places:
            name = name_form(place)
            tol = _tolerance(name, 0 if len(name) <= 3 else 1 if len(name) <= 13 else 2)
            out.append(_word(_PLACE, self._name(name), min(len(place), 15) | (tol + 1) << 4))
            if len(place) > 1 and len(place[0]) >= 5:
                out.append(_word(_PLACE_FIRST, h(NAME + skeleton(place[0]))))
        out += [_word(_PHONE, p) for p in phone_hashes] + [_word(_EMAIL, m) for m in email_hashes]
        return out

    def street(self, street: tuple[str, ...]) -> list[int]:
        """The record words of one street form: its name, and its type when it has one."""
        has_type = len(street) > 1 and street[-1] in STREET_TYPES
        name = name_form(street[:-1] if has_type else street)
        n = len(name)
        strict = _tolerance(name, 0 if n <= 4 else 1 if n <= 9 else 2)
        loose = _tolerance(name, 0 if n < 3 else 1 if n <= 9 else 2)
        detail = min(len(street), 15) | (strict + 1) << 4 | (loose + 1) << 6
        out = [_word(_STREET, self._name(name), detail)]
        if has_type:
            out.append(_word(_KIND, self._h(KIND + street[-1])))
        return out


# Canonical first words that text often writes shorter ("St John's Rise", "Nth Road", "Gt Lane").
_SHORTENED_FIRST = frozenset({"saint", "north", "south", "upper", "lower", "great"})


@lru_cache(maxsize=65536)
def street_prefixes(street: tuple[str, ...], postcode: str) -> tuple[str, ...]:
    """Three letters that any writing of the street contains (a cheap test of whether it may be
    written somewhere): of its first word in each form, or of its second word when the first is
    often shortened ("saint" is written "St")."""
    out = set()
    for form in street_forms(street, postcode):
        word = form[1] if form[0] in _SHORTENED_FIRST and len(form) > 1 else form[0]
        out.add(word[:3])
    return tuple(sorted(out))
