"""UK address, postcode and phone normalisation shared by the register loader and the matcher.

Everything here works on case-folded text. Both sides of every comparison (register row and
scanned text) go through the same functions, so a fold that loses information (OCR `l`→`i`)
costs a little precision on both sides equally and never a miss.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Street designators as people and forms abbreviate them -> one canonical word.
_TYPE_VARIANTS: dict[str, tuple[str, ...]] = {
    "road": ("rd", "rd.", "raod"),
    "street": ("st", "str", "st."),
    "avenue": ("ave", "av", "avn", "avenu"),
    "crescent": ("cres", "cresc", "cr", "crs"),
    "gardens": ("gdns", "gdn", "gardns", "gds"),
    "terrace": ("terr", "ter", "tce", "trce"),
    "court": ("ct", "crt"),
    "square": ("sq", "sqr"),
    "place": ("pl",),
    "lane": ("ln",),
    "drive": ("dr", "drv"),
    "grove": ("gr", "gro", "grv"),
    "close": ("cl", "cls"),
    "park": ("pk",),
    "mews": (),
    "way": ("wy",),
    "walk": ("wlk", "wk"),
    "hill": ("hl",),
    "parade": ("pde", "par"),
    "green": ("grn",),
    "row": (),
    "rise": (),
    "gate": (),
    "yard": ("yd",),
    "view": ("vw",),
    "circus": ("circ",),
    "boulevard": ("blvd",),
    "wharf": ("whf",),
    "quay": (),
    "mount": ("mt",),
    "vale": (),
    "meadow": (),
    "meadows": (),
    "croft": (),
    "chase": (),
    "end": (),
    "field": (),
    "fields": (),
    "heights": ("hts",),
    "approach": ("app",),
    "broadway": (),
    "embankment": (),
    "passage": (),
    "path": (),
    "precinct": (),
    "side": (),
    "villas": (),
    "wynd": (),
    "vennel": (),
    "brae": (),
    "brow": (),
    "dene": (),
    "garth": (),
    "grange": (),
    "hollow": (),
    "leys": (),
    "mead": (),
    "orchard": (),
    "bank": (),
    "cottages": ("cotts",),
    "buildings": ("bldgs",),
}
STREET_TYPES: frozenset[str] = frozenset(_TYPE_VARIANTS)
# Welsh street designators come first ("Heol y Parc", "Lôn Las", "Ffordd Glyndŵr").
LEADING_TYPES: frozenset[str] = frozenset(
    {"heol", "ffordd", "stryd", "lon", "rhodfa", "cilgant", "maes", "sgwar", "teras"}
)
_WELSH_ARTICLES = frozenset({"y", "yr", "r"})
_ABBREV: dict[str, str] = {v.rstrip("."): k for k, vs in _TYPE_VARIANTS.items() for v in vs}
TYPE_FORMS: frozenset[str] = STREET_TYPES | {v.rstrip(".") for vs in _TYPE_VARIANTS.values() for v in vs}
_ABBREV.update({"nth": "north", "sth": "south", "upr": "upper", "lwr": "lower", "gt": "great"})
_ABBREV["rhodfar"] = "rhodfa"  # "Rhodfa’r Castell": the article joined to the type

# Words before a number that make it something other than a house number ("Order 14").
BLOCKERS: frozenset[str] = frozenset(
    "order invoice inv ref reference case item items page pages para paragraph section clause "
    "chapter table figure fig version ver v year years yr aged age ticket account acct acc po "
    "claim id cm tel phone mob fax ext extension qty quantity x total amount room rooms "
    "bus route junction j exit platform seat code pin score week weeks day days "
    "month months hour hours minute minutes appendix annex schedule exhibit doc document line".split()
)
FLAT_WORDS: frozenset[str] = frozenset({"flat", "apartment", "apt", "unit", "maisonette", "studio", "suite"})

# OCR skeleton: glyphs a scanner confuses fold to one letter (applied to both sides).
_SKELETON = str.maketrans({"0": "o", "1": "i", "l": "i", "5": "s", "8": "b", "’": "", "'": ""})
# A house number read by OCR: letters that look like digits fold back to digits.
_NUMBER_FOLD = str.maketrans({"o": "0", "i": "1", "l": "1", "s": "5", "z": "2"})

WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_HOUSE_RE = re.compile(r"[0-9oilsz]{0,3}[0-9][0-9oilsz]{0,3}(?:-?[a-z])?")


@lru_cache(maxsize=65536)  # a str.translate costs 0.8 us (its table is built per call), a hit 0.05 us
def skeleton(word: str) -> str:
    """Fold OCR look-alikes: rn/m, 0/o, 1/l/I, 5/s (for fuzzy comparison and index keys)."""
    return ocr_letters(word).replace("rn", "m")


@lru_cache(maxsize=65536)
def ocr_letters(word: str) -> str:
    """`skeleton` of single characters only (an "rn" stays two letters)."""
    return word.translate(_SKELETON)


def canon_word(word: str, *, first: bool = False, last: bool = False) -> str:
    """One street/locality word in canonical form. `St` is Saint first and Street otherwise."""
    word = word.rstrip(".").replace("'", "").replace("’", "")
    if word in ("st", "saint") and first and not last:
        return "saint"
    return _ABBREV.get(word, word)


def canon_street(words: list[str]) -> list[str]:
    n = len(words)
    return [canon_word(w, first=i == 0, last=i == n - 1) for i, w in enumerate(words)]


@lru_cache(maxsize=16384)  # the matcher asks for the same few hundred tokens over and over
def house_number(token: str) -> str | None:
    """Canonical house number from a text token (`14`, `14a`, `19 (a)`, OCR `l4`, `3O`), else None."""
    if token.endswith(")"):
        token = token.replace(" ", "").replace("(", "").replace(")", "")
    if len(token) > 6 or not _HOUSE_RE.fullmatch(token):
        return None
    suffix = ""
    if len(token) > 2 and token[-2] == "-" and token[-1] in "abcdefgh":  # "66-a"
        token = token[:-2] + token[-1]
    if token[-1].isalpha() and token[-1] in "abcdefgh" and len(token) > 1 and token[-2].isdigit():
        token, suffix = token[:-1], token[-1]
    folded = token.translate(_NUMBER_FOLD)
    if not folded.isdigit():
        return None
    return str(int(folded)) + suffix


def canon_flat(value: str) -> str:
    """A flat's identifier as compared: "0-2" is 0/2, "5 a" is 5a."""
    value = value.replace(" ", "").replace("-", "/")
    return house_number(value) or value


