"""The generator: cases, their contacts, a history of delivered mail, then labelled test mail.

Everything is drawn from one seeded `random.Random`, so a seed is one corpus. Layout of OUT:

    history/manifest.jsonl, history/*.eml   for `mailguard learn --manifest`
    test/manifest.jsonl, test/*.eml         for `mailguard check --manifest` ("label": normal |
                                            misdirected, "kind": what sort of message)
    register.csv                            protected people some cases are about
    rules/organisation.yaml, rules/cases.yaml   the site's rules (observe off, case patterns)
"""

from __future__ import annotations

import csv
import json
import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

INTERNAL = "council.example.gov.uk"
START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
HISTORY_DAYS = 60
CUTOFF = START + timedelta(days=HISTORY_DAYS + 1)

FIRST = """Aisha Ben Chloe Dan Ella Finn Grace Harry Isla Jack Kate Liam Maya Noah Olivia Priya Rhys
Sara Tom Uma Vic Will Yusuf Zara Amir Beth Carl Dina Evan Faye Gus Hana Ivan Jade Kofi Lena Mo Nia
Owen Pia Raj Sian Theo Una Wes Xena Yara Zoe""".split()
LAST = """Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Walker Thompson Evans
Roberts Green Hall Wood Hughes Clarke Khan Ahmed Lewis Young Hill Baker Ali Moore Price Morgan Shah
Turner Cooper Ward Ellis Begum Reid Hussain Kaur Singh Murphy Kelly Byrne Doyle Quinn""".split()
CONSUMER = ["gmail.com", "outlook.com", "hotmail.co.uk", "btinternet.com", "yahoo.co.uk", "icloud.com"]
PROFESSIONAL = [
    "avonandsomerset.police.uk", "nhs.net", "stmarys.bristol.sch.uk", "oakfield.bristol.sch.uk",
    "cafcass.gov.uk", "nspcc.org.uk", "womensaid.org.uk", "harbourhousing.org.uk", "brightlaw.co.uk",
    "wessexfamilylaw.co.uk", "kingsdownsolicitors.co.uk", "barnardos.org.uk", "sirona-cic.org.uk",
    "northsomerset.gov.uk", "southglos.gov.uk", "bristolmind.org.uk", "probation.gov.uk",
    "youngcarers.org.uk", "homestart-bristol.org.uk", "familylinks.org.uk",
]  # fmt: skip
STREETS = """Acacia Avenue|Birch Grove|Cedar Close|Dover Street|Elm Road|Fern Lane|Granby Place|Holly
Walk|Ivy Terrace|Juniper Way|Kestrel Drive|Larch Crescent|Maple Gardens|Nightingale Road|Orchard
Street|Poplar Mews|Quarry Hill|Rowan Court|Sycamore Drive|Thorn Lane""".replace("\n", " ").split("|")
TOWNS = [("Bristol", "BS"), ("Bath", "BA"), ("Weston-super-Mare", "BS"), ("Yate", "BS")]
TOPICS = [
    "core group meeting", "child protection plan review", "home visit notes", "school attendance",
    "health visitor update", "contact arrangements", "strategy discussion", "court bundle",
    "housing referral", "safety plan", "assessment outcome", "family group conference",
]  # fmt: skip


@dataclass
class Person:
    address: str
    name: str
    organisation: str | None = None  # registrable domain of a professional; None: a member of the public


@dataclass
class Case:
    ref: str
    worker: Person
    family: list[Person]
    professionals: list[Person]
    register_id: str | None = None
    home: str = ""  # "14 Acacia Avenue, Bristol BS1 4DJ" for register cases
    written: list[Person] = field(default_factory=list)  # contacts the history has mailed

    def contacts(self) -> list[Person]:
        return self.family + self.professionals

    def organisations(self) -> set[str]:
        return {p.organisation for p in self.written if p.organisation}


@dataclass
class Corpus:
    history: int = 0
    normal: int = 0
    misdirected: int = 0


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def person(self, domain: str, organisation: str | None) -> Person:
        while True:
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            local = self.rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}{self.rng.randint(1, 99)}"])
            address = f"{local.lower()}@{domain}"
            if address not in self.used:
                self.used.add(address)
                return Person(address, f"{first} {last}", organisation)

    def public(self) -> Person:
        return self.person(self.rng.choice(CONSUMER), None)

    def professional(self, organisation: str | None = None) -> Person:
        org = organisation or self.rng.choice(PROFESSIONAL)
        return self.person(org, org)


