"""The register being built (rows of protected people) and the corpus folder it is written to."""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from .names import CONSUMER, FILLER, FIRST, INTERNAL, INWARD_LETTERS, LAST, STREET_NAMES, TOWNS, TYPES


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
    number_comma: bool = False  # the register writes "14, Acacia Avenue"

    @property
    def address(self) -> str:
        flat = f"Flat {self.flat}, " if self.flat else ""
        sep = ", " if self.number_comma else " "
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


def filler_rows(c: Corpus, n: int) -> None:
    """Unrelated protected people, so the register is not trivially small."""
    for _ in range(n):
        c.new_row(
            flat=str(c.rnd.randint(1, 9)) if c.rnd.random() < 0.2 else "",
            phone=c.rnd.random() < 0.3,
            email=c.rnd.random() < 0.2,
        )