_OCR_ONLY = str.maketrans("lio", "110")


def ocr_house_number(token: str) -> str | None:
    """A house number OCR'd with no real digit: `ll` -> 11, `lo` -> 10, `llo` -> 110."""
    if not 2 <= len(token) <= 3 or token[0] not in "li" or token.strip("lio"):
        return None
    return token.translate(_OCR_ONLY)


# --- postcodes (BS 7666) --------------------------------------------------------------
_PC_STRICT = re.compile(
    r"GIR0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)[0-9][ABD-HJLNP-UW-Z]{2}"
)
# Loose finder over case-folded text: letters may be OCR'd as digits and digits as letters,
# but at least one real digit must be there (so ordinary words never qualify).
# Which glyphs stand for which is decided by position (`canon_postcode`): a letter position read
# as 0/1/2/5/8 is O/I/Z/S/B, a digit position read as o/i/l/z/s/b is 0/1/1/2/5/8. Up to two
# spaces between the halves (typed, or padded by a form).
_L = "[a-z01258]"
_D = "[0-9oilszb]"
POSTCODE_FIND = re.compile(
    rf"(?<![a-z0-9])(?=[a-z0-9]{{1,4}} {{0,2}}[a-z0-9]{{3}}(?![a-z0-9]))(?=[a-z0-9 ]{{0,8}}\d)"
    rf"({_L}{_L}?{_D}[a-z0-9]?) {{0,2}}({_D}{_L}{_L})(?![a-z0-9])"
)
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B"})
_TO_DIGIT = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5", "Z": "2", "B": "8"})


def canon_postcode(outward: str, inward: str = "") -> str | None:
    """`bs1`, `4ab` (or `bs14ab`) -> `BS14AB` with positional OCR repair, or None if not a postcode."""
    raw = (outward + inward).replace(" ", "").upper()
    if not 5 <= len(raw) <= 7:
        return None
    if _PC_STRICT.fullmatch(raw):
        return raw
    out, inw = raw[:-3], raw[-3:]
    inw = inw[0].translate(_TO_DIGIT) + inw[1:].translate(_TO_LETTER)
    area = out[0].translate(_TO_LETTER)
    rest = out[1:]
    two_letters = area + rest[:1].translate(_TO_LETTER) + rest[1:2].translate(_TO_DIGIT)
    one_letter = area + rest[:1].translate(_TO_DIGIT)
    # the area is one or two letters, then the district's digit; what follows is a digit or a
    # letter (LS16, W1A, EC1A): read as written first, then as a digit ("G4I" is G41)
    one = (one_letter + rest[1:], one_letter + rest[1:].translate(_TO_DIGIT))
    two = (two_letters + rest[2:], two_letters + rest[2:].translate(_TO_DIGIT))
    readings = one + two if rest[:1].isdigit() else two + one  # as written first ("S018" is SO18)
    for cand in readings:
        if _PC_STRICT.fullmatch(cand + inw):
            return cand + inw
    return None


