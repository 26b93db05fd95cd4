"""A second, independent labelled corpus: what a UK council really sends.

    .venv/bin/python bench/realistic_corpus.py [OUT_DIR] [--seed N]     (default /tmp/realistic)
    .venv/bin/python ../shared/corpus/score_check.py OUT_DIR

Writes register.csv (2,000 realistic UK rows), settings.env, messages/*.eml and expected.jsonl
in the format of ../shared/corpus/README.md. Deterministic for a seed. Negatives are built to
press on false holds (neighbours, same street/postcode/building, many other addresses, numbers
that look like house numbers, the flagged ex-partner's ordinary letters); positives carry the
protected address in court bundles, letters, case lists, forwarded chains, HTML tables, OCR'd
scans, phone numbers and the person's own email in Cc.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realistic_data import (
    FLAGGED_DOMAINS,
    ORG,
    ORG_NAME,
    PARTNERS,
    STREET_NAMES,
    TOWNS,
    UNFLAGGED_PARTNERS,
    Addr,
    consumer_email,
    district_of,
    person,
    phone_for,
    phone_one_off,
    phone_variant,
    postcode_for,
    random_addr,
    staff_email,
    street,
)
from realistic_docs import (
    DOCX,
    PDF,
    XLSX,
    Mail,
    case_ref,
    disclaimer,
    docx_letter,
    filler,
    html_page,
    ics,
    pdf,
    signature,
    xlsx,
)

Rcpt = tuple[str, str]  # (display name, address)


@dataclass
class Row:
    id: str
    first: str
    last: str
    addr: Addr
    phone: str
    email: str
    flagged: list[str]

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


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


class Corpus:
    def __init__(self, out: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.out = out
        self.records: list[dict[str, object]] = []
        self.taken_ns: set[tuple[str, str, str]] = set()  # (number, street, town) of register rows
        self.taken_np: set[tuple[str, str]] = set()  # (number, postcode)
        self.taken_pc: set[str] = set()
        self.used_emails: set[str] = set()
        self.phones: set[str] = set()
        self.rows = self._register(2000)
        self.staff = [self._staff() for _ in range(40)]
        self.offices = [
            self._place(n)
            for n in (
                "Civic Centre",
                "Housing Options, Westmere House",
                "Family Contact Centre",
                "Customer Service Centre",
            )
        ]
        self.schools = [
            self._place(f"{rng_name} {kind}")
            for rng_name, kind in [
                ("St Mary's CofE", "Primary School"),
                ("Oakfield", "Academy"),
                ("Westmere", "Nursery School"),
                ("Holy Trinity RC", "Primary School"),
            ]
        ]
        self.gps = [self._place(f"{n} Medical Practice") for n in ("Beechwood", "Riverside", "Parkview")]
        self.domain_rows = {d: [r for r in self.rows if f"@{d}" in r.flagged] for d in FLAGGED_DOMAINS}

    # --- register -----------------------------------------------------------------------------
    def _key_free(self, a: Addr) -> bool:
        num = (a.number or a.house_name or "").lower()
        return (num, a.street.lower(), a.town) not in self.taken_ns and (num, a.postcode) not in self.taken_np

    def _new_email(self, first: str, last: str) -> str:
        while True:
            e = consumer_email(self.rng, first, last)
            if e not in self.used_emails:
                self.used_emails.add(e)
                return e

    def _register(self, n: int) -> list[Row]:
        rows: list[Row] = []
        rng = self.rng
        while len(rows) < n:
            a = random_addr(rng)
            if not self._key_free(a) or a.postcode in self.taken_pc:
                continue
            num = (a.number or a.house_name or "").lower()
            self.taken_ns.add((num, a.street.lower(), a.town))
            self.taken_np.add((num, a.postcode))
            self.taken_pc.add(a.postcode)
            first, last = person(rng, female=rng.random() < 0.85)
            phone = ""
            if rng.random() < 0.3:
                phone = phone_for(rng, a.town)
                if phone in self.phones:
                    phone = ""
                self.phones.add(phone)
            email = self._new_email(first, last) if rng.random() < 0.4 else ""
            ex_first, ex_last = person(rng, female=False)
            flagged = [self._new_email(ex_first, ex_last if rng.random() < 0.6 else last)]
            roll = rng.random()
            if roll < 0.06:
                flagged.append("@" + rng.choice(FLAGGED_DOMAINS))
            elif roll < 0.09:
                flagged = ["@" + rng.choice(FLAGGED_DOMAINS)]
            elif roll < 0.14:
                flagged.append(self._new_email(*person(rng, female=True)))
            rows.append(Row(f"WCC{len(rows) + 1:05d}", first, last, a, phone, email, flagged))
        return rows

    def write_register(self) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["id", "name", "address", "postcode", "phone", "flagged_recipients", "email"])
        for r in self.rows:
            name = r.name if self.rng.random() < 0.8 else ""
            w.writerow([r.id, name, r.addr.register_address(), r.addr.postcode, r.phone, ";".join(r.flagged), r.email])
        (self.out / "register.csv").write_text(buf.getvalue(), encoding="utf-8")
        (self.out / "settings.env").write_text(
            f"MAILGUARD_INTERNAL_DOMAINS={ORG}\nMAILGUARD_EXPOSURE_THRESHOLD=2\nMAILGUARD_REGISTER=register.csv\n"
        )

    # --- people and places --------------------------------------------------------------------
    def _staff(self) -> tuple[str, str, str]:
        first, last = person(self.rng)
        title = self.rng.choice(
            [
                "Housing Options Officer",
                "Senior Social Worker",
                "Family Support Worker",
                "Tenancy Sustainment Officer",
                "Council Tax Officer",
                "ASB Caseworker",
                "Team Manager, Children's Services",
                "Business Support Officer",
                "Domestic Abuse Coordinator",
                "Parking Services Officer",
            ]
        )
        return f"{first} {last}", staff_email(first, last), title

    def other_addr(self, town: str | None = None, kind: str | None = None) -> Addr:
        while True:
            a = random_addr(self.rng, town, kind)
            if self._key_free(a):
                return a

    def _place(self, name: str) -> str:
        a = self.other_addr(kind="house")
        return f"{name}, {a.one_line()}"

    def staff_member(self) -> tuple[str, str, str]:
        return self.rng.choice(self.staff)

    def sig(self, who: tuple[str, str, str]) -> str:
        phone = f"0300 555 {self.rng.randint(1000, 9999)}"
        return signature(who[0], who[2], self.rng.choice(self.offices), phone) + disclaimer()

    def flagged_rcpt(self, row: Row) -> Rcpt:
        f = self.rng.choice(row.flagged)
        if f.startswith("@"):
            first, last = person(self.rng)
            return f"{first} {last}", staff_email(first, last, f[1:])
        return f.split("@")[0].replace(".", " ").title(), f

    def unflagged_external(self, row: Row) -> Rcpt:
        d = self.rng.choice(UNFLAGGED_PARTNERS)
        first, last = person(self.rng)
        return f"{first} {last} ({PARTNERS[d]})", staff_email(first, last, d)

    def resident(self) -> Rcpt:
        first, last = person(self.rng)
        return f"{first} {last}", self._new_email(first, last)

    def colleagues(self, k: int) -> list[Rcpt]:
        return [(s[0], s[1]) for s in self.rng.sample(self.staff, k)]

    def pick(self, pred: Callable[[Row], bool] = lambda r: True) -> Row:
        while True:
            r = self.rng.choice(self.rows)
            if pred(r):
                return r

    # --- output -------------------------------------------------------------------------------
    def add(self, mail: Mail, mail_from: str, rcpt: list[str], expect: str, family: str, why: str) -> None:
        name = f"{len(self.records) + 1:04d}.eml"
        (self.out / "messages" / name).write_bytes(mail.bytes())
        self.records.append(
            {"file": name, "mail_from": mail_from, "rcpt": rcpt, "expect": expect, "family": family, "why": why}
        )

    def mail(self, who: tuple[str, str, str], subject: str, to: list[Rcpt], cc: list[Rcpt] | None = None) -> Mail:
        return Mail(self.rng, len(self.records) + 1, (who[0], who[1]), subject, to, cc)

    def write_manifest(self) -> None:
        with (self.out / "expected.jsonl").open("w") as f:
            for r in self.records:
                f.write(json.dumps(r) + "\n")

    def letter_text(self, to_name: str, middle: list[str], who: tuple[str, str, str]) -> str:
        rng = self.rng
        paras = [f"Dear {to_name},", *filler(rng, rng.randint(1, 2)), *middle, *filler(rng, rng.randint(1, 3))]
        return "\n\n".join(paras) + "\n\n" + self.sig(who)


# --- how a protected address is written ------------------------------------------------------
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


# --- positives -------------------------------------------------------------------------------
def positives(c: Corpus) -> None:
    rng = c.rng
    P = "hold"

    def ctx(row: Row) -> tuple[tuple[str, str, str], Rcpt]:
        return c.staff_member(), c.flagged_rcpt(row)

    for _ in range(22):  # family court bundle, address in a header block on page 7
        row = c.pick()
        who, to = ctx(row)
        ex = c.other_addr()
        pages: list[list[str | tuple[str, str]]] = []
        npages = rng.randint(12, 24)
        for i in range(1, npages + 1):
            lines: list[str | tuple[str, str]] = [
                f"IN THE FAMILY COURT AT {rng.choice(TOWNS)[0].upper()}",
                f"Case No: {case_ref(rng)}",
                "",
            ]
            if i == 7:
                block = row.addr.block(town_upper=False)
                lines += [("Applicant:", row.name), ("Address:", block[0])]
                lines += [("", b) for b in block[1:]]
                lines += [("Respondent:", to[0]), ("Address:", ex.one_line())]
            lines += filler(rng, rng.randint(4, 9))
            pages.append(lines)
        m = c.mail(who, f"Bundle for hearing {case_ref(rng)}", [to])
        m.body(
            c.letter_text(
                to[0], [f"Please find attached the bundle for the hearing listed on {rng.randint(1, 28)} April."], who
            )
        )
        m.attach(pdf(pages, "Court bundle", "Bundle"), "Hearing bundle.pdf", PDF)
        c.add(m, who[1], [to[1]], P, "protected/bundle_pdf", f"{row.id} on page 7 of a court bundle")

    for i in range(25):  # Word letter: the address block, one line each
        row = c.pick()
        who, to = ctx(row)
        block = [row.name, *row.addr.block(town_upper=i % 2 == 0)]
        body = [block, f"Our ref: {case_ref(rng)}", f"Dear {row.first}", *filler(rng, 5), "Yours sincerely", who[0]]
        m = c.mail(who, rng.choice(["Letter", "Copy letter", "Outcome letter", "Contact arrangements"]), [to])
        m.body(c.letter_text(to[0], ["Please see the attached letter."], who))
        m.attach(docx_letter(body, header=f"{c.rng.choice(c.offices)}"), "Letter.docx", DOCX)
        c.add(m, who[1], [to[1]], P, "protected/letter_docx", f"{row.id} in a letter's address block")

    for _ in range(20):  # Excel case list of 500 rows, the protected one split over cells
        row = c.pick(lambda r: r.addr.number is not None)
        who, to = ctx(row)
        rows: list[list[object]] = [
            ["Case ref", "Surname", "Forename", "Address 1", "Address 2", "Town", "Postcode", "Open date", "Status"]
        ]
        at = rng.randint(1, 499)
        for k in range(500):
            if k == at:
                a, name = row.addr, (row.last, row.first)
            else:
                a, name = c.other_addr(), person(rng)[::-1]
            lines = a.premise_lines()
            rows.append(
                [
                    case_ref(rng),
                    name[0],
                    name[1],
                    ", ".join(lines),
                    a.locality or "",
                    a.town,
                    a.postcode,
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025",
                    rng.choice(["Open", "Closed"]),
                ]
            )
        m = c.mail(who, "Case list", [to])
        m.body(c.letter_text(to[0], ["Attached is the current case list as requested."], who))
        m.attach(xlsx({"Cases": rows}), "Case list March.xlsx", XLSX)
        c.add(m, who[1], [to[1]], P, "protected/case_list_xlsx", f"{row.id} in a 500-row case list")

    for i in range(22):  # forwarded / replied chain quoted with "> "
        row = c.pick()
        who, to = ctx(row)
        form = rng.choice(forms_for(row.addr))
        said = f"Her new address is {mention(rng, row.addr, form)}. Please update the system."
        words, lines, cur = said.replace("\n", " \n ").split(" "), [], ""
        for w in words:  # wrap at 60 like a mail client does
            if w == "\n" or len(cur) + len(w) > 60:
                lines.append(cur.rstrip())
                cur = "" if w == "\n" else w + " "
            else:
                cur += w + " "
        lines.append(cur.rstrip())
        q = ">> " if i % 3 == 0 else "> "
        quoted = "\n".join(q + ln for ln in lines)
        colleague = c.staff_member()
        body = (
            f"Hi,\n\nForwarding as discussed.\n\n{who[0]}\n\n"
            f"On {rng.randint(1, 28)} Feb 2026, at 14:{rng.randint(10, 59)}, "
            f"{colleague[0]} <{colleague[1]}> wrote:\n> Hello,\n>\n{quoted}\n>\n> Thanks\n> {colleague[0]}\n"
        )
        m = c.mail(who, "FW: Change of address", [to])
        m.body(body + disclaimer())
        c.add(m, who[1], [to[1]], P, f"protected/forward_chain/{form}", f"{row.id} in a quoted chain")

    for i in range(20):  # HTML email, the address in a table
        row = c.pick()
        who, to = ctx(row)
        a = row.addr
        if i % 2:
            cells = "".join(
                f"<tr><td class=MsoNormal><b>{k}</b></td><td>{v}</td></tr>"
                for k, v in [
                    ("Name", row.name),
                    ("Address", "<br>".join(a.premise_lines())),
                    ("Area", a.locality or ""),
                    ("Town", a.town),
                    ("Postcode", a.postcode),
                ]
            )
        else:
            cells = (
                "<tr><th>Name</th><th>Address</th><th>Postcode</th><th>Phone</th></tr>"
                f"<tr><td>{row.name}</td><td>{', '.join(a.premise_lines())}, {a.town}</td>"
                f"<td>{a.postcode}</td><td>{row.phone}</td></tr>"
            )
        html = html_page(
            f"<p class=MsoNormal>Dear {to[0]},</p><p>Details below.</p>"
            f"<table border=1 cellpadding=3>{cells}</table><p>Regards<br>{who[0]}</p>"
        )
        text = f"Dear {to[0]},\n\nDetails below.\n\n" + ("\n".join(a.block()) if i % 4 < 2 else "[table]") + "\n"
        m = c.mail(who, "Referral details", [to])
        m.body(text, html, logo=i % 3 == 0)
        c.add(m, who[1], [to[1]], P, "protected/html_table", f"{row.id} in an HTML table")

    for _ in range(20):  # scanned-looking PDF with OCR slips
        row = c.pick()
        who, to = ctx(row)
        text = ocr_slips(rng, mention(rng, row.addr, rng.choice(["canonical", "upper", "block"])), rng.randint(1, 2))
        page = [
            "WESTMERE CITY COUNCIL  -  HOUSING  SERVICES",
            "",
            f"Ref: {case_ref(rng)}",
            "",
            f"Tenant: {row.name.upper()}",
            *text.split("\n"),
            "",
            *filler(rng, 6),
        ]
        m = c.mail(who, "Scanned document", [to])
        m.body(f"Please find attached scanned document.\n\nSent from {ORG_NAME} MFD Xerox AltaLink C8130\n")
        m.attach(pdf([page, filler(rng, 10)], "Scan", "", font="Courier"), f"SCAN_{rng.randint(10**7, 10**8)}.pdf", PDF)
        c.add(m, who[1], [to[1]], P, "protected/ocr_pdf", f"{row.id} in an OCR'd scan")

    for _ in range(18):  # house number + postcode only
        row = c.pick(lambda r: bool(r.addr.number) and r.addr.number.isdigit() and not r.addr.house_name)
        who, to = ctx(row)
        text = c.letter_text(
            to[0],
            [
                f"The property ({mention(rng, row.addr, 'number_postcode')}) has been "
                "inspected and the repairs are complete."
            ],
            who,
        )
        m = c.mail(who, "Property inspection", [to])
        m.body(text)
        c.add(m, who[1], [to[1]], P, "protected/number_postcode", f"{row.id} as number + postcode")

    for _ in range(16):  # phone in a case note
        row = c.pick(lambda r: bool(r.phone))
        who, to = ctx(row)
        note = (
            f"CASE NOTE {case_ref(rng)}\nDate: {rng.randint(1, 28)}/03/2026\nContact: telephone\n"
            f"Spoke to {row.first} on {phone_variant(rng, row.phone)}. She confirmed the arrangements for "
            f"{rng.randint(1, 28)} March.\n"
        )
        m = c.mail(who, "Case note", [to])
        m.body(c.letter_text(to[0], [note], who))
        c.add(m, who[1], [to[1]], P, "protected/phone", f"{row.id} phone in a case note")

    for _ in range(14):  # the protected person's own email in Cc
        row = c.pick(lambda r: bool(r.email))
        who, to = ctx(row)
        m = c.mail(who, "Contact arrangements", [to], [(row.name, row.email)])
        m.body(
            c.letter_text(f"{to[0]} and {row.first}", ["I am writing to you both about the handover on Saturday."], who)
        )
        c.add(m, who[1], [to[1], row.email], P, "protected/email_cc", f"{row.id} own email in Cc")

    for _ in range(16):  # flats written 2/14 or Apartment 2
        row = c.pick(lambda r: bool(r.addr.flat) and bool(r.addr.number) and not r.addr.house_name)
        who, to = ctx(row)
        form = "flat_slash" if not row.addr.building else "apartment"
        form = rng.choice([form, "flat_slash", "apartment"]) if not row.addr.building else form
        m = c.mail(who, "Tenancy update", [to])
        m.body(c.letter_text(to[0], [f"The tenancy at {mention(rng, row.addr, form)} starts on Monday."], who))
        c.add(m, who[1], [to[1]], P, f"protected/flat/{form}", f"{row.id} flat written {form}")

    for i in range(26):  # plain body, in the ways people type it; some in the subject
        row = c.pick()
        who, to = ctx(row)
        form = rng.choice([*forms_for(row.addr), "typo"])
        text = mention(rng, row.addr, form)
        subj = f"Re: {text.splitlines()[0]}" if i % 5 == 0 and form != "block" else "Update"
        m = c.mail(who, subj, [to])
        m.body(c.letter_text(to[0], [f"We visited the family at {text} on {rng.randint(1, 28)} March."], who))
        c.add(m, who[1], [to[1]], P, f"protected/body/{form}", f"{row.id} written {form}")

    for _ in range(10):  # CSV export
        row = c.pick()
        who, to = ctx(row)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["UPRN", "Address", "Postcode", "Ward"])
        for k in range(rng.randint(40, 300)):
            a = row.addr if k == 17 else c.other_addr()
            w.writerow([rng.randint(10**10, 10**11), ", ".join([*a.premise_lines(), a.town]), a.postcode, "Central"])
        m = c.mail(who, "Export", [to])
        m.body(c.letter_text(to[0], ["Export attached."], who))
        m.attach(buf.getvalue().encode(), "export.csv", "text/csv")
        c.add(m, who[1], [to[1]], P, "protected/csv", f"{row.id} in a CSV export")

    for _ in range(8):  # a flat's building without the flat number still shows where she lives
        row = c.pick(lambda r: bool(r.addr.flat) and not r.addr.building and bool(r.addr.number))
        who, to = ctx(row)
        m = c.mail(who, "Visit", [to])
        m.body(c.letter_text(to[0], [f"The visit will be at {mention(rng, row.addr, 'building_only')}."], who))
        c.add(m, who[1], [to[1]], P, "protected/building_no_flat", f"{row.id} building without flat number")

    for _ in range(10):  # house names
        row = c.pick(lambda r: bool(r.addr.house_name))
        who, to = ctx(row)
        m = c.mail(who, "Address confirmation", [to])
        m.body(
            c.letter_text(
                to[0], [f"Address: {mention(rng, row.addr, rng.choice(['canonical', 'block', 'abbrev']))}"], who
            )
        )
        c.add(m, who[1], [to[1]], P, "protected/house_name", f"{row.id} with a house name")

    for i in range(8):  # HTML export: number, street, town and postcode each in its own cell
        row = c.pick(lambda r: bool(r.addr.number) and not r.addr.flat and not r.addr.house_name)
        who, to = ctx(row)
        a = row.addr
        cells = [a.number or "", a.street, a.town, a.postcode] if i % 2 else [a.postcode, a.number or "", a.street]
        tr = "".join(f"<td>{v}</td>" for v in cells)
        m = c.mail(who, "Visit schedule", [to])
        m.body("Visit schedule below.\n", html_page(f"<p>Visit schedule</p><table><tr>{tr}</tr></table>"))
        c.add(m, who[1], [to[1]], P, "protected/html_cells", f"{row.id} over HTML table cells")

    for _ in range(8):  # the address in an attached (forwarded as attachment) message
        row = c.pick()
        who, to = ctx(row)
        inner = c.mail(c.staff_member(), "New address", [c.colleagues(1)[0]])
        inner.body(f"Please note the new address: {mention(rng, row.addr, 'canonical')}\n")
        m = c.mail(who, "FW: New address", [to])
        m.body("See attached.\n")
        m.msg.add_attachment(inner.msg)
        c.add(m, who[1], [to[1]], P, "protected/attached_eml", f"{row.id} in an attached message")

    for _ in range(8):  # a sheet with postcode first, then the house number, then the street
        row = c.pick(lambda r: bool(r.addr.number) and not r.addr.flat and not r.addr.house_name)
        who, to = ctx(row)
        sheet: list[list[object]] = [["Postcode", "House no", "Street", "Town", "Visits"]]
        at = rng.randint(1, 200)
        for k in range(200):
            a = row.addr if k == at else c.other_addr(kind="house")
            sheet.append([a.postcode, a.number, a.street, a.town, rng.randint(1, 20)])
        m = c.mail(who, "Visits by postcode", [to])
        m.body(c.letter_text(to[0], ["Visits by postcode attached."], who))
        m.attach(xlsx({"Visits": sheet}), "visits.xlsx", XLSX)
        c.add(m, who[1], [to[1]], P, "protected/postcode_first_xlsx", f"{row.id} postcode-first sheet")

    for _ in range(10):  # Word table in a case summary
        row = c.pick()
        who, to = ctx(row)
        a = row.addr
        table = [
            ["Name", "Address", "Postcode", "DOB"],
            [c.resident()[0], c.other_addr().one_line(with_postcode=False), "", "01/02/1985"],
            [row.name, "\n".join([*a.premise_lines(), a.town]), a.postcode, "12/07/1990"],
        ]
        m = c.mail(who, "Case summary", [to])
        m.body(c.letter_text(to[0], ["Case summary attached."], who))
        m.attach(docx_letter(["Case summary", *filler(rng, 3)], table=table), "Case summary.docx", DOCX)
        c.add(m, who[1], [to[1]], P, "protected/docx_table", f"{row.id} in a Word table")


# --- negatives -------------------------------------------------------------------------------
def near_miss(c: Corpus, row: Row, kind: str) -> Addr | None:
    rng, a = c.rng, row.addr
    if not a.number or not a.number.rstrip("ABC").isdigit():
        return None
    n = int(a.number.rstrip("ABC"))
    base = replace(a, flat=None, building=None, house_name=None)
    for _ in range(30):
        if kind == "neighbour":
            cand = replace(base, number=str(n + rng.choice([-2, 2, -1, 1]) if n > 2 else n + 2))
        elif kind == "same_street_other_number":
            cand = replace(
                base,
                number=str(n + rng.randint(5, 60)),
                postcode=postcode_for(rng, a.town, int(district_of(a.postcode).lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))),
            )
        elif kind == "same_number_other_street":
            d = int(district_of(a.postcode).lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            cand = replace(base, street=street(rng), postcode=postcode_for(rng, a.town, d))
        elif kind == "same_postcode_other_house":
            cand = replace(
                base,
                number=str(n + rng.choice([3, 6, 10, 21])),
                street=rng.choice([a.street, f"{rng.choice(STREET_NAMES)} Close"]),
            )
        elif kind == "same_building_other_flat":
            if not a.flat:
                return None
            f = int("".join(ch for ch in a.flat.split()[-1] if ch.isdigit()))
            cand = replace(a, flat=f"{a.flat.split()[0]} {f + rng.choice([1, 2, 3, -1]) if f > 1 else f + 1}")
            return cand
        elif kind == "street_other_town":
            t = rng.choice([t for t in TOWNS if t[0] != a.town])[0]
            cand = replace(base, town=t, postcode=postcode_for(rng, t), locality=None)
        else:
            raise ValueError(kind)
        same = (cand.number, cand.street.lower(), cand.town) == (a.number, a.street.lower(), a.town)
        if not same and c._key_free(cand):
            return cand
    return None


def digits(row: Row) -> str:
    """The protected house number without its letter, to sit in dates, amounts and room numbers."""
    return "".join(ch for ch in (row.addr.number or "14") if ch.isdigit())


NEAR_KINDS = [
    "neighbour",
    "same_street_other_number",
    "same_number_other_street",
    "same_postcode_other_house",
    "same_building_other_flat",
    "street_other_town",
]


def negatives(c: Corpus) -> None:
    rng = c.rng
    N = "pass"

    def near_text(row: Row, kind: str) -> str | None:
        na = near_miss(c, row, kind)
        if na is None:
            return None
        form = rng.choice(["canonical", "abbrev", "block", "no_postcode", "upper"])
        said = mention(rng, na, form)
        n = digits(row)
        return rng.choice(
            [
                f"We have received a report about the property at {said}. An officer visited on {n} March.",
                f"The complaint relates to noise from {said} (reference {case_ref(rng)}).",
                f"Repairs are booked at {said}; the contractor charges £{n}.00 per visit.",
                f"The occupant of {said} has been rehoused under Section {n}.",
            ]
        )

    for kind in NEAR_KINDS:  # near misses to the recipient flagged for that row
        made = 0
        while made < (14 if kind == "same_building_other_flat" else 22):
            flats_only = kind == "same_building_other_flat"
            row = c.pick(lambda r, f=flats_only: bool(r.addr.number) and (not f or bool(r.addr.flat)))
            t = near_text(row, kind)
            if t is None:
                continue
            who, to = c.staff_member(), c.flagged_rcpt(row)
            container = rng.choice(["body", "body", "docx", "pdf", "html"])
            m = c.mail(who, rng.choice(["Repairs update", "Your enquiry", "Neighbourhood report", "Case update"]), [to])
            if container == "body":
                m.body(c.letter_text(to[0], [t], who))
            elif container == "html":
                m.body(
                    c.letter_text(to[0], [t], who),
                    html_page(
                        "".join(f"<p class=MsoNormal>{p}</p>" for p in c.letter_text(to[0], [t], who).split("\n\n"))
                    ),
                    logo=True,
                )
            elif container == "docx":
                m.body(c.letter_text(to[0], ["Please see the attached."], who))
                m.attach(docx_letter([t, *filler(rng, 4)]), "Letter.docx", DOCX)
            else:
                m.body(c.letter_text(to[0], ["Please see the attached."], who))
                m.attach(pdf([[*filler(rng, 3), *t.split("\n"), *filler(rng, 3)]], "Letter"), "Letter.pdf", PDF)
            c.add(
                m,
                who[1],
                [to[1]],
                N,
                f"protected-negative/{kind}",
                f"near miss ({kind}) of {row.id} to its flagged recipient",
            )
            made += 1

    for _ in range(30):  # the ex-partner's own letters, full of other addresses
        row = c.pick()
        who, to = c.staff_member(), c.flagged_rcpt(row)
        own = c.other_addr()
        n = digits(row)
        body = [
            [to[0], *own.block()],
            f"Date: {n} March 2026",
            f"Our ref: {case_ref(rng)}",
            f"Dear {to[0]}",
            *filler(rng, 3),
            f"Contact sessions will take place at the {rng.choice(c.offices)}.",
            f"School: {rng.choice(c.schools)}. GP: {rng.choice(c.gps)}.",
            f"The charge for the session is £{n}. Please report to Room {n} on arrival.",
            f"Turn left out of the car park onto {row.addr.street} and the centre is on your right.",
            *filler(rng, 2),
            "Yours sincerely",
            who[0],
        ]
        m = c.mail(
            who,
            rng.choice(
                ["Contact arrangements", "Council tax reminder", "Parking permit renewal", "Your housing application"]
            ),
            [to],
        )
        m.body(c.letter_text(to[0], ["Please find your letter attached."], who))
        m.attach(docx_letter(body, header=ORG.upper()), "Letter.docx", DOCX)
        c.add(
            m,
            who[1],
            [to[1]],
            N,
            "protected-negative/flagged_ordinary_letter",
            f"flagged for {row.id}, nothing protected",
        )

    for _ in range(20):  # the protected postcode as an office's postcode, no number
        row = c.pick()
        who, to = c.staff_member(), c.flagged_rcpt(row)
        a = row.addr
        office = (
            f"Area Housing Office\nThe Old Library\n{rng.choice(STREET_NAMES)} Street\n{a.town}\n{a.postcode}\n\n"
            f"Opening hours: Monday to Friday 9am - 5pm\nReception is Room {digits(row)}."
        )
        m = c.mail(who, "Appointment", [to])
        m.body(c.letter_text(to[0], ["Your appointment is at:", office], who))
        c.add(m, who[1], [to[1]], N, "protected-negative/postcode_office", f"{row.id}'s postcode as an office postcode")

    for _ in range(20):  # a phone number one digit off
        row = c.pick(lambda r: bool(r.phone))
        who, to = c.staff_member(), c.flagged_rcpt(row)
        other = phone_one_off(rng, row.phone)
        if other in c.phones:
            continue
        m = c.mail(who, "Callback", [to])
        m.body(c.letter_text(to[0], [f"Please call the duty team on {other} to rearrange."], who))
        c.add(m, who[1], [to[1]], N, "protected-negative/phone_one_off", f"phone one digit off {row.id}'s")

    for _ in range(22):  # minutes: case numbers, dates, amounts, sections, rooms, street names
        row = c.pick()
        dom = rng.choice(FLAGGED_DOMAINS)
        rows_here = c.domain_rows[dom] or [row]
        row = rng.choice(rows_here)
        who = c.staff_member()
        to = [(f"{f} {last}", staff_email(f, last, dom)) for f, last in (person(rng) for _ in range(rng.randint(1, 4)))]
        a = row.addr
        n = digits(row)
        minutes = [
            f"Minutes of the Multi-Agency Housing Panel, Room {n}, {rng.choice(c.offices)}",
            f"Date: {n} March 2026, 10:00",
            f"Present: {', '.join(t[0] for t in to)}, {who[0]}",
            f"1. Apologies. {n} members present.",
            f"2. Case {case_ref(rng)}: Section {n} notice served; arrears £{n}.{rng.randint(10, 99)}.",
            f"3. Highways: resurfacing of {a.street} will start on {n} {rng.choice(['April', 'May'])}.",
            f"4. Postcode district {district_of(a.postcode)} has {rng.randint(20, 90)} open cases.",
            f"5. Item {n} deferred to the next meeting.",
            *filler(rng, 4),
        ]
        m = c.mail(who, "Minutes - Housing Panel", to)
        m.body(c.letter_text("all", ["Minutes attached."], who))
        m.attach(docx_letter(minutes), "Minutes.docx", DOCX)
        c.add(m, who[1], [t[1] for t in to], N, "protected-negative/minutes", f"numbers near {row.id}'s street")

    for dom in FLAGGED_DOMAINS:  # housing-stock spreadsheets with thousands of addresses
        for variant in range(3):
            protected_here = {r.id for r in c.domain_rows[dom]}
            rows: list[list[object]] = [
                [
                    "UPRN",
                    "Prop ref",
                    "Address line 1",
                    "Address line 2",
                    "Town",
                    "Postcode",
                    "Type",
                    "Beds",
                    "Weekly rent",
                ]
            ]
            extra = [r for r in c.rows if r.id not in protected_here and r.addr.number][:40] if variant == 2 else []
            neighbours = [near_miss(c, r, "neighbour") for r in c.domain_rows[dom]]
            addrs = [x for x in neighbours if x] + [r.addr for r in extra]
            addrs += [c.other_addr(rng.choice(TOWNS[:12])[0]) for _ in range(rng.randint(1500, 3000))]
            rng.shuffle(addrs)
            for a in addrs:
                rows.append(
                    [
                        rng.randint(10**10, 10**11),
                        f"P{rng.randint(10000, 99999)}",
                        ", ".join(a.premise_lines()),
                        a.locality or "",
                        a.town,
                        a.postcode,
                        rng.choice(["House", "Flat", "Maisonette", "Bungalow"]),
                        rng.randint(1, 5),
                        round(rng.uniform(80, 190), 2),
                    ]
                )
            who = c.staff_member()
            to = (f"{person(rng)[0]} Asset Team", f"assets@{dom}")
            m = c.mail(who, "Stock transfer data", [to])
            m.body(c.letter_text("colleagues", ["The stock list is attached."], who))
            m.attach(xlsx({"Stock": rows}), "Housing stock.xlsx", XLSX)
            why = "stock list, none protected for this recipient" + (" (others' protected rows)" if extra else "")
            c.add(m, who[1], [to[1]], N, "protected-negative/stock_xlsx", why)

    for _ in range(24):  # protected address to recipients not flagged for it
        row = c.pick()
        who = c.staff_member()
        kind = rng.choice(["solicitor", "internal", "partner"])
        to = [c.colleagues(1)[0]] if kind == "internal" else [c.unflagged_external(row)]
        if kind == "solicitor":
            to = [(f"{person(rng)[0]} Harbourside", staff_email(*person(rng), "harbourside-solicitors.co.uk"))]
        if any(t[1] in row.flagged or f"@{t[1].split('@')[1]}" in row.flagged for t in to):
            continue
        m = c.mail(who, "Confidential: client address", to)
        m.body(
            c.letter_text(
                to[0][0],
                [f"Her address is {mention(rng, row.addr, 'canonical')}. Please keep it confidential (C8)."],
                who,
            )
        )
        c.add(
            m,
            who[1],
            [t[1] for t in to],
            N,
            "protected-negative/unflagged_recipient",
            f"{row.id} to a recipient not flagged",
        )

    for _ in range(16):  # signatures, disclaimers, inline logos to the flagged ex-partner
        row = c.pick()
        who, to = c.staff_member(), c.flagged_rcpt(row)
        text = c.letter_text(
            to[0], ["Thank you for your email. I will look into this and reply within 10 working days."], who
        )
        html = html_page(
            "".join(f"<p class=MsoNormal>{p.replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
            + '<img src="cid:logo001@westmere.gov.uk" alt="Westmere City Council">'
        )
        m = c.mail(who, "RE: Your email", [to])
        m.body(text, html, logo=True)
        c.add(m, who[1], [to[1]], N, "protected-negative/signature_logo", f"flagged for {row.id}, signature only")

    for _ in range(16):  # calendar invite to one external person (often the flagged one)
        row = c.pick()
        who, to = c.staff_member(), c.flagged_rcpt(row)
        cols = c.colleagues(2)
        inv = ics(
            f"{rng.getrandbits(64):x}",
            "Contact review meeting",
            rng.choice(c.offices),
            (who[0], who[1]),
            [to, *cols],
            f"202604{rng.randint(10, 28)}T100000",
        )
        m = c.mail(who, "Contact review meeting", [to], cols)
        m.body(f"Please attend the review meeting.\n\n{who[0]}\n")
        m.calendar(inv)
        c.add(
            m,
            who[1],
            [to[1]] + [x[1] for x in cols],
            N,
            "exposure-negative/invite_one_external",
            "invite to one external with colleagues",
        )


# --- exposure --------------------------------------------------------------------------------
def exposure(c: Corpus) -> None:
    rng = c.rng
    for i in range(24):  # consultation invites and newsletters with residents visible
        who = c.staff_member()
        res = [c.resident() for _ in range(rng.randint(3, 25))]
        split = rng.randint(0, len(res) - 2)
        to, cc = (res[: split + 1], res[split + 1 :]) if i % 2 else (res, [])
        subj = rng.choice(
            [
                "Residents' consultation: Priory Estate regeneration",
                "Westmere Residents' Newsletter - Spring",
                "Invitation: community drop-in",
                "Parking scheme consultation",
            ]
        )
        m = c.mail(who, subj, to, cc + ([c.colleagues(1)[0]] if i % 3 == 0 else []))
        m.body(
            c.letter_text(
                "Resident",
                [
                    "You are invited to the consultation drop-in at the "
                    f"{rng.choice(c.offices)} on {rng.randint(1, 28)} May, 4pm - 7pm."
                ],
                who,
            )
        )
        c.add(m, who[1], [r[1] for r in res], "rewrite", "exposure/residents_to_cc", f"{len(res)} residents visible")

    for i in range(14):  # invites with resident ATTENDEE lines
        who = c.staff_member()
        res = [c.resident() for _ in range(rng.randint(2, 12))]
        inv = ics(
            f"{rng.getrandbits(64):x}",
            "Tenants' forum",
            rng.choice(c.offices),
            (who[0], who[1]),
            res,
            f"202605{rng.randint(10, 28)}T180000",
        )
        to = res if i % 2 else res[:1]
        m = c.mail(who, "Invitation: Tenants' forum", to)
        m.body("You have been invited to the Tenants' forum.\n")
        m.calendar(inv)
        c.add(m, who[1], [r[1] for r in res], "hold", "exposure/invite_attendees", "residents in ATTENDEE lines")

    for _ in range(6):  # several agencies in To
        who = c.staff_member()
        doms = rng.sample(UNFLAGGED_PARTNERS, rng.randint(2, 4))
        to = [(f"{f} {last}", staff_email(f, last, d)) for d in doms for f, last in [person(rng)]]
        m = c.mail(who, "MARAC actions", to)
        m.body(c.letter_text("all", ["Actions from today's meeting are below.", *filler(rng, 2)], who))
        c.add(m, who[1], [t[1] for t in to], "rewrite", "exposure/multi_agency", f"{len(doms)} agencies visible")

    for _ in range(14):  # several people at one partner organisation
        who = c.staff_member()
        d = rng.choice(UNFLAGGED_PARTNERS)
        to = [(f"{f} {last}", staff_email(f, last, d)) for f, last in (person(rng) for _ in range(rng.randint(2, 6)))]
        m = c.mail(who, "Partnership meeting", to[:2], to[2:] + c.colleagues(1))
        m.body(c.letter_text("all", ["Notes from the partnership meeting.", *filler(rng, 3)], who))
        c.add(m, who[1], [t[1] for t in to], "pass", "exposure-negative/one_org", "one partner organisation")

    for _ in range(14):  # Bcc-only mailshot
        who = c.staff_member()
        res = [c.resident() for _ in range(rng.randint(5, 40))]
        m = c.mail(who, "Westmere Residents' Newsletter", [(f"{ORG_NAME}", f"newsletter@{ORG}")])
        m.body(
            c.letter_text(
                "Resident",
                ["Our spring newsletter is below.", *filler(rng, 4), f"Questions? Email consultation@{ORG}."],
                who,
            )
        )
        c.add(m, who[1], [r[1] for r in res], "pass", "exposure-negative/bcc_only", "residents in Bcc only")

    for _ in range(14):  # one external with colleagues
        who = c.staff_member()
        ext = c.resident()
        m = c.mail(who, "Your housing application", [ext], c.colleagues(rng.randint(1, 3)))
        m.body(c.letter_text(ext[0], filler(rng, 2), who))
        c.add(m, who[1], [ext[1]], "pass", "exposure-negative/one_external", "one external with colleagues")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", type=Path, default=Path("/tmp/realistic"))
    ap.add_argument("--seed", type=int, default=20260301)
    a = ap.parse_args()
    if a.out.exists():
        shutil.rmtree(a.out)
    (a.out / "messages").mkdir(parents=True)
    c = Corpus(a.out, a.seed)
    c.write_register()
    positives(c)
    negatives(c)
    exposure(c)
    c.write_manifest()
    exp = [r["expect"] for r in c.records]
    print(f"{len(exp)} messages: {sum(e != 'pass' for e in exp)} to catch, {exp.count('pass')} to pass -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