def _reference(rng: random.Random, used: set[str]) -> str:
    while True:
        ref = f"CM-{rng.randint(1000, 9999)}-{rng.choice(string.ascii_uppercase)}{rng.choice(string.ascii_uppercase)}"
        if ref not in used:
            used.add(ref)
            return ref


def _written_ref(rng: random.Random, ref: str) -> str:
    """A reference as people type it: mostly as issued, sometimes lower case or with spaces."""
    roll = rng.random()
    if roll < 0.15:
        return ref.lower()
    if roll < 0.25:
        return ref.replace("-", " ")
    return ref


class _Writer:
    def __init__(self, out: Path, rng: random.Random) -> None:
        self.out, self.rng = out, rng
        self.lines: list[dict[str, object]] = []
        out.mkdir(parents=True, exist_ok=True)

    def write(self, sender: Person, to: list[Person], cc: list[Person], subject: str, body: str,
              when: datetime, **label: object) -> None:  # fmt: skip
        name = f"{len(self.lines) + 1:05d}.eml"
        headers = [
            f"From: {sender.name} <{sender.address}>",
            "To: " + ", ".join(f"{p.name} <{p.address}>" for p in to),
            *(["Cc: " + ", ".join(f"{p.name} <{p.address}>" for p in cc)] if cc else []),
            f"Subject: {subject}",
            f"Date: {format_datetime(when)}",
            f"Message-ID: <{self.out.name}-{len(self.lines) + 1}@{INTERNAL}>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
        ]
        (self.out / name).write_text("\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n")
        rcpt = [p.address for p in to + cc]
        self.lines.append({"file": name, "mail_from": sender.address, "rcpt": rcpt, **label})

    def close(self) -> None:
        text = "".join(json.dumps(line) + "\n" for line in self.lines)
        (self.out / "manifest.jsonl").write_text(text)


def _body(rng: random.Random, case: Case, to: list[Person], *, with_ref: bool = True) -> tuple[str, str]:
    topic = rng.choice(TOPICS)
    greeting = f"Dear {to[0].name.split()[0]}," if to else "Hello,"
    ref = _written_ref(rng, case.ref)
    lines = [greeting, ""]
    if with_ref:
        lines.append(rng.choice([f"Our reference: {ref}.", f"Re case {ref}:", f"(case ref {ref})"]))
    lines.append(f"Following the {topic}, I am writing with an update and the next steps we agreed.")
    if case.home and (not with_ref or rng.random() < 0.8):  # a message names its case one way or another
        lines.append(f"The family remain at {case.home}; please do not share this address.")
    lines += ["", "Kind regards,", case.worker.name, "Children's Services"]
    subject = f"{ref}: {topic}" if with_ref and rng.random() < 0.6 else topic.capitalize()
    return subject, "\n".join(lines)


def _cases(rng: random.Random, names: _Names, count: int, refs: set[str]) -> tuple[list[Case], list[list[str]]]:
    workers = [names.person(INTERNAL, None) for _ in range(12)]
    cases, register = [], []
    for i in range(count):
        family = [names.public() for _ in range(rng.choice([1, 1, 2]))]
        pros = [names.professional() for _ in range(rng.choice([1, 2, 2, 3]))]
        case = Case(_reference(rng, refs), rng.choice(workers), family, pros)
        if rng.random() < 0.35:  # about a protected person: the register row is a case key too
            town, area = rng.choice(TOWNS)
            number, street = rng.randint(1, 120), rng.choice(STREETS)
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            postcode = f"{area}{rng.randint(1, 16)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
            case.register_id = f"P{i + 1:06d}"
            case.home = f"{number} {street}, {town} {postcode}"
            register.append([case.register_id, family[0].name, f"{number} {street}, {town}", postcode, "", ""])
        cases.append(case)
    return cases, register


def _history(rng: random.Random, cases: list[Case], out: Path) -> int:
    """3 to 8 messages per case over at least two days; every contact is written to at least once."""
    events: list[tuple[datetime, Case, list[Person], bool]] = []
    for case in cases:
        count = rng.randint(3, 8)
        first = START + timedelta(days=rng.uniform(0, HISTORY_DAYS - 20))
        span = rng.uniform(3, HISTORY_DAYS - (first - START).days)
        days = sorted([0.0, span, *(rng.uniform(0, span) for _ in range(count - 2))])
        contacts = case.contacts()
        rng.shuffle(contacts)
        for n, day in enumerate(days):
            to = [contacts[n]] if n < len(contacts) else rng.sample(contacts, rng.randint(1, min(2, len(contacts))))
            with_ref = case.register_id is None or rng.random() < 0.5  # register cases: the address alone, often
            events.append((first + timedelta(days=day, minutes=rng.randint(0, 480)), case, to, with_ref))
            case.written.extend(p for p in to if p not in case.written)
    writer = _Writer(out, rng)
    for when, case, to, with_ref in sorted(events, key=lambda e: e[0]):
        subject, body = _body(rng, case, to, with_ref=with_ref)
        writer.write(case.worker, to, [], subject, body, when, case=case.ref)
    writer.close()
    return len(writer.lines)


