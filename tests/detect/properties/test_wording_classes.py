"""Each wording class of issues 10 and 21 as a property of the class alone, at the matcher: the
text carries only what the class needs (no postcode where the class has none to lean on), and
the mention must be of the kind the class names, so that no other rule (a street with its full
postcode, a postcode alone) passes it in the class's place. Each has a near miss that differs
only where the class does (another number word, another suffix, another box, another flat).

Homes come from the fifth corpus's register (corpora/fifth/homes.py); the wording helpers from
its grammar. Fixed seed, bounded examples (the `properties` profile of conftest.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpora.fifth import homes as register
from corpora.fifth.grammar import confused_postcode, number_words, street_form
from corpora.fifth.homes import Home
from mailguard.detect.register import Mention, Register
from mailguard.message.model import Segment

from .conftest import HOMES

# Matcher-level cases are cheap (no message, no extraction): more examples than the carrier tests.
PROFILE = settings(settings.get_profile("properties"), max_examples=60)
SEPARATORS = [", ", "\n", " - ", "; ", " "]


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Register:
    csv: Path = tmp_path_factory.mktemp("wordings") / "register.csv"
    register.write(HOMES, csv)
    return Register.from_csv(csv, key=b"wording classes key 0123456789")[0]


def found(reg: Register, home: Home, text: str) -> set[str]:
    """The kinds of mention of `home` in `text`."""
    mentions: list[Mention] = reg.find_mentions([Segment(text, "body")])
    return {m.kind for m in mentions if m.register_id == home.id}


def homes(where: Callable[[Home], bool]) -> st.SearchStrategy[Home]:
    return st.sampled_from([h for h in HOMES if where(h)])


def place(h: Home) -> list[str]:
    return [h.locality, h.town] if h.locality else [h.town]


def join(rng: random.Random, parts: list[str]) -> str:
    return rng.choice(SEPARATORS).join(p for p in parts if p)


def cased(word: str, rng: random.Random) -> str:
    return rng.choice([word, word.capitalize(), word.title(), word.upper()])


def words_home(h: Home) -> bool:
    return bool(h.number) and not h.suffix and not h.po_box and int(h.number) < 100 and not h.building


@settings(PROFILE)
@given(home=homes(words_home), rng=st.randoms(use_true_random=False), neighbour=st.sampled_from([1, 2, -2]))
def test_a_house_number_in_words_with_its_street_and_town(
    reg: Register, home: Home, rng: random.Random, neighbour: int
) -> None:
    flat = f"Flat {home.flat}" if home.flat and "/" not in home.flat and "F" not in home.flat else ""
    text = join(rng, [flat, f"{cased(number_words(int(home.number)), rng)} {street_form(home, rng)}", *place(home)])
    assert found(reg, home, text) == {"address"}, text
    other = int(home.number) + neighbour
    if 0 < other < 100:
        near = join(rng, [flat, f"{number_words(other).title()} {street_form(home, rng)}", *place(home)])
        assert not found(reg, home, near), near


@settings(PROFILE)
@given(home=homes(lambda h: bool(h.suffix)), rng=st.randoms(use_true_random=False))
def test_a_suffix_letter_apart_hyphenated_or_in_brackets(reg: Register, home: Home, rng: random.Random) -> None:
    n, x = home.base_number, home.suffix
    form = rng.choice(["{n} {x}", "{n}-{x}", "{n} ({x})", "{n}({x})", "{n}{x}"])
    text = join(rng, [f"{form.format(n=n, x=x)} {street_form(home, rng)}", home.town])
    assert found(reg, home, text) == {"address"}, text
    other = "ABC"[("ABC".index(x) + 1) % 3]
    near = join(rng, [f"{form.format(n=n, x=other)} {street_form(home, rng)}", home.town])
    assert not found(reg, home, near), near


@settings(PROFILE)
@given(home=homes(lambda h: bool(h.english)), rng=st.randoms(use_true_random=False))
def test_the_other_language_form_of_a_welsh_street(reg: Register, home: Home, rng: random.Random) -> None:
    street = rng.choice([home.english, home.english.upper(), home.english.replace(" y ", "-y-")])
    text = join(rng, [f"{home.number} {street}", home.town])
    assert found(reg, home, text) == {"address"}, text
    near = join(rng, [f"{int(home.number) + 1} {street}", home.town])
    assert not found(reg, home, near), near


@settings(PROFILE)
@given(home=homes(lambda h: bool(h.po_box)), rng=st.randoms(use_true_random=False))
def test_a_po_box_with_its_postcode(reg: Register, home: Home, rng: random.Random) -> None:
    box = rng.choice(["P.O. Box {}", "PO Box {}", "Box {}", "POBox {}", "p.o. box {}"])
    text = join(rng, [box.format(home.po_box), rng.choice([home.town, ""]), home.postcode])
    assert found(reg, home, text) & {"address", "postcode_number"}, text  # the box, not the postcode alone
    near = join(rng, [box.format(int(home.po_box) + 7), home.town, home.postcode])
    assert not found(reg, home, near), near


@settings(PROFILE)
@given(home=homes(lambda h: bool(h.building)), rng=st.randoms(use_true_random=False))
def test_a_flat_and_its_building_without_the_street_number(reg: Register, home: Home, rng: random.Random) -> None:
    flat = rng.choice(["Flat", "Apt", "Apt.", "Apartment"])
    text = join(rng, [f"{flat} {home.flat}", home.building, street_form(home, rng), home.town, home.postcode])
    assert found(reg, home, text) == {"address"}, text  # the street and flat, not the postcode alone
    near = join(rng, [f"Flat {int(home.flat) + 1}", home.building, street_form(home, rng), home.town, home.postcode])
    assert not found(reg, home, near), near


@settings(PROFILE)
@given(home=homes(lambda h: h.kind == "tenement"), rng=st.randoms(use_true_random=False))
def test_scottish_tenement_flats(reg: Register, home: Home, rng: random.Random) -> None:
    f, n, street = home.flat, home.number, street_form(home, rng)
    forms = [f"Flat {f}, {n} {street}", f"{n} {street}, Flat {f}", f"{f}, {n} {street}", f"{n} {street} (flat {f})"]
    if "/" in f:  # Glasgow: floor/door
        dashed = f.replace("/", "-")
        forms += [f"{dashed} {n} {street}", f"{f} {n} {street}", f"Flat {dashed}, {n} {street}"]
    else:  # Edinburgh: 2F1, second floor, first door
        forms += [f"{n} ({f}) {street}", f"{f} {n} {street}"]
    form = rng.randrange(len(forms))
    text = join(rng, [forms[form], home.town])
    assert found(reg, home, text) == {"address"}, text
    door = f[-1]
    other = f[:-1] + ("2" if door == "1" else "1")  # the other door of the landing
    near = join(rng, [forms[form].replace(f, other).replace(f.replace("/", "-"), other.replace("/", "-")), home.town])
    assert not found(reg, home, near), near


@settings(PROFILE)
@given(home=homes(lambda h: not h.po_box and confused_postcode(h.postcode, random.Random(0)) is not None))
def test_a_postcode_with_a_letter_digit_confusion_is_the_rows(reg: Register, home: Home) -> None:
    rng = random.Random(home.id)
    bad = confused_postcode(home.postcode, rng)
    assert bad is not None
    text = f"{home.number} {street_form(home, rng)}, {bad}"
    kinds = {m.kind for m in reg.find_mentions([Segment(text, "body")]) if m.register_id == home.id}
    scores = [m.score for m in reg.find_mentions([Segment(text, "body")]) if m.register_id == home.id]
    assert kinds == {"address"} and max(scores) == 1.0, text  # confirmed by the postcode itself


@settings(PROFILE)
@given(home=homes(lambda h: not h.flat), rng=st.randoms(use_true_random=False))
def test_a_full_postcode_alone(reg: Register, home: Home, rng: random.Random) -> None:
    lead = rng.choice(["The family now lives in", "Postcode:", "Her new postcode is", ""])
    text = f"{lead} {rng.choice([home.postcode, home.postcode.lower(), home.postcode.replace(' ', '')])}."
    assert found(reg, home, text) == {"postcode"}, text
    if home.number:
        neighbour = f"{int(home.base_number) + 2} {street_form(home, rng)}, {home.town} {home.postcode}"
        assert not found(reg, home, neighbour), neighbour