_PC_FOLD = str.maketrans("5018", "SOIB")


def postcode_key(postcode: str) -> str:
    """Canonical postcode with OCR look-alikes folded (`B51 4AB` and `BS1 4AB` read alike)."""
    return postcode.translate(_PC_FOLD)


def outward(postcode: str) -> str:
    return postcode[:-3]


# --- phones and emails ----------------------------------------------------------------
PHONE_FIND = re.compile(
    r"(?<![\w+])(?:(?:\+|00) ?44[ .\-]?(?:\(0\)[ .\-]?)?|\(?0[ .\-()]{0,2})\d(?:[ .\-()]{0,2}\d){8,10}(?!\d)"
)
EMAIL_FIND = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+")
EMAIL_OK = re.compile(r"[^@\s]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+")
# "ann [dot] example [at] outlook [dot] com", "(at)", "{dot}": only bracketed spellings (a bare
# "at" is too common a word to look behind every time)
_OBF = r"\s*[\[({{<]\s*{}\s*[\])}}>]\s*"
_OBF_AT, _OBF_DOT = _OBF.format("at"), _OBF.format("dot")
EMAIL_OBFUSCATED = re.compile(
    rf"[a-z0-9_%+\-]+(?:(?:\.|{_OBF_DOT})[a-z0-9_%+\-]+)*{_OBF_AT}[a-z0-9\-]+(?:(?:\.|{_OBF_DOT})[a-z0-9\-]+)+"
)
_OBF_PARTS = re.compile(rf"{_OBF_AT}|{_OBF_DOT}")


def deobfuscate_email(text: str) -> str:
    """`ann [dot] x [at] y [dot] com` -> `ann.x@y.com`."""
    return _OBF_PARTS.sub(lambda m: "@" if "at" in m.group() else ".", text)


def canon_phone(text: str) -> str | None:
    """UK phone in national form (`01174960123`), from +44/0044/(0)/spaces/dashes; else None."""
    digits = re.sub(r"\D", "", text)
    stripped = text.lstrip()
    if stripped.startswith(("+", "00")) or (digits.startswith("44") and not stripped.startswith("0")):
        if digits.startswith("0044"):
            digits = digits[4:]
        elif digits.startswith("44"):
            digits = digits[2:]
        else:
            return None
    if not digits.startswith("0"):
        digits = "0" + digits
    return digits if 10 <= len(digits) <= 11 and not digits.startswith("00") else None


def canon_email(text: str) -> str | None:
    text = text.strip().lower()
    return text if EMAIL_OK.fullmatch(text) else None


# --- a register address ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ParsedAddress:
    flat: str  # "" when none
    number: str  # canonical house number ("30c"); "" for a named house
    house_name: tuple[str, ...]  # words of a house name when there is no number
    street: tuple[str, ...]  # canonical street words
    places: tuple[tuple[str, ...], ...]  # localities then the town, canonical words each


_FLAT_RE = re.compile(
    r"^(?:flat|apartment|apt|unit|maisonette|studio|suite)\.?\s*([a-z0-9]+(?:\s*/\s*[a-z0-9]+)?)\s*,?\s*(.*)$"
)
_PO_BOX = re.compile(r"^(?:p\.?\s*o\.?\s*)?box\s*(?:no\.?\s*)?([0-9]{1,6})\b\s*(.*)$")
PO_BOX_STREET = ("po", "box")
_NUM_RE = re.compile(r"^(?:([0-9]+[a-z]?)\s*/\s*)?([0-9]+[a-z]?)\b\s*,?\s*(.*)$")


