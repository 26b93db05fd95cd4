"""A row's verification record: keyed hashes of its normalised parts, nothing else.

Each part is one 64-bit word, `tag << 56 | detail << 40 | hash40`: the house number (and the
number without its letter), the flat, the postcode (its look-up key) with its outward and
inward codes, each street form's name and type, the three letters the postcode check looks
for, the house name, each place, phones and emails. `detail` is a word count or how many
edits a name tolerates (decided from its length when compiling; see `fuzzy`). The relay hashes
what the text says with the same key (`probe`) and compares: it never holds a row's text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from mailguard.detect.register.bilingual import ARTICLES, forms_of, in_wales
from mailguard.detect.register.fuzzy import NAME, cap, name_form, spelt_form
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
from mailguard.detect.register.towns import place_key
from mailguard.detect.register.ukforms import (
    LEADING_TYPES,
    PO_BOX_STREET,
    STREET_TYPES,
    canon_flat,
    postcode_key,
    skeleton,
)
from mailguard.detect.register.values import Entry

K = TypeVar("K")
V = TypeVar("V")

_H = (1 << 40) - 1
(_NUMBER, _BASE, _FLAT, _POSTCODE, _OUTWARD, _INWARD, _STREET, _KIND) = range(1, 9)
(_PREFIX, _HOUSE, _PLACE, _PLACE_FIRST, _PHONE, _EMAIL, _PO_BOX) = range(9, 16)


class Street(NamedTuple):
    """One form of a row's street: its word count, its name's hash (without the type), its
    type's hash (0: none), the edits its name tolerates (strict, and with the postcode), and
    whether the type leads (Welsh: "Heol y Felin")."""

    size: int
    name: int
    kind: int
    strict: int
    loose: int
    leading: bool = False


class Place(NamedTuple):
    size: int
    name: int
    tolerance: int
    first: int  # hash of its first word when that alone names it ("Newcastle"), else 0


class HouseName(NamedTuple):
    size: int
    name: int
    tolerance: int  # -1: too short to be found by its name


@dataclass(slots=True)
class Row:
    """A register row as the matcher reads it: its id, and hashes (0 or empty: not given).
    Shared (the index caches rows) and never changed, but not `frozen`: a frozen dataclass sets
    each field through `object.__setattr__` (2 us a row against 0.5 us), and a scan of an
    address-dense text decodes a row per candidate."""

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
    """The row a record holds (a scan decodes thousands, one per candidate: locals, and the
    common tags first)."""
    number = base = flat = postcode = outward = inward = 0
    streets: list[Street] = []
    places: list[Place] = []
    prefixes: list[int] = []
    phones: list[int] = []
    emails: list[int] = []
    house, po_box = None, False
    for w in words:
        tag, h = w >> 56, w & _H
        if tag == _PREFIX:
            prefixes.append(h)
        elif tag == _STREET:
            d = w >> 40 & 0xFFFF
            streets.append(Street(d & 15, h, 0, (d >> 4 & 3) - 1, (d >> 6 & 3) - 1, bool(d >> 8)))
        elif tag == _KIND:
            streets[-1] = streets[-1]._replace(kind=h)
        elif _NUMBER <= tag <= _INWARD:
            if tag == _POSTCODE:
                postcode = h
            elif tag == _OUTWARD:
                outward = h
            elif tag == _INWARD:
                inward = h
            elif tag == _NUMBER:
                number = h
            elif tag == _BASE:
                base = h
            else:
                flat = h
        elif tag == _PLACE:
            d = w >> 40 & 0xFFFF
            places.append(Place(d & 15, h, (d >> 4) - 1, 0))
        elif tag == _PLACE_FIRST:
            places[-1] = places[-1]._replace(first=h)
        elif tag == _HOUSE:
            d = w >> 40 & 0xFFFF
            house = HouseName(d & 15, h, (d >> 4) - 1)
        elif tag == _PHONE:
            phones.append(h)
        elif tag == _EMAIL:
            emails.append(h)
        elif tag == _PO_BOX:
            po_box = True
    return Row(
        rid,
        probe,
        number,
        base,
        flat,
        postcode,
        outward,
        inward,
        tuple(streets),
        frozenset(prefixes),
        house,
        tuple(places),
        frozenset(phones),
        frozenset(emails),
        po_box,
    )


def _word(tag: int, h: int, detail: int = 0) -> int:
    return tag << 56 | detail << 40 | h


class Recorder:
    """Builds the records of a compile. Parts repeat across rows (streets, places, house
    numbers, outward codes), so each part's words are made once and remembered; it collects
    the names the variant table needs (with the most edits any rule allows each) and the
    street first words and towns a scan asks about."""

    def __init__(self, hash_one: Callable[[str], int]) -> None:
        self._hash_one = hash_one
        self._hashes: dict[str, int] = {}  # of names, types, prefixes: shared by many parts
        # a name's forms -> (its hash, the edits it tolerates: the deletions its variants need)
        self.names: dict[str, tuple[int, int]] = {}
        self.first_words: set[str] = set()
        self.towns: set[str] = set()
        # the words of each part, by its value (a compile asks for each part of every row)
        self._outward: Made[str, list[int]] = Made(lambda code: [_word(_OUTWARD, self._hash(OUTWARD + code))])
        self._inward: Made[str, list[int]] = Made(lambda code: [_word(_INWARD, self._hash(INWARD + code))])
        self._numbers = Made(self._number)
        self._flats: Made[str, list[int]] = Made(lambda flat: [_word(_FLAT, self._hash(FLAT + canon_flat(flat)))])
        self._streets = Made(self._street_forms)
        self._typed = Made(self._typed_names)
        self._houses = Made(self._house)
        self._places = Made(self._place_list)

    def _hash(self, part: str) -> int:
        h = self._hashes.get(part)
        if h is None:
            h = self._hashes[part] = self._hash_one(part)
        return h

    def _name(self, words: Sequence[str], *edits: int) -> tuple[int, ...]:
        """(hash of its `name_form`, then each of the `edits` it tolerates in some use, one at
        most for a very long name) of a name; its `spelt_form` leads to the hash too."""
        name, spelt = name_form(words), spelt_form(words)
        allowed = [cap(spelt, e) for e in edits]
        h = self._name_hash(name)
        for form in {name, spelt}:
            if max(allowed) > self.names.get(form, (0, -1))[1]:
                self.names[form] = (h, max(allowed))
        return h, *allowed

    def _name_hash(self, form: str) -> int:
        """A name's hash (`Street.name`, `Place.name`, `HouseName.name`) from its `name_form`."""
        return self._hash(NAME + form)

    def record(self, e: Entry) -> list[int]:
        """The record of `e`. Its postcode (the first word) and its phones and emails (the last,
        in that order) are left for the caller to hash in: they are its look-up keys too, and
        each is hashed once for both."""
        a, pc = e.address, postcode_key(e.postcode)
        out = [_word(_POSTCODE, 0), *self._outward[pc[:-3]], *self._inward[pc[-3:]]]
        if a.number:
            out += self._numbers[a.number]
        if a.flat:
            out += self._flats[a.flat]
        out += self._streets[a.street, in_wales(e.postcode)]
        if a.house_name:
            out += self._houses[a.house_name]
        if a.places:
            out += self._places[a.places]
        if e.phones or e.emails:
            out += [_word(_PHONE, 0)] * len(e.phones) + [_word(_EMAIL, 0)] * len(e.emails)
        return out

    def _number(self, number: str) -> list[int]:
        return [
            _word(_NUMBER, self._hash(NUMBER + number)),
            _word(_BASE, self._hash(NUMBER_BASE + number_base(number))),
        ]

    def _street_forms(self, street_where: tuple[tuple[str, ...], bool]) -> list[int]:
        forms = forms_of(*street_where)
        out = [_word(_PO_BOX, 0)] if forms[0] == PO_BOX_STREET else []
        for street in forms:
            out += self.street(street)
            self.first_words.add(skeleton(street[0]))
        # a first word of one or two letters has no three-letter prefix: "" stands for any
        return out + [_word(_PREFIX, self._hash(PREFIX + (p if len(p) == 3 else ""))) for p in street_prefixes(forms)]

    def typed_names(self, street: tuple[str, ...], welsh: bool) -> tuple[int, ...]:
        """The name hashes (as its record's `Street.name`) of the forms of a street that end in
        their type: the row's number is keyed with each (`index.name_key`)."""
        return self._typed[street, welsh]

    def _typed_names(self, street_where: tuple[tuple[str, ...], bool]) -> tuple[int, ...]:
        out = []
        for street in forms_of(*street_where):
            kind, name_words = street_parts(street)
            if kind is not None and kind == street[-1]:
                out.append(self._name_hash(name_form(name_words)))
        return tuple(out)

    def street(self, street: tuple[str, ...]) -> list[int]:
        """The record words of one street form: its name, and its type when it has one (last,
        or a leading Welsh one, whose article is left out: "Heol y Felin" is heol + "felin")."""
        kind, name_words = street_parts(street)
        n = len(spelt_form(street[:-1] if kind == street[-1] else street))  # what it tolerates: as a whole
        h, strict, loose = self._name(
            name_words, 0 if n <= 4 else 1 if n <= 9 else 2, 0 if n < 3 else 1 if n <= 4 else 2
        )
        lead = kind is not None and kind == street[0]
        out = [_word(_STREET, h, min(len(street), 15) | (strict + 1) << 4 | (loose + 1) << 6 | lead << 8)]
        if kind:
            out.append(_word(_KIND, self._hash(KIND + kind)))
        return out

    def _house(self, house_name: tuple[str, ...]) -> list[int]:
        h, edits = self._name(house_name, 1)
        if len(skeleton(" ".join(house_name))) < 5:
            edits = -1  # too short to be found by its name
        return [_word(_HOUSE, h, min(len(house_name), 15) | (edits + 1) << 4)]

    def _place_list(self, places: tuple[tuple[str, ...], ...]) -> list[int]:
        out = []
        for place in places:
            n = len(spelt_form(place))
            h, edits = self._name(place, 0 if n <= 3 else 1 if n <= 13 else 2)
            out.append(_word(_PLACE, h, min(len(place), 15) | (edits + 1) << 4))
            if len(place) > 1 and len(place[0]) >= 5:
                out.append(_word(_PLACE_FIRST, self._hash(NAME + skeleton(place[0]))))
            self.towns.add(place_key(place))
        return out


