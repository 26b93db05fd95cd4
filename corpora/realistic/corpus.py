"""The register and the corpus being written: its people, places, recipients and records."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .addresses import Addr, random_addr
from .mail import Mail
from .people import FLAGGED_DOMAINS, ORG, PARTNERS, UNFLAGGED_PARTNERS, consumer_email, person, phone_for, staff_email
from .prose import disclaimer, filler, signature

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