def strip_marks(text: str) -> str:
    """`Lôn Glyndŵr` -> `Lon Glyndwr`: Welsh and Gaelic accents are often left off (and sometimes
    added), so both the register and the scanned text are compared without them."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return WORD_RE.findall(strip_marks(text.casefold()).replace("-", " "))


def _has_type(part: str) -> bool:
    return any(w in STREET_TYPES or w in _ABBREV for w in words(part))


@lru_cache(maxsize=65536)
def _canon_part(part: str) -> tuple[str, ...]:
    """A street or place part in canonical words (remembered: streets and towns repeat across
    the rows of a register, and a 1 M-row compile parses each row once)."""
    return tuple(canon_street(words(part)))


def parse_address(address: str) -> ParsedAddress | None:
    """`Flat 12, 30C Cherry Lane, Leicester` -> parts; None when no street can be found."""
    parts = [p.strip() for p in address.casefold().split(",") if p.strip()]
    if not parts:
        return None
    box = _PO_BOX.match(parts[0])
    if box:  # a PO box (a refuge's address): the box number stands for the house number
        places = tuple(_canon_part(p) for p in [box.group(2), *parts[1:]])
        return ParsedAddress("", box.group(1), (), PO_BOX_STREET, tuple(p for p in places if p))
    flat = ""
    head = parts.pop(0)
    m = _FLAT_RE.match(head)
    if m:
        flat, head = m.group(1), m.group(2)
        if not head:
            if not parts:
                return None
            head = parts.pop(0)
    number = ""
    house_name: tuple[str, ...] = ()
    m = _NUM_RE.match(head)
    if m and m.group(1) and not flat:
        # A Scottish tenement flat ("2/1, 45 Gibson Street", "0/2 17 Kelvinhaugh Street"): when
        # another house number follows, "2/1" is the flat, not flat 2 of number 1.
        rest = m.group(3) or (parts[0] if parts else "")
        inner = _NUM_RE.match(rest)
        if inner and not inner.group(1):
            flat = f"{m.group(1)}/{m.group(2)}"
            if not m.group(3):
                parts.pop(0)
            head = rest
            m = _NUM_RE.match(head)
    if m:
        if m.group(1):
            flat = flat or m.group(1)
        number, head = m.group(2), m.group(3)
        if not head:  # "14, Acacia Avenue"
            if not parts:
                return None
            head = parts.pop(0)
    elif parts and (not _has_type(head) or _NUM_RE.match(parts[0]) or (len(parts) > 1 and _has_type(parts[0]))):
        # "Rose Cottage, Mill Lane, …"; and a house or building named like a street when a
        # street follows: "Flat 3, Foundry Court, 5 Mill Lane", "Fair View, Market Lane, York"
        house_name = tuple(words(head))
        head = parts.pop(0)
        m = _NUM_RE.match(head)
        if m:
            number, head = m.group(2), m.group(3)
    street = _canon_part(head)
    if not street:
        return None
    places = tuple(_canon_part(p) for p in parts)
    return ParsedAddress(flat.replace(" ", ""), number, house_name, street, tuple(p for p in places if p))


# Words after a number that make it a date, a quantity or a time, not a house number.
NOT_HOUSE_AFTER: frozenset[str] = frozenset(
    "jan january feb february mar march apr april may jun june jul july aug august sep sept september "
    "oct october nov november dec december mon monday tue tuesday wed wednesday thu thursday fri friday "
    "sat saturday sun sunday am pm pence p pounds gbp kg g mg ml l km m miles mile mph hours hour hrs "
    "minutes mins min seconds secs days day weeks week months month years year yrs percent per pages "
    "page items children adults people times x".split()
)


def named_street_key(street: Sequence[str]) -> str | None:
    """Index key of a named house's street (`Rose Cottage, Mill Lane`): its designator and the
    name word beside it (`mill`, `lane`; `lon`, `felin` for `Lôn y Felin`). None when the street
    has no designator to find it by."""
    if len(street) < 2:
        return None
    if street[-1] in STREET_TYPES:
        return f"hs:{street[-1]}:{skeleton(street[-2])}"
    if street[0] in LEADING_TYPES:
        name = [w for w in street[1:] if w not in _WELSH_ARTICLES]
        return f"hs:{street[0]}:{skeleton(name[0])}" if name else None
    return None


def designator_forms(street: Sequence[str]) -> set[str]:
    """How a named house's street designator may be written in text (`lane`, `road`, `cres`):
    the word and its abbreviations of three letters or more (two-letter ones, `rd`, `ln`, hide
    inside too many words to look for cheaply)."""
    kind = street[-1] if street[-1] in STREET_TYPES else street[0]
    return {kind} | {v.rstrip(".") for v in _TYPE_VARIANTS.get(kind, ()) if len(v.rstrip(".")) >= 3}