def street_parts(words: Sequence[str]) -> tuple[str | None, Sequence[str]]:
    """(the street type, the name's words) of canonical street words: a type last ("Mill
    Lane"), or a Welsh type first with its article left out ("Heol y Felin": heol, felin)."""
    if len(words) > 1 and words[-1] in STREET_TYPES:
        return words[-1], words[:-1]
    if len(words) > 1 and words[0] in LEADING_TYPES:
        name = words[1:]
        while len(name) > 1 and name[0] in ARTICLES:
            name = name[1:]
        return words[0], name
    return None, words


class Made(dict[K, V]):
    """A dict that makes a missing value with `make(key)` and keeps it."""

    def __init__(self, make: Callable[[K], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: K) -> V:
        value = self[key] = self._make(key)
        return value


# Canonical first words that text often writes shorter ("St John's Rise", "Nth Road", "Gt Lane").
_SHORTENED_FIRST = frozenset({"saint", "north", "south", "upper", "lower", "great"})


def street_prefixes(forms: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """Three letters that any writing of the street (its `bilingual.street_forms`) contains (a
    cheap test of whether it may be written somewhere): of its first word in each form, or of
    its second word when the first is often shortened ("saint" is written "St")."""
    out = set()
    for form in forms:
        word = form[1] if form[0] in _SHORTENED_FIRST and len(form) > 1 else form[0]
        out.add(word[:3])
    return tuple(sorted(out))