def _test(
    rng: random.Random, cases: list[Case], names: _Names, refs: set[str], normal: int, out: Path
) -> tuple[int, int]:
    writer = _Writer(out, rng)
    colleagues = [names.person(INTERNAL, None) for _ in range(6)]
    when = CUTOFF
    misdirected = 0
    for case in cases:  # one misdirection per case, of the three sorts
        when += timedelta(minutes=rng.randint(5, 90))
        other = rng.choice([c for c in cases if c is not case])
        roll = rng.random()
        if roll < 0.4:
            wrong, kind = rng.choice(other.family), "other-family"
        elif roll < 0.7:
            wrong, kind = names.public(), "stranger"
        else:
            orgs = case.organisations()
            candidates = [p for p in other.professionals if p.organisation not in orgs]
            wrong, kind = (rng.choice(candidates), "other-professional") if candidates else (names.public(), "stranger")
        to = [wrong] + (rng.sample(case.written, 1) if rng.random() < 0.3 else [])
        subject, body = _body(rng, case, to, with_ref=case.register_id is None or rng.random() < 0.5)
        writer.write(case.worker, to, [], subject, body, when, label="misdirected", kind=kind, case=case.ref)
        misdirected += 1
    fresh = []
    for _ in range(normal):
        when += timedelta(minutes=rng.randint(1, 30))
        roll = rng.random()
        case = rng.choice(cases)
        if roll < 0.70:
            kind, to = "known-contacts", rng.sample(case.written, rng.randint(1, min(2, len(case.written))))
        elif roll < 0.80 and case.organisations():
            kind, to = "colleague-at-known-organisation", [names.professional(rng.choice(sorted(case.organisations())))]
        elif roll < 0.88:
            kind = "no-case"
            to = [names.professional()]
            subject = rng.choice(["Training dates", "Office move", "Partnership newsletter", "Invoice query"])
            body = f"Dear {to[0].name.split()[0]},\n\nPlease see the details below.\n\nRegards,\n{case.worker.name}"
            writer.write(case.worker, to, [], subject, body, when, label="normal", kind=kind)
            continue
        elif roll < 0.94:
            if not fresh or rng.random() < 0.5:
                fresh.append(Case(_reference(rng, refs), case.worker, [names.public()], [names.professional()]))
            case = rng.choice(fresh)
            kind, to = "case-without-history", [rng.choice(case.contacts())]
        else:
            kind, to = "internal-only", [rng.choice(colleagues)]
        cc = [rng.choice(colleagues)] if rng.random() < 0.3 else []
        subject, body = _body(rng, case, to, with_ref=case.register_id is None or rng.random() < 0.5)
        writer.write(case.worker, to, cc, subject, body, when, label="normal", kind=kind, case=case.ref)
    writer.close()
    return len(writer.lines) - misdirected, misdirected


RULES_ORGANISATION = f"internal_domains:\n  - {INTERNAL}\n"
RULES_CASES = """action: hold
observe: false
register_rows: true
patterns:
  - name: case-management
    regex: 'CM[-/ ]?\\d{4}[-/ ]?[A-Z]{2}\\b'
    ignore_case: true
"""


def generate(out: Path, *, cases: int = 150, normal: int = 1200, seed: int = 7) -> Corpus:
    rng = random.Random(seed)
    names = _Names(rng)
    refs: set[str] = set()
    all_cases, register = _cases(rng, names, cases, refs)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "register.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "address", "postcode", "phone", "flagged_recipients"])
        writer.writerows(register)
    (out / "rules").mkdir(exist_ok=True)
    (out / "rules" / "organisation.yaml").write_text(RULES_ORGANISATION)
    (out / "rules" / "cases.yaml").write_text(RULES_CASES)
    history = _history(rng, all_cases, out / "history")
    n_normal, n_misdirected = _test(rng, all_cases, names, refs, normal, out / "test")
    return Corpus(history, n_normal, n_misdirected)
