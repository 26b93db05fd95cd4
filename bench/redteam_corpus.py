"""Generate a harder labelled corpus than ../shared/corpus/dev, in the same format.

    .venv/bin/python bench/redteam_corpus.py [OUT_DIR]        (default /tmp/redteam)
    .venv/bin/python ../shared/corpus/score_check.py OUT_DIR --show 500

Writes OUT_DIR/register.csv, settings.env, messages/*.eml and expected.jsonl (file, mail_from,
rcpt, expect, family, why). Families read `protected/<variant>/<carrier>`,
`protected-negative/<near miss>`, `exposure/<how>` and `exposure-negative/<how>`, so the scorer's
per-family lines name the wording or container that failed.

Everything is seeded: the same folder comes out byte for byte on every run.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr
from pathlib import Path

INTERNAL = "dept.example.gov.uk"
CONSUMER = ["gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk", "icloud.com", "btinternet.com"]
ORGS = ["partner-housing.org.uk", "northcare.nhs.example.uk", "fostering-trust.org", "legal-aid.example.com"]
FIRST = [
    "Amy",
    "Ben",
    "Chloe",
    "Dan",
    "Ella",
    "Finn",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kate",
    "Liam",
    "Mia",
    "Noah",
    "Olive",
    "Paul",
    "Ruby",
    "Sam",
    "Tara",
    "Will",
]
LAST = [
    "Adams",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Fisher",
    "Green",
    "Hughes",
    "Irwin",
    "Jones",
    "King",
    "Lewis",
    "Moore",
    "Nash",
    "Owen",
    "Price",
    "Reid",
    "Shaw",
    "Turner",
    "Walsh",
]
STREET_NAMES = [
    "Acacia",
    "Beech",
    "Cedar",
    "Hawthorn",
    "Juniper",
    "Larch",
    "Maple",
    "Rowan",
    "Willow",
    "Alder",
    "Blackthorn",
    "Chestnut",
    "Foxglove",
    "Heather",
    "Ivy",
    "Laurel",
    "Primrose",
    "Sycamore",
    "Thistle",
    "Clover",
    "Meadowsweet",
    "Kingfisher",
    "Nightingale",
    "Camden",
    "Elmhurst",
    "Hillcrest",
    "Lakeside",
    "Northgate",
    "Oakwood",
    "Parkfield",
    "Riverside",
    "Southmead",
    "Westbourne",
    "Ashdown",
    "Brookfield",
    "Greenacre",
    "Millbrook",
    "Redcliffe",
    "Stonehill",
    "Whitecross",
    "Burnham",
    "Fernleigh",
    "Glenmore",
    "Harrowby",
    "Linacre",
    "Mortimer",
    "Norland",
    "Pembroke",
    "Quantock",
    "Radnor",
    "Sandringham",
    "Tennyson",
]
# (full type, abbreviations a person or a form might write)
TYPES = [
    ("Road", ["Rd", "Rd."]),
    ("Street", ["St", "St."]),
    ("Avenue", ["Ave", "Av."]),
    ("Crescent", ["Cres", "Cresc."]),
    ("Gardens", ["Gdns", "Gdns."]),
    ("Terrace", ["Terr", "Tce"]),
    ("Court", ["Ct"]),
    ("Square", ["Sq"]),
    ("Place", ["Pl"]),
    ("Lane", ["Ln"]),
    ("Drive", ["Dr"]),
    ("Grove", ["Gr", "Gro"]),
    ("Close", ["Cl"]),
    ("Parade", ["Pde"]),
    ("Park", ["Pk"]),
    ("Mews", []),
    ("Way", []),
    ("Walk", []),
    ("Hill", []),
    ("Green", ["Grn"]),
]
TOWNS = {
    "Bristol": "BS",
    "Leeds": "LS",
    "Leicester": "LE",
    "Norwich": "NR",
    "Exeter": "EX",
    "Cardiff": "CF",
    "Plymouth": "PL",
    "Derby": "DE",
    "York": "YO",
    "Bath": "BA",
    "Oxford": "OX",
    "Reading": "RG",
    "Preston": "PR",
    "Bolton": "BL",
    "Wakefield": "WF",
    "Lincoln": "LN",
    "Sheffield": "S",
    "Manchester": "M",
    "Swindon": "SN",
    "Hereford": "HR",
}
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
FILLER = [
    "Thank you for your time on the phone earlier today.",
    "As discussed, the review meeting will go ahead as planned.",
    "Please let me know if anything in the summary below is not right.",
    "The panel will consider the report at its next sitting.",
    "I have copied in my manager so that she is aware of the position.",
    "We will write again once the assessment has been completed.",
    "Kind regards and thanks again for your help with this.",
    "The family has engaged well with the support offered so far.",
    "Contact arrangements remain under review by the team.",
    "Please treat the contents of this email as confidential.",
]


@dataclass
class Row:
    id: str
    name: str
    number: str  # "14" or "14A"
    street: str  # "Acacia"
    stype: str  # "Avenue" (as the register writes it)
    town: str
    postcode: str  # "BS1 4AB"
    flat: str = ""
    phone: str = ""
    email: str = ""
    flagged: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        flat = f"Flat {self.flat}, " if self.flat else ""
        sep = ", " if getattr(self, "number_comma", False) else " "
        return f"{flat}{self.number}{sep}{self.street} {self.stype}, {self.town}"

    def line(self, stype: str | None = None) -> str:
        return f"{self.number} {self.street} {stype or self.stype}"


class Corpus:
    def __init__(self, out: Path, seed: int = 7) -> None:
        self.out = out
        self.rnd = random.Random(seed)
        self.rows: list[Row] = []
        self.expected: list[dict[str, object]] = []
        self.used_streets: set[tuple[str, str, str]] = set()
        self.used_postcodes: set[str] = set()
        self.n = 0
        (out / "messages").mkdir(parents=True, exist_ok=True)

    # --- register ---------------------------------------------------------------------------
    def postcode(self, town: str) -> str:
        while True:
            pc = (
                f"{TOWNS[town]}{self.rnd.randint(1, 28)} {self.rnd.randint(1, 9)}"
                f"{self.rnd.choice(INWARD_LETTERS)}{self.rnd.choice(INWARD_LETTERS)}"
            )
            if pc not in self.used_postcodes:
                self.used_postcodes.add(pc)
                return pc

    def person_email(self) -> str:
        name = f"{self.rnd.choice(FIRST).lower()}.{self.rnd.choice(LAST).lower()}{self.rnd.randint(1, 999)}"
        return f"{name}@{self.rnd.choice(CONSUMER)}"

    def new_row(
        self,
        *,
        street: str | None = None,
        stype: str | None = None,
        town: str | None = None,
        number: str | None = None,
        flat: str = "",
        phone: bool = False,
        email: bool = False,
        flagged: list[str] | None = None,
    ) -> Row:
        while True:
            s = street or self.rnd.choice(STREET_NAMES)
            t = stype or self.rnd.choice(TYPES)[0]
            tw = town or self.rnd.choice(list(TOWNS))
            if (s, t, tw) not in self.used_streets or street:
                break
        self.used_streets.add((s, t, tw))
        row = Row(
            id=f"R{len(self.rows):06d}",
            name=f"{self.rnd.choice(FIRST)} {self.rnd.choice(LAST)}",
            number=number or str(self.rnd.randint(3, 240)),
            street=s,
            stype=t,
            town=tw,
            postcode=self.postcode(tw),
            flat=flat,
            phone=f"0117 496 {self.rnd.randint(0, 999):04d}" if phone else "",
            email=self.person_email() if email else "",
            flagged=flagged or [self.person_email()],
        )
        self.rows.append(row)
        return row

    def write_register(self) -> None:
        with (self.out / "register.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "name", "address", "postcode", "phone", "flagged_recipients", "email"])
            for r in self.rows:
                w.writerow([r.id, r.name, r.address, r.postcode, r.phone, ";".join(r.flagged), r.email])
        (self.out / "settings.env").write_text(
            f"MAILGUARD_INTERNAL_DOMAINS={INTERNAL}\nMAILGUARD_EXPOSURE_THRESHOLD=2\nMAILGUARD_REGISTER=register.csv\n"
        )

    # --- messages ---------------------------------------------------------------------------
    def sender(self) -> str:
        return f"{self.rnd.choice(FIRST).lower()}.{self.rnd.choice(LAST).lower()}@{INTERNAL}"

    def filler(self, k: int = 2) -> str:
        return " ".join(self.rnd.sample(FILLER, k))

    def add(self, data: bytes, mail_from: str, rcpt: list[str], expect: str, family: str, why: str) -> None:
        self.n += 1
        name = f"{self.n:04d}.eml"
        (self.out / "messages" / name).write_bytes(data)
        self.expected.append(
            {
                "file": name,
                "mail_from": mail_from,
                "rcpt": rcpt,
                "expect": expect,
                "family": family,
                "why": why,
            }
        )

    def write_expected(self) -> None:
        with (self.out / "expected.jsonl").open("w") as f:
            for e in self.expected:
                f.write(json.dumps(e) + "\n")


def message(
    frm: str,
    to: list[str],
    subject: str,
    text: str | None = None,
    *,
    cc: list[str] = (),
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = frm
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{random.Random(subject + frm).getrandbits(48)}@{INTERNAL}>"
    msg["Date"] = "Mon, 23 Nov 2026 10:00:00 +0000"
    for k, v in (headers or {}).items():
        msg[k] = v
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, data, ctype in attachments:
        main, _, sub = ctype.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg


def as_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=SMTP)


# --- documents --------------------------------------------------------------------------------
def zip_of(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def docx_bytes(build: Callable[[object], None]) -> bytes:
    from docx import Document

    doc = Document()
    build(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _xml_para(doc: object, xml: str) -> None:
    """Append a raw WordprocessingML paragraph (text boxes, tracked changes)."""
    from docx.oxml import parse_xml

    W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    fragment = xml.replace(
        "<w:p>",
        f"<w:p {W} "
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml">',
        1,
    )
    doc.element.body.append(parse_xml(fragment))  # type: ignore[attr-defined]


def xlsx_bytes(sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def pdf_bytes(text: str) -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.set_font("helvetica", size=11)
    doc.add_page()
    doc.multi_cell(0, 7, text)
    return bytes(doc.output())


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)


def odt_bytes(lines: list[str]) -> bytes:
    body = "".join(f"<text:p>{esc(x)}</text:p>" for x in lines)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS} office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
    return buf.getvalue()


def pptx_bytes(lines: list[str]) -> bytes:
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    paras = "".join(f"<a:p><a:r><a:t>{esc(x)}</a:t></a:r></a:p>" for x in lines)
    ctypes = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/ppt/presentation.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>'
    )
    return zip_of(
        {
            "[Content_Types].xml": ctypes,
            "ppt/presentation.xml": f'<p:presentation xmlns:p="{p}"/>',
            "ppt/slides/slide1.xml": f'<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"{paras}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>",
        }
    )


def rtf_bytes(lines: list[str]) -> bytes:
    body = "\\par\n".join(x.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}") for x in lines)
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs24 " + body + "\\par\n}").encode()


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- the families -----------------------------------------------------------------------------
def hold_case(
    c: Corpus,
    row: Row,
    family: str,
    text: str | None = None,
    *,
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
    subject: str = "Family assessment",
    data: bytes | None = None,
    expect: str = "hold",
) -> None:
    frm = c.sender()
    rcpt = [row.flagged[0]]
    if c.rnd.random() < 0.4:
        rcpt.append(c.sender())
    if data is None:
        data = as_bytes(message(frm, rcpt, subject, text, html=html, attachments=attachments))
    c.add(data, frm, rcpt, expect, family, f"mentions protected {row.id} to flagged recipient")


def pass_case(
    c: Corpus,
    family: str,
    rcpt: list[str],
    text: str | None = None,
    *,
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
    why: str = "",
    to: list[str] | None = None,
    cc: list[str] = (),
    data: bytes | None = None,
    subject: str = "Update",
) -> None:
    frm = c.sender()
    if data is None:
        data = as_bytes(
            message(frm, rcpt if to is None else to, subject, text, cc=cc, html=html, attachments=attachments)
        )
    c.add(data, frm, rcpt, "pass", family, why or "no protected address reaches a flagged recipient")


def wrap(c: Corpus, address_text: str, lead: str = "Current address of the family:") -> str:
    return f"Dear colleague,\n\n{c.filler()}\n\n{lead}\n{address_text}\n\n{c.filler(3)}\n"


def canonical(row: Row) -> str:
    flat = f"Flat {row.flat}, " if row.flat else ""
    return f"{flat}{row.line()}, {row.town}, {row.postcode}"


def wordings(c: Corpus) -> None:
    """The same kind of address written every way people write it (plain body)."""
    # every abbreviation of a full type, and every expansion of an abbreviated register entry
    for full, abbrevs in TYPES:
        for ab in abbrevs:
            row = c.new_row(stype=full)
            hold_case(
                c,
                row,
                f"protected/abbrev/{ab.rstrip('.')}",
                wrap(c, f"{row.number} {row.street} {ab} {row.town} {row.postcode}"),
            )
            row = c.new_row(stype=ab)
            hold_case(
                c,
                row,
                f"protected/expand/{full}",
                wrap(c, f"{row.number} {row.street} {full}, {row.town} {row.postcode}"),
            )
            row = c.new_row(stype=full)
            hold_case(
                c,
                row,
                f"protected/abbrev_no_postcode/{ab.rstrip('.')}",
                wrap(c, f"{row.number} {row.street} {ab}, {row.town}"),
            )
    # Saint / St
    for reg, written in [
        ("St Andrews", "Saint Andrews"),
        ("Saint Marys", "St Mary's"),
        ("St. Johns", "St Johns"),
        ("St Peters", "St. Peter's"),
    ]:
        row = c.new_row(street=reg, stype="Road")
        hold_case(c, row, "protected/saint/body", wrap(c, f"{row.number} {written} Road, {row.town} {row.postcode}"))
        row = c.new_row(street=reg, stype="Street")
        hold_case(c, row, "protected/saint_st_st/body", wrap(c, f"{row.number} {written} St, {row.town}"))
    # flats
    flat_names = {
        "Flat {f}, {n} {s}": "flat_comma",
        "{f}/{n} {s}": "slash",
        "Apartment {f}, {n} {s}": "apartment",
        "Flat {f} {n} {s}": "flat_no_comma",
        "Apt {f}, {n} {s}": "apt",
        "Flat {f}\n{n} {s}": "flat_newline",
        "{n} {s} (flat {f})": "flat_after",
    }
    for form in flat_names:
        row = c.new_row(flat=str(c.rnd.randint(1, 12)))
        body = form.format(f=row.flat, n=row.number, s=f"{row.street} {row.stype}") + f", {row.town} {row.postcode}"
        hold_case(c, row, f"protected/flat/{flat_names[form]}", wrap(c, body))
    row = c.new_row(flat="3")
    hold_case(c, row, "protected/flat_omitted/body", wrap(c, f"{row.line()}, {row.town}"))
    # 14a
    for form in ["{n}a {s}", "{n}A {s}", "{n} A {s}", "{n}-A {s}"]:
        row = c.new_row(number=f"{c.rnd.randint(3, 99)}A")
        n = row.number[:-1]
        hold_case(
            c,
            row,
            "protected/letter_suffix/body",
            wrap(c, form.format(n=n, s=f"{row.street} {row.stype}") + f", {row.town} {row.postcode}"),
        )
    # postcode forms
    for fam, fmt in [
        ("postcode_first", "{pc}, {line}, {town}"),
        ("postcode_first_no_town", "{pc} {line}"),
        ("postcode_lower_nospace", "{line}, {town} {pcl}"),
        ("postcode_lower", "{line}\n{town}\n{pclsp}"),
        ("postcode_extra_space", "{line}, {town}  {pcx}"),
        ("number_postcode", "No. {n}, {pc}"),
        ("number_postcode", "{n}, {pc}"),
        ("number_postcode", "house number {n}, postcode {pcl}"),
        ("number_postcode", "Postcode: {pc}\nHouse number: {n}"),
        ("number_postcode_reversed", "{pc} ({n})"),
        ("all_caps_no_commas", "{LINE} {TOWN} {pcs}"),
        ("tabs_spaces", "{n}\t{street}  {stype} ,  {town} ,{pc}"),
        ("nbsp", "{n}\u00a0{street}\u00a0{stype},\u00a0{town}\u00a0{pc}"),
        ("comma_after_number", "{n}, {street} {stype}, {town}"),
        ("no_prefix", "No. {n} {street} {stype}, {town}"),
        ("number_word", "number {n} {street} {stype} in {town}"),
        ("split_lines", "{n}\n{street} {stype}\n{town}\n{pc}"),
        ("split_lines", "{n} {street}\n{stype}\n{town}"),
        ("dash_separated", "{n} {street} {stype} - {town} - {pc}"),
        ("quoted_reply", "> They are now at {line},\n> {town} {pc}"),
    ]:
        row = c.new_row()
        pc = row.postcode
        body = fmt.format(
            pc=pc,
            pcl=pc.lower().replace(" ", ""),
            pclsp=pc.lower(),
            pcx=pc.replace(" ", "  "),
            pcs=pc.replace(" ", ""),
            line=row.line(),
            LINE=row.line().upper(),
            TOWN=row.town.upper(),
            town=row.town,
            n=row.number,
            street=row.street,
            stype=row.stype,
        )
        hold_case(c, row, f"protected/{fam}/body", wrap(c, body))
    # in a sentence
    for fmt in [
        "she now lives at {n} {sl} {tl}, {town}",
        "The children have moved to {n} {sl} {tl} with mum.",
        "mum is staying at {n} {sl} {tl} ({town}) for now",
        "visit at {n} {sl} {tl}, {town} on Monday",
    ]:
        row = c.new_row(stype="Avenue")
        hold_case(
            c,
            row,
            "protected/sentence/body",
            wrap(c, fmt.format(n=row.number, sl=row.street.lower(), tl="ave", town=row.town.lower()), lead=""),
        )
    # typos and OCR slips
    for fam, fn in [
        ("typo_swap", lambda s: s[0] + s[2] + s[1] + s[3:]),
        ("typo_drop", lambda s: s[:3] + s[4:]),
        ("typo_double", lambda s: s[:3] + s[3] + s[3:]),
        ("ocr_rn_m", lambda s: s.replace("m", "rn")),
        ("ocr_l_1", lambda s: s.replace("l", "1")),
        ("ocr_o_0", lambda s: s.replace("o", "0")),
    ]:
        for _ in range(2):
            need = {"ocr_rn_m": "m", "ocr_l_1": "l", "ocr_o_0": "o"}.get(fam, "")
            street = c.rnd.choice([s for s in STREET_NAMES if need in s.lower()] if need else STREET_NAMES)
            row = c.new_row(street=street)
            hold_case(
                c,
                row,
                f"protected/{fam}/body",
                wrap(c, f"{row.number} {fn(row.street)} {row.stype}, {row.town} {row.postcode}"),
            )
    for fam, fn in [
        ("ocr_number", lambda r: r.number.replace("1", "l").replace("0", "O")),
        ("ocr_postcode", lambda r: r.postcode.replace("0", "O").replace("1", "I")),
    ]:
        row = c.new_row(number=c.rnd.choice(["10", "11", "101", "110", "17"]))
        text = (
            f"{fn(row)} {row.street} {row.stype}, {row.town}"
            if fam == "ocr_number"
            else f"{row.number} {row.street} {row.stype} {fn(row)}"
        )
        hold_case(c, row, f"protected/{fam}/body", wrap(c, text))
    # subject line only
    row = c.new_row()
    hold_case(
        c,
        row,
        "protected/subject/header",
        "Please see the subject line.",
        subject=f"Visit to {row.line()}, {row.town}",
    )


def tables(c: Corpus) -> None:
    """Addresses split over HTML and DOCX table cells, label/value tables."""
    row = c.new_row()
    cells = [row.number, f"{row.street} {row.stype}", row.town, row.postcode]
    tr = "".join(f"<td>{esc(x)}</td>" for x in cells)
    hold_case(
        c,
        row,
        "protected/cells/html_table",
        "See the table.",
        html=f"<p>{c.filler()}</p><table><tr><th>No</th><th>Street</th><th>Town</th><th>Postcode</th></tr>"
        f"<tr>{tr}</tr></table>",
    )
    row = c.new_row()
    label = [
        ("House number", row.number),
        ("Street", f"{row.street} {row.stype}"),
        ("Town", row.town),
        ("Postcode", row.postcode),
    ]
    trs = "".join(f"<tr><td>{a}</td><td>{esc(b)}</td></tr>" for a, b in label)
    hold_case(c, row, "protected/label_value/html_table", "See the table.", html=f"<table>{trs}</table>")
    row = c.new_row()
    label = [
        ("Address line 1", f"{row.number} {row.street} {row.stype}"),
        ("Town", row.town),
        ("Postcode", row.postcode),
    ]

    def lv(doc: object) -> None:
        doc.add_paragraph(c.filler())  # type: ignore[attr-defined]
        t = doc.add_table(rows=0, cols=2)  # type: ignore[attr-defined]
        for a, b in label:
            cells_ = t.add_row().cells
            cells_[0].text, cells_[1].text = a, b

    hold_case(
        c,
        row,
        "protected/label_value/docx_table",
        "Attached.",
        attachments=[
            (
                "referral.docx",
                docx_bytes(lv),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
        ],
    )
    row = c.new_row()
    label2 = [
        ("House number", row.number),
        ("Street", f"{row.street} {row.stype}"),
        ("Postcode", row.postcode),
    ]

    def lv2(doc: object) -> None:
        t = doc.add_table(rows=0, cols=2)  # type: ignore[attr-defined]
        for a, b in label2:
            cells_ = t.add_row().cells
            cells_[0].text, cells_[1].text = a, b

    hold_case(
        c,
        row,
        "protected/label_value_number/docx_table",
        "Attached.",
        attachments=[
            (
                "form.docx",
                docx_bytes(lv2),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
        ],
    )
    row = c.new_row()
    sheet = [
        ["Name", "House", "Street", "Town", "Postcode"],
        ["Child A", row.number, f"{row.street} {row.stype}", row.town, row.postcode],
    ]
    hold_case(
        c,
        row,
        "protected/cells/xlsx_number_cell",
        "Attached.",
        attachments=[
            (
                "list.xlsx",
                xlsx_bytes(
                    {
                        "Sheet1": [
                            [x if i or j == 0 or x != row.number else int(x) for i, x in enumerate(r)]
                            for j, r in enumerate(sheet)
                        ]
                    }
                ),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ],
    )
    row = c.new_row()
    sheet = [
        ["Field", "Value"],
        ["Address 1", row.line()],
        ["Address 2", ""],
        ["City", row.town],
        ["Postcode", row.postcode],
    ]
    hold_case(
        c,
        row,
        "protected/label_value/xlsx",
        "Attached.",
        attachments=[
            (
                "details.xlsx",
                xlsx_bytes({"Details": sheet}),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ],
    )


def containers(c: Corpus) -> None:
    """The canonical address in every container a sender might use."""

    def docx_with(fn: Callable[[object, str], None]) -> Callable[[str], bytes]:
        def make(text: str) -> bytes:
            def build(doc: object) -> None:
                doc.add_paragraph(c.filler())  # type: ignore[attr-defined]
                fn(doc, text)

            return docx_bytes(build)

        return make

    def header(doc: object, text: str) -> None:
        doc.sections[0].header.paragraphs[0].text = text  # type: ignore[attr-defined]

    def footer(doc: object, text: str) -> None:
        doc.sections[0].footer.paragraphs[0].text = text  # type: ignore[attr-defined]

    def comment(doc: object, text: str) -> None:
        p = doc.add_paragraph("Family now rehoused.")  # type: ignore[attr-defined]
        doc.add_comment(p.runs, text=text, author="Case worker")  # type: ignore[attr-defined]

    def textbox(doc: object, text: str) -> None:
        _xml_para(
            doc,
            '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
            "<a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>"
            f"{esc(text)}</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData>"
            "</a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"
            f"<w:txbxContent><w:p><w:r><w:t>{esc(text)}</w:t></w:r></w:p></w:txbxContent></v:textbox>"
            "</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>",
        )

    def deleted(doc: object, text: str) -> None:
        _xml_para(
            doc,
            '<w:p><w:r><w:t xml:space="preserve">Address: </w:t></w:r><w:del w:id="1" w:author="x" '
            f'w:date="2026-01-01T00:00:00Z"><w:r><w:delText>{esc(text)}</w:delText></w:r></w:del></w:p>',
        )

    def runs(doc: object, text: str) -> None:
        p = doc.add_paragraph()  # type: ignore[attr-defined]
        for i in range(0, len(text), 3):
            r = p.add_run(text[i : i + 3])
            r.bold = i % 2 == 0

    def cells_split(doc: object, text: str) -> None:
        parts = text.split(" ")
        t = doc.add_table(rows=1, cols=len(parts))  # type: ignore[attr-defined]
        for cell, part in zip(t.rows[0].cells, parts, strict=True):
            cell.text = part

    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    makers: list[tuple[str, Callable[[str], list[tuple[str, bytes, str]]]]] = [
        ("pdf", lambda t: [("report.pdf", pdf_bytes(wrap(c, t)), "application/pdf")]),
        ("zip", lambda t: [("bundle.zip", zip_of({"notes/report.txt": wrap(c, t)}), "application/zip")]),
        (
            "zip_docx",
            lambda t: [("bundle.zip", zip_of({"report.docx": docx_with(runs)(t)}), "application/zip")],
        ),
        (
            "nested_zip",
            lambda t: [
                (
                    "outer.zip",
                    zip_of({"inner.zip": zip_of({"deep/inner2.zip": zip_of({"a.txt": wrap(c, t)})})}),
                    "application/zip",
                )
            ],
        ),
        (
            "zip_octet_stream",
            lambda t: [("files.dat", zip_of({"x.csv": f'name,address\nA,"{t}"\n'}), "application/octet-stream")],
        ),
        (
            "odt",
            lambda t: [("letter.odt", odt_bytes([c.filler(), t]), "application/vnd.oasis.opendocument.text")],
        ),
        (
            "pptx",
            lambda t: [
                (
                    "slides.pptx",
                    pptx_bytes(["Case review", t]),
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                )
            ],
        ),
        ("rtf", lambda t: [("letter.rtf", rtf_bytes([c.filler(), t]), "application/rtf")]),
        ("rtf_as_msword", lambda t: [("letter.doc", rtf_bytes([c.filler(), t]), "application/msword")]),
        (
            "xlsx_hidden_sheet",
            lambda t: [
                (
                    "data.xlsx",
                    xlsx_bytes({"Summary": [["Nothing here"]], "Hidden": [["Address"], [t]]}, hidden=("Hidden",)),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            ],
        ),
        ("docx_header", lambda t: [("a.docx", docx_with(header)(t), DOCX)]),
        ("docx_footer", lambda t: [("a.docx", docx_with(footer)(t), DOCX)]),
        ("docx_comment", lambda t: [("a.docx", docx_with(comment)(t), DOCX)]),
        ("docx_textbox", lambda t: [("a.docx", docx_with(textbox)(t), DOCX)]),
        ("docx_tracked_deletion", lambda t: [("a.docx", docx_with(deleted)(t), DOCX)]),
        ("docx_split_runs", lambda t: [("a.docx", docx_with(runs)(t), DOCX)]),
        ("docx_word_per_cell", lambda t: [("a.docx", docx_with(cells_split)(t), DOCX)]),
        ("csv", lambda t: [("export.csv", f'ref,address\nA1,"{t}"\n'.encode(), "text/csv")]),
        ("txt_cp1252", lambda t: [("notes.txt", ("Notes \u2013 " + t).encode("cp1252"), "text/plain")]),
        ("vcard", lambda t: [("contact.vcf", vcard(t), "text/vcard")]),
    ]
    for name, make in makers:
        row = c.new_row()
        hold_case(
            c,
            row,
            f"protected/{name}/canonical",
            f"{c.filler()}\n\nPlease see attached.",
            attachments=make(canonical(row)),
        )
    # attached messages
    for name in ("eml_rfc822", "eml_octet", "eml_in_zip", "eml_nested_twice"):
        row = c.new_row()
        inner = as_bytes(message(c.sender(), [c.sender()], "Fwd: address", wrap(c, canonical(row))))
        frm = c.sender()
        rcpt = [row.flagged[0]]
        msg = message(frm, rcpt, "FW: case", "See below.")
        if name == "eml_rfc822":
            from email import message_from_bytes
            from email.policy import default

            msg.add_attachment(message_from_bytes(inner, policy=default))
        elif name == "eml_octet":
            msg.add_attachment(inner, maintype="application", subtype="octet-stream", filename="original.eml")
        elif name == "eml_in_zip":
            msg.add_attachment(
                zip_of({"mail/original.eml": inner}),
                maintype="application",
                subtype="zip",
                filename="mails.zip",
            )
        else:
            from email import message_from_bytes
            from email.policy import default

            mid = message(c.sender(), [c.sender()], "FW: FW", "fwd")
            mid.add_attachment(message_from_bytes(inner, policy=default))
            msg.add_attachment(message_from_bytes(as_bytes(mid), policy=default))
        c.add(
            as_bytes(msg),
            frm,
            rcpt,
            "hold",
            f"protected/{name}/canonical",
            f"mentions protected {row.id} to flagged recipient",
        )
    # an invite whose LOCATION is the protected address
    row = c.new_row()
    loc = canonical(row).replace(",", "\\,")
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x1\r\nDTSTART:20261201T100000Z\r\n"
        f"SUMMARY:Home visit\r\nLOCATION:{loc}\r\nORGANIZER:mailto:{c.sender()}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    hold_case(
        c,
        row,
        "protected/ics_location/canonical",
        "Invite attached.",
        attachments=[("invite.ics", ics.encode(), "text/calendar")],
    )
    html_tricks(c)
    encodings(c)


def vcard(text: str) -> bytes:
    # ADR: PO box; extended; street; locality; region; postcode; country
    parts = [p.strip() for p in text.split(",")]
    street, town, pc = parts[-3], parts[-2], parts[-1]
    adr = f"ADR;TYPE=home:;;{street};{town};;{pc};UK"
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Client\r\n{adr}\r\nEND:VCARD\r\n".encode()


def html_tricks(c: Corpus) -> None:
    def entities(t: str) -> str:
        return "".join(f"&#{ord(ch)};" if ch.isalnum() and i % 2 else ch for i, ch in enumerate(t))

    def zw(t: str) -> str:
        return "\u200b".join(t)

    def comment(row: Row) -> str:
        n = row.number
        return f"{n[0]}<!-- x -->{n[1:]} {esc(row.street)}<!---->&nbsp;{row.stype}, {row.town} {row.postcode}"

    def spans(t: str) -> str:
        return "".join(f"<span>{esc(ch)}</span>" for ch in t)

    tricks: list[tuple[str, Callable[[Row], str]]] = [
        ("entities", lambda r: entities(canonical(r))),
        ("named_entities", lambda r: canonical(r).replace(" ", "&nbsp;").replace(",", "&#44;")),
        ("zero_width", lambda r: esc(zw(canonical(r)))),
        (
            "soft_hyphen",
            lambda r: esc(canonical(r).replace(r.street, r.street[:3] + "\u00ad" + r.street[3:])),
        ),
        ("comment_in_number", comment),
        ("hidden_span", lambda r: f'<span style="display:none">{esc(canonical(r))}</span>'),
        ("white_text", lambda r: f'<font color="#ffffff" size="1">{esc(canonical(r))}</font>'),
        ("span_per_char", lambda r: spans(canonical(r))),
        ("br_split", lambda r: f"{r.number}<br>{r.street} {r.stype}<br>{r.town}<br>{r.postcode}"),
        (
            "div_split",
            lambda r: f"<div>{r.number} {r.street}</div><div>{r.stype}</div><div>{r.town} {r.postcode}</div>",
        ),
        (
            "fullwidth_digits",
            lambda r: esc(
                canonical(r).replace(r.number, r.number.translate(str.maketrans("0123456789", "０１２３４５６７８９")))
            ),
        ),
        (
            "homoglyph_cyrillic",
            lambda r: esc(
                canonical(r).replace(
                    r.street,
                    r.street.translate(str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441"})),
                )
            ),
        ),
        ("title_attr", lambda r: f'<a title="{esc(canonical(r))}" href="#">details</a>'),
        (
            "mailto_in_href",
            lambda r: f'<a href="https://maps.example.com/?q={canonical(r).replace(" ", "+")}">map</a>',
        ),
    ]
    for name, fn in tricks:
        row = c.new_row(stype=c.rnd.choice(["Road", "Avenue", "Close"]))
        html = f"<html><body><p>{c.filler()}</p><p>Address: {fn(row)}</p><p>{c.filler()}</p></body></html>"
        alt = c.rnd.random() < 0.5
        hold_case(
            c,
            row,
            f"protected/html_{name}/canonical",
            "Please view this message in HTML." if alt else None,
            html=html,
        )


def encodings(c: Corpus) -> None:
    def raw(frm: str, rcpt: list[str], ctype: str, cte: str, body: bytes, extra: str = "") -> bytes:
        head = (
            f"From: {frm}\r\nTo: {', '.join(rcpt)}\r\nSubject: Update\r\nMessage-ID: <enc{c.n}@{INTERNAL}>\r\n"
            f"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        )
        return (head + extra + f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n").encode() + body

    def b64(data: bytes) -> bytes:
        return base64.encodebytes(data).replace(b"\n", b"\r\n")

    import quopri

    cases: list[tuple[str, Callable[[str], tuple[str, str, bytes]]]] = [
        ("utf16_base64", lambda t: ('text/plain; charset="utf-16"', "base64", b64(t.encode("utf-16")))),
        (
            "utf16le_base64",
            lambda t: ('text/plain; charset="utf-16le"', "base64", b64(t.encode("utf-16-le"))),
        ),
        (
            "latin1_qp",
            lambda t: (
                'text/plain; charset="iso-8859-1"',
                "quoted-printable",
                quopri.encodestring(("Caf\u00e9 note: " + t).encode("latin-1"), quotetabs=True),
            ),
        ),
        (
            "qp_every_char",
            lambda t: (
                'text/plain; charset="us-ascii"',
                "quoted-printable",
                "".join(f"={b:02X}" if i % 3 else chr(b) for i, b in enumerate(t.encode())).encode(),
            ),
        ),
        ("utf7", lambda t: ('text/plain; charset="utf-7"', "7bit", t.encode("utf-7"))),
        (
            "cp1252_8bit",
            lambda t: (
                'text/plain; charset="windows-1252"',
                "8bit",
                ("\u201c" + t + "\u201d").encode("cp1252"),
            ),
        ),
        ("ebcdic_cp500", lambda t: ('text/plain; charset="cp500"', "base64", b64(t.encode("cp500")))),
        (
            "html_utf16_base64",
            lambda t: (
                'text/html; charset="utf-16"',
                "base64",
                b64(f"<html><body><p>{t}</p></body></html>".encode("utf-16")),
            ),
        ),
        ("no_charset_utf8_8bit", lambda t: ("text/plain", "8bit", ("\u2013 " + t).encode())),
    ]
    for name, fn in cases:
        row = c.new_row()
        frm, rcpt = c.sender(), [row.flagged[0]]
        ctype, cte, body = fn(wrap(c, canonical(row)))
        c.add(
            raw(frm, rcpt, ctype, cte, body),
            frm,
            rcpt,
            "hold",
            f"protected/enc_{name}/canonical",
            f"mentions protected {row.id} to flagged recipient",
        )
    # RFC 2231 filename, attachment in a UTF-16 text file
    row = c.new_row()
    frm, rcpt = c.sender(), [row.flagged[0]]
    boundary = "b1"
    text = wrap(c, canonical(row)).encode("utf-16")
    body = (
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--{boundary}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9%20adresse.txt\r\n\r\n"
    ).encode()
    body += b64(text) + f"--{boundary}--\r\n".encode()
    c.add(
        raw(frm, rcpt, f'multipart/mixed; boundary="{boundary}"', "7bit", body),
        frm,
        rcpt,
        "hold",
        "protected/enc_rfc2231_utf16_attachment/canonical",
        f"mentions protected {row.id} to flagged recipient",
    )
    # RFC 2231 continuation of the filename of a zip
    row = c.new_row()
    frm, rcpt = c.sender(), [row.flagged[0]]
    z = zip_of({"addr.txt": wrap(c, canonical(row))})
    body = (
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--{boundary}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename*0="case-"; filename*1="bundle.zip"\r\n\r\n'
    ).encode()
    body += b64(z) + f"--{boundary}--\r\n".encode()
    c.add(
        raw(frm, rcpt, f'multipart/mixed; boundary="{boundary}"', "7bit", body),
        frm,
        rcpt,
        "hold",
        "protected/enc_rfc2231_continuation_zip/canonical",
        f"mentions protected {row.id} to flagged recipient",
    )
    # base64 body with no MIME-Version and uppercase encoding name
    row = c.new_row()
    frm, rcpt = c.sender(), [row.flagged[0]]
    data = (
        f"From: {frm}\r\nTo: {rcpt[0]}\r\nSubject: x\r\nContent-Type: TEXT/PLAIN; CHARSET=UTF-8\r\n"
        "Content-Transfer-Encoding: BASE64\r\n\r\n"
    ).encode() + b64(wrap(c, canonical(row)).encode())
    c.add(
        data,
        frm,
        rcpt,
        "hold",
        "protected/enc_upper_base64_no_mime_version/canonical",
        f"mentions protected {row.id} to flagged recipient",
    )


def phones_emails(c: Corpus) -> None:
    for fmt in [
        "0117 496 {x}",
        "0117-496-{x}",
        "(0117) 496{x}",
        "+44 117 496 {x}",
        "+44 (0)117 496 {x}",
        "0044 117 496 {x}",
        "01174 96{x}",
        "tel:+44117496{x}",
        "0117496{x}",
        "+44117496{x}",
    ]:
        row = c.new_row(phone=True)
        x = row.phone[-4:]
        hold_case(c, row, "protected/phone/body", wrap(c, f"Her new number is {fmt.format(x=x)}.", lead="Update:"))
    for where in ("body", "html_mailto", "mixed_case", "cc_header", "obfuscated_at"):
        row = c.new_row(email=True)
        frm = c.sender()
        rcpt = [row.flagged[0]]
        e = row.email
        if where == "body":
            msg = message(frm, rcpt, "Contact", wrap(c, f"You can reach her on {e}", lead="Contact:"))
        elif where == "html_mailto":
            msg = message(frm, rcpt, "Contact", None, html=f'<p>Write to <a href="mailto:{e}">her</a>.</p>')
        elif where == "mixed_case":
            msg = message(frm, rcpt, "Contact", wrap(c, f"Email: {e.upper()}", lead="Contact:"))
        elif where == "cc_header":
            msg = message(frm, rcpt, "Meeting", "Please both attend.", cc=[e])
            rcpt = [*rcpt, e]
        else:
            msg = message(frm, rcpt, "Contact", wrap(c, "Email: " + e.replace("@", " [at] ").replace(".", " [dot] ")))
            c.add(
                as_bytes(msg),
                frm,
                rcpt,
                "hold",
                f"protected/email/{where}",
                f"mentions protected {row.id} to flagged recipient (obfuscated, a stretch)",
            )
            continue
        c.add(
            as_bytes(msg),
            frm,
            rcpt,
            "hold",
            f"protected/email/{where}",
            f"mentions protected {row.id} to flagged recipient",
        )


def negatives(c: Corpus) -> None:
    for _ in range(6):  # neighbour: same street and postcode, another number
        row = c.new_row(number=str(c.rnd.randint(10, 90)))
        other = str(int(row.number) + c.rnd.choice([-2, 2, 1, 10]))
        pass_case(
            c,
            "protected-negative/neighbour",
            [row.flagged[0]],
            wrap(c, f"{other} {row.street} {row.stype}, {row.town} {row.postcode}", lead="Neighbour's address:"),
        )
    for _ in range(4):
        row = c.new_row(number=str(c.rnd.randint(10, 90)))
        other = str(int(row.number) + 2)
        pass_case(
            c,
            "protected-negative/neighbour_number_postcode",
            [row.flagged[0]],
            wrap(c, f"No. {other}, {row.postcode}"),
        )
    for _ in range(6):  # same street, another town (and that town's postcode, or none)
        row = c.new_row()
        town = c.rnd.choice([t for t in TOWNS if t != row.town])
        with_pc = c.rnd.random() < 0.5
        pc = f" {c.postcode(town)}" if with_pc else ""
        pass_case(
            c,
            "protected-negative/same_street_other_town",
            [row.flagged[0]],
            wrap(c, f"{row.line()}, {town}{pc}"),
        )
    for _ in range(4):  # same number and street name, another street type, same town
        row = c.new_row(stype="Avenue")
        pass_case(
            c,
            "protected-negative/other_street_type",
            [row.flagged[0]],
            wrap(c, f"{row.number} {row.street} Road, {row.town}"),
        )
    for _ in range(4):
        row = c.new_row()
        district = row.postcode.split()[0]
        pass_case(
            c,
            "protected-negative/district_alone",
            [row.flagged[0]],
            wrap(c, f"The family has moved out of the {district} area of {row.town}."),
        )
    for _ in range(3):
        row = c.new_row()
        pass_case(
            c,
            "protected-negative/postcode_alone",
            [row.flagged[0]],
            wrap(c, f"Our {row.town} office covers {row.postcode} and the nearby streets."),
        )
    for fmt in [
        "Order {n} was delivered to the {s} {t} depot.",
        "Invoice {n}: {s} {t} branch repairs.",
        "See page {n}. {s} {t} is closed for works.",
        "Room {n}, {s} {t} Community Centre",
        "Chapter {n} {s} {t} history.",
        "Case ref {n} {s} {t} review",
        "£{n} {s} {t} parking fee",
        "Bus {n} {s} {t} stop",
    ]:
        row = c.new_row()
        pass_case(
            c,
            "protected-negative/number_not_house",
            [row.flagged[0]],
            wrap(c, fmt.format(n=row.number, s=row.street, t=row.stype) + f" {row.town}."),
        )
    for _ in range(4):  # house number of one row, postcode of another
        a, b = c.new_row(number="14"), c.new_row(number="22")
        pass_case(
            c,
            "protected-negative/number_postcode_other_row",
            [b.flagged[0]],
            wrap(c, f"No. {a.number}, {b.postcode}"),
        )
    for _ in range(4):
        row = c.new_row()
        pass_case(c, "protected-negative/internal_only", [c.sender(), c.sender()], wrap(c, canonical(row)))
    for _ in range(4):
        row = c.new_row()
        pass_case(c, "protected-negative/flagged_no_mention", [row.flagged[0]], wrap(c, "No address in this one."))
    for _ in range(4):
        row = c.new_row()
        other = c.person_email()
        pass_case(c, "protected-negative/mention_unflagged", [other], wrap(c, canonical(row)))
    for _ in range(3):
        row = c.new_row(flat="2")
        pass_case(
            c,
            "protected-negative/other_flat",
            [row.flagged[0]],
            wrap(c, f"Flat 5, {row.line()}, {row.town} {row.postcode}"),
        )
    for _ in range(3):
        row = c.new_row(phone=True)
        last = int(row.phone[-4:])
        pass_case(
            c,
            "protected-negative/neighbour_phone",
            [row.flagged[0]],
            wrap(c, f"Office number: 0117 496 {(last + 1) % 10000:04d}", lead="Contact:"),
        )
    for month in ("May", "June", "March"):  # a date right before a street name
        row = c.new_row(number=str(c.rnd.randint(3, 28)))
        pass_case(
            c,
            "protected-negative/date_before_street",
            [row.flagged[0]],
            wrap(c, f"On {row.number} {month} {row.street} {row.stype} was closed for resurfacing, {row.town}."),
        )
    for _ in range(3):
        row = c.new_row(number="14")
        pass_case(
            c,
            "protected-negative/number_in_date_time",
            [row.flagged[0]],
            wrap(c, f"Meeting at 14:00 on 14/12. {row.street} {row.stype} entrance, {row.town}."),
        )
    for _ in range(3):
        row = c.new_row(number=str(c.rnd.randint(20, 99)))
        pass_case(
            c,
            "protected-negative/number_amount_near_postcode",
            [row.flagged[0]],
            wrap(c, f"Parking permit for {row.postcode} costs £{row.number}.00 a year ({row.number}%)."),
        )


def party(c: Corpus, kind: str) -> str:
    if kind == "consumer":
        return formataddr((f"{c.rnd.choice(FIRST)} {c.rnd.choice(LAST)}", c.person_email()))
    dom = c.rnd.choice(ORGS)
    return formataddr((c.rnd.choice(FIRST), f"{c.rnd.choice(FIRST).lower()}@{dom}"))


def bare(addr: str) -> str:
    return addr.rpartition("<")[2].rstrip(">")


def exposure(c: Corpus) -> None:
    def case(
        to: list[str],
        cc: list[str],
        expect: str,
        family: str,
        why: str,
        extra_rcpt: list[str] = (),
        data: bytes | None = None,
    ) -> None:
        frm = c.sender()
        rcpt = [bare(a) for a in (*to, *cc)] + list(extra_rcpt)
        if data is None:
            data = as_bytes(message(frm, to, "Consultation", f"Dear all,\n\n{c.filler(3)}\n", cc=cc))
        c.add(data, frm, rcpt, expect, family, why)

    for n in (2, 3, 7):
        case(
            [party(c, "consumer") for _ in range(n)],
            [],
            "rewrite",
            "exposure/to_consumers",
            f"{n} consumer parties in To",
        )
    case(
        [party(c, "consumer")],
        [party(c, "org")],
        "rewrite",
        "exposure/to_cc_mix",
        "consumer in To, org in Cc",
    )
    case(
        [f"colleague@{INTERNAL}"],
        [party(c, "consumer"), party(c, "consumer")],
        "rewrite",
        "exposure/cc_only",
        "two consumers in Cc",
    )
    doms = c.rnd.sample(ORGS, 3)
    case([f"a@{d}" for d in doms], [], "rewrite", "exposure/orgs", "three organisations in To")
    case(
        ["Smith, John <john.smith@gmail.com>", '"O\'Brien, Ann" <ann.ob@outlook.com>'],
        [],
        "rewrite",
        "exposure/quoted_display_names",
        "display names with commas",
    )
    a, b = c.person_email(), c.person_email()
    frm = c.sender()
    data = as_bytes(message(frm, [], "Group", "Hello all", headers={"To": f"Parents: {a}, {b};"}))
    c.add(data, frm, [a, b], "rewrite", "exposure/group_syntax", "group syntax exposes two consumers")
    a, b = c.person_email(), c.person_email()
    data = (f"From: {frm}\r\nTo: {a},\r\n {b}\r\nSubject: folded\r\n\r\nhi\r\n").encode()
    c.add(data, frm, [a, b], "rewrite", "exposure/folded_to", "folded To header")
    a = c.person_email()
    b = "jo.bloggs@gmail.com"
    data = (f"From: {frm}\r\nTo: =?utf-8?q?J=C3=B6_Bloggs?= <{b}>, {a}\r\nSubject: encoded\r\n\r\nhi\r\n").encode()
    c.add(data, frm, [a, b], "rewrite", "exposure/encoded_word_names", "RFC 2047 display names")
    a, b = c.person_email(), c.person_email()
    data = (f"From: {frm}\r\nTo: {a}\r\nCc: {b}\r\nSubject: x\r\n\r\nhi\r\n").encode()
    c.add(data, frm, [a, b], "rewrite", "exposure/to_cc_plain", "one in To, one in Cc")
    a, b = c.person_email(), c.person_email()
    data = (f"From: {frm}\r\nTo: {a}\r\nTo: {b}\r\nSubject: x\r\n\r\nhi\r\n").encode()
    c.add(data, frm, [a, b], "nopass", "exposure/duplicate_to_header", "two To headers")
    a, b = c.person_email(), c.person_email()
    data = (f"From: {frm}\r\nTO: {a}\r\ncc: {b}\r\nSubject: x\r\n\r\nhi\r\n").encode()
    c.add(data, frm, [a, b], "rewrite", "exposure/header_case", "upper/lower-case header names")
    # negatives
    org = c.rnd.choice(ORGS)
    case(
        [f"{n.lower()}@{org}" for n in c.rnd.sample(FIRST, 6)],
        [],
        "pass",
        "exposure-negative/one_org",
        "six people of one organisation",
    )
    case(
        [f"x@{org}"],
        [f"y@{org.upper()}"],
        "pass",
        "exposure-negative/one_org_case",
        "one org, domain case differs",
    )
    one = c.person_email()
    case([one], [one.upper()], "pass", "exposure-negative/same_person_twice", "the same consumer twice")
    case(
        [party(c, "consumer")],
        [f"a@{INTERNAL}", f"b@{INTERNAL}"],
        "pass",
        "exposure-negative/one_external",
        "one external with colleagues",
    )
    case(
        [party(c, "consumer")],
        [f"head@schools.{INTERNAL}"],
        "pass",
        "exposure-negative/internal_subdomain",
        "one external with a colleague at an internal subdomain",
    )
    case(
        [f"head@{INTERNAL}".upper()],
        [party(c, "consumer")],
        "pass",
        "exposure-negative/internal_upper",
        "internal domain in upper case with one external",
    )
    ext = [c.person_email() for _ in range(5)]
    frm = c.sender()
    data = as_bytes(message(frm, [], "Newsletter", "Hello", headers={"To": "undisclosed-recipients:;"}))
    c.add(data, frm, ext, "pass", "exposure-negative/bcc_only", "externals only in the envelope")
    data = as_bytes(message(frm, [frm], "Newsletter", "Hello"))
    c.add(data, frm, [frm, *ext], "pass", "exposure-negative/bcc_only_to_self", "To self, externals in Bcc")
    # invites
    for n_att in (2, 4):
        atts = [c.person_email() for _ in range(n_att)]
        frm = c.sender()
        ics = invite(frm, atts)
        msg = message(
            frm,
            [f"room@{INTERNAL}"],
            "Meeting",
            "Invite attached.",
            attachments=[("invite.ics", ics, "text/calendar")],
        )
        c.add(as_bytes(msg), frm, atts, "hold", "exposure/invite_attendees", f"{n_att} external attendees")
    atts = [c.person_email(), c.person_email()]
    ics = invite(frm, atts, fold=True)
    msg = message(
        frm,
        [f"room@{INTERNAL}"],
        "Meeting",
        "Invite attached.",
        attachments=[("invite.ics", ics, "text/calendar")],
    )
    c.add(as_bytes(msg), frm, atts, "hold", "exposure/invite_folded", "attendees folded mid-address")
    atts = [c.person_email(), c.person_email()]
    ics = invite(frm, atts)
    msg = message(frm, [], "Meeting", None, headers={"To": f"room@{INTERNAL}"})
    msg.set_content(ics.decode(), subtype="calendar", params={"method": "REQUEST"})
    c.add(as_bytes(msg), frm, atts, "hold", "exposure/invite_inline", "text/calendar body")
    atts = [c.person_email(), c.person_email()]
    msg = message(
        frm,
        [f"room@{INTERNAL}"],
        "Meeting",
        "Invite attached.",
        attachments=[("meeting.zip", zip_of({"invite.ics": invite(frm, atts)}), "application/zip")],
    )
    c.add(as_bytes(msg), frm, atts, "hold", "exposure/invite_in_zip", "attendees in a zipped ics")
    one = c.person_email()
    ics = invite(frm, [one, f"a@{INTERNAL}", f"b@{INTERNAL}"])
    msg = message(frm, [one], "Meeting", "Invite attached.", attachments=[("invite.ics", ics, "text/calendar")])
    c.add(as_bytes(msg), frm, [one], "pass", "exposure-negative/invite_one_external", "one external attendee")
    # address lists
    people = [c.person_email() for _ in range(6)]
    listing = "name,email\n" + "".join(f"P{i},{p}\n" for i, p in enumerate(people))
    for carrier in ("csv", "xlsx", "body", "docx"):
        rcpt = [c.person_email(), c.person_email()]
        frm = c.sender()
        if carrier == "csv":
            att = [("attendees.csv", listing.encode(), "text/csv")]
            body = "List attached."
        elif carrier == "xlsx":
            att = [
                (
                    "attendees.xlsx",
                    xlsx_bytes({"S": [r.split(",") for r in listing.splitlines()]}),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            ]
            body = "List attached."
        elif carrier == "docx":

            def build(doc: object, people: list[str] = people) -> None:
                for p in people:
                    doc.add_paragraph(p)  # type: ignore[attr-defined]

            att = [
                (
                    "attendees.docx",
                    docx_bytes(build),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                )
            ]
            body = "List attached."
        else:
            att = []
            body = "Attendees:\n" + "\n".join(people)
        msg = message(frm, [f"events@{INTERNAL}"], "Attendees", body, attachments=att)
        c.add(
            as_bytes(msg),
            frm,
            rcpt,
            "hold",
            f"exposure/address_list_{carrier}",
            "list of six externals sent to two",
        )
    rcpt = [c.person_email()]
    msg = message(frm, rcpt, "Attendees", "List attached.", attachments=[("a.csv", listing.encode(), "text/csv")])
    c.add(as_bytes(msg), frm, rcpt, "pass", "exposure-negative/list_to_one", "a list sent to one external")


def invite(frm: str, attendees: list[str], fold: bool = False) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:inv@x",
        "DTSTART:20261201T100000Z",
        "SUMMARY:Consultation",
        f"ORGANIZER:mailto:{frm}",
    ]
    for a in attendees:
        line = f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE;CN={a.split('@')[0]}:mailto:{a}"
        if fold:
            cut = line.index("@") - 2
            line = line[:cut] + "\r\n " + line[cut:]
        lines.append(line)
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()


def harder(c: Corpus) -> None:
    """Register-side variety, recipients written oddly, lists of many addresses, more domains."""
    # register rows written unusually; the text in the usual way
    for fam, kw in [
        ("reg_abbrev_dot", {"stype": "Ave."}),
        ("reg_number_comma", {}),
        ("reg_locality", {}),
        ("reg_postcode_squashed", {}),
        ("reg_bad_phone", {}),
        ("reg_slash_flat", {}),
        ("reg_house_name", {}),
        ("reg_lower_case", {}),
    ]:
        row = c.new_row(**kw)
        text = f"{row.number} {row.street} {row.stype.rstrip('.') + ('nue' if kw else '')}, {row.town} {row.postcode}"
        if fam == "reg_number_comma":
            row.number_comma = True  # type: ignore[attr-defined]
        elif fam == "reg_locality":
            row.town = f"Clifton, {row.town}"
            text = f"{row.line()}, {row.town.split(', ')[1]} {row.postcode}"
        elif fam == "reg_postcode_squashed":
            row.postcode = row.postcode.replace(" ", "").lower()
        elif fam == "reg_bad_phone":
            row.phone = "ex-directory"
        elif fam == "reg_slash_flat":
            row.number = f"2/{row.number}"
            text = f"Flat 2, {row.number[2:]} {row.street} {row.stype}, {row.town}"
        elif fam == "reg_house_name":
            row.number = "Rose Cottage,"
            text = f"Rose Cottage, {row.street} {row.stype}, {row.town} {row.postcode}"
        elif fam == "reg_lower_case":
            row.street, row.stype, row.town = row.street.lower(), row.stype.lower(), row.town.lower()
            text = f"{row.number} {row.street.title()} {row.stype.title()}, {row.town.title()}"
        hold_case(c, row, f"protected/{fam}/body", wrap(c, text))
    # flagged recipient written in another case, or at a subdomain of a flagged @domain
    row = c.new_row(flagged=["@partner-housing.org.uk"])
    frm = c.sender()
    rcpt = ["key.worker@mail.partner-housing.org.uk"]
    c.add(
        as_bytes(message(frm, rcpt, "Referral", wrap(c, canonical(row)))),
        frm,
        rcpt,
        "hold",
        "protected/flagged_subdomain/body",
        f"mentions protected {row.id} to a flagged domain's subdomain",
    )
    row = c.new_row()
    rcpt = [row.flagged[0].upper()]
    c.add(
        as_bytes(message(frm, rcpt, "Referral", wrap(c, canonical(row)))),
        frm,
        rcpt,
        "hold",
        "protected/flagged_upper_case/body",
        f"mentions protected {row.id} to flagged recipient (upper case)",
    )
    # a list of many addresses with the protected one among them (CSV and XLSX), and a decoy list
    for carrier in ("csv", "xlsx", "pdf"):
        row = c.new_row()
        others = [c.new_row() for _ in range(25)]
        people = [*others[:12], row, *others[12:]]
        table = [["Ref", "Address", "Town", "Postcode"]] + [
            [f"K{i}", p.line(), p.town, p.postcode] for i, p in enumerate(people)
        ]
        if carrier == "csv":
            att = [("addresses.csv", "\n".join(",".join(r) for r in table).encode(), "text/csv")]
        elif carrier == "xlsx":
            att = [
                (
                    "addresses.xlsx",
                    xlsx_bytes({"List": table}),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            ]
        else:
            att = [("addresses.pdf", pdf_bytes("\n".join("  ".join(r) for r in table)), "application/pdf")]
        hold_case(c, row, f"protected/in_long_list/{carrier}", "List attached.", attachments=att)
    for carrier in ("csv", "xlsx"):
        row = c.new_row(number=str(c.rnd.randint(10, 90)))
        decoys = [c.new_row() for _ in range(20)]
        neighbour = replace(row, number=str(int(row.number) + 2))
        other_pc = replace(row, number=str(int(row.number) + 4))
        people = [*decoys[:10], neighbour, other_pc, *decoys[10:]]
        table = [["Ref", "No", "Street", "Town", "Postcode"]] + [
            [f"K{i}", p.number, f"{p.street} {p.stype}", p.town, p.postcode] for i, p in enumerate(people)
        ]
        # every decoy row is itself a register row: only the row's own flagged recipient is used
        if carrier == "csv":
            att = [("addresses.csv", "\n".join(",".join(r) for r in table).encode(), "text/csv")]
        else:
            att = [
                (
                    "addresses.xlsx",
                    xlsx_bytes({"List": table}),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            ]
        pass_case(
            c,
            "protected-negative/neighbours_in_long_list",
            [row.flagged[0]],
            "List attached.",
            attachments=att,
        )
    # exposure at more consumer domains and at subdomains of one organisation
    for dom in (
        "googlemail.com",
        "live.co.uk",
        "talktalk.net",
        "ntlworld.com",
        "aol.co.uk",
        "me.com",
        "proton.me",
        "sky.com",
        "virginmedia.com",
        "tiscali.co.uk",
        "hotmail.com",
        "yahoo.com",
        "outlook.co.uk",
        "wanadoo.co.uk",
        "orange.net",
        "tesco.net",
        "fsmail.net",
    ):
        a, b = f"{c.rnd.choice(FIRST).lower()}1@{dom}", f"{c.rnd.choice(FIRST).lower()}2@{dom}"
        frm = c.sender()
        c.add(
            as_bytes(message(frm, [a, b], "Hello", "Hello both")),
            frm,
            [a, b],
            "rewrite",
            f"exposure/two_at_consumer_{dom.split('.')[0]}",
            f"two people at consumer domain {dom}",
        )
    frm = c.sender()
    rcpt = [
        "a.smith@partner-housing.org.uk",
        "b.jones@mail.partner-housing.org.uk",
        "c@PARTNER-HOUSING.ORG.UK",
    ]
    c.add(
        as_bytes(message(frm, rcpt, "Hello", "Hello all")),
        frm,
        rcpt,
        "pass",
        "exposure-negative/one_org_subdomain",
        "one organisation at its domain and a subdomain",
    )
    rcpt = ["a@leeds.gov.uk", "b@bristol.gov.uk"]
    c.add(
        as_bytes(message(frm, rcpt, "Hello", "Hello all")),
        frm,
        rcpt,
        "rewrite",
        "exposure/two_councils",
        "two councils under gov.uk",
    )
    rcpt = ["a@nhs.example.uk", "b@gmail.com"]
    c.add(
        as_bytes(message(frm, rcpt, "Hello", "Hello all")),
        frm,
        rcpt,
        "rewrite",
        "exposure/org_and_consumer",
        "an organisation and a consumer",
    )
    rcpt = ["x@gmail.com", "y@gmail.com"]
    data = as_bytes(message(frm, [], "Hello", "Hello", headers={"To": "x@gmail.com", "Cc": "<y@gmail.com>"}))
    c.add(data, frm, rcpt, "rewrite", "exposure/angle_only_cc", "bare angle address in Cc")
    data = (f'From: {frm}\r\nTo: x@gmail.com, "y@gmail.com" <y@gmail.com>\r\nSubject: s\r\n\r\nhi\r\n').encode()
    c.add(data, frm, rcpt, "rewrite", "exposure/address_as_name", "display name that is an address")
    data = (f"From: {frm}\r\nTo: x@gmail.com; y@gmail.com\r\nSubject: s\r\n\r\nhi\r\n").encode()
    c.add(data, frm, rcpt, "rewrite", "exposure/semicolon_separated", "Outlook-style ; separated To")
    data = (f"From: {frm}\r\nTo: x@gmail.com (Mr X), y@gmail.com (Ms Y)\r\nSubject: s\r\n\r\nhi\r\n").encode()
    c.add(data, frm, rcpt, "rewrite", "exposure/comments_in_to", "RFC 5322 comments")


def filler_rows(c: Corpus, n: int) -> None:
    """Unrelated protected people, so the register is not trivially small."""
    for _ in range(n):
        c.new_row(
            flat=str(c.rnd.randint(1, 9)) if c.rnd.random() < 0.2 else "",
            phone=c.rnd.random() < 0.3,
            email=c.rnd.random() < 0.2,
        )


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "/tmp/redteam")
    if (out / "messages").exists():
        for f in (out / "messages").glob("*.eml"):
            f.unlink()
    c = Corpus(out)
    filler_rows(c, 600)
    wordings(c)
    tables(c)
    containers(c)
    phones_emails(c)
    negatives(c)
    exposure(c)
    harder(c)
    c.write_register()
    c.write_expected()
    print(f"{out}: {len(c.expected)} messages, {len(c.rows)} register rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
