"""Third-eye corpus: ~400 labelled outbound messages in the dev-corpus format, written by an
evaluator who did not read the other generators (other wordings, containers and near misses).

Usage: python -m corpora thirdeye --out OUT_DIR
Then:  python ../shared/corpus/score_check.py OUT_DIR

Deterministic: seeded, pinned MIME boundaries, message ids, dates and document timestamps.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from . import exposure, protected, register
from .mail import INTERNAL, Mail
from .render import NEAR_MISSES, VARIANTS

KINDS = ("england", "wales", "scotland", "tenement", "ni", "rural")
PHONE_FORMS = ("{p}", "+44 {q}", "+44 (0){q}", "{d}", "0044 {q}", "({a}) {b}")


class Corpus:
    def __init__(self, out: Path, seed: int = 20261102) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.rows = register.build()
        self.pool: dict[str, list[register.Row]] = {k: [] for k in KINDS}
        for r in self.rows[:]:
            self.pool[r.kind].append(r)
        for k in KINDS:
            random.Random(k).shuffle(self.pool[k])
        self.expected: list[dict[str, object]] = []

    def take(self, kind: str, need: str = "") -> register.Row:
        pool = self.pool[kind]
        for i, r in enumerate(pool):
            if (need != "phone" or r.phone) and (need != "email" or r.email) and (need != "number" or r.number):
                return pool.pop(i)
        return self.take("england", need)

    def flagged_rcpt(self, row: register.Row) -> list[str]:
        dom = [f for f in row.flagged if f.startswith("@")]
        to = [f"dispatch{dom[0]}"] if dom and self.rng.random() < 0.5 else [row.flagged[0]]
        if self.rng.random() < 0.3:
            to.append(f"records@{INTERNAL}")
        return to

    def emit(self, mail: Mail, rcpt: list[str], expect: str, family: str, why: str) -> None:
        n = len(self.expected) + 1
        name = f"{n:04d}.eml"
        (self.out / "messages" / name).write_bytes(mail.bytes())
        sender = str(mail.msg["From"]).split("<")[-1].rstrip(">")
        self.expected.append(
            {"file": name, "mail_from": sender, "rcpt": rcpt, "expect": expect, "family": family, "why": why}
        )

    def ctx(
        self,
        row: register.Row,
        addr: list[str],
        rcpt: list[str],
        style: int,
        lead: str | None = None,
        positive: bool = True,
    ) -> protected.Ctx:
        return protected.Ctx(len(self.expected) + 1, self.rng, row, addr, rcpt, style, lead, positive)

    # --- families ------------------------------------------------------------------------------------
    def positives(self) -> None:
        names = list(VARIANTS)
        for ci, (cname, build) in enumerate(protected.CONTAINERS.items()):
            for j in range(8):
                row = self.take(KINDS[(ci + j) % len(KINDS)])
                vname = "cells" if cname in protected.CELL_CONTAINERS else names[(ci * 3 + j) % len(names)]
                addr = VARIANTS["canonical" if vname == "cells" else vname](row, self.rng)
                rcpt = self.flagged_rcpt(row)
                self.emit(
                    build(self.ctx(row, addr, rcpt, j)),
                    rcpt,
                    "hold",
                    f"protected/{vname}/{cname}",
                    f"{row.kind} address of {row.id} ({vname}) to flagged recipient",
                )

    def phones_emails(self) -> None:
        for j in range(10):
            row = self.take(KINDS[j % len(KINDS)], "phone" if j < 7 else "email")
            if j < 7:
                d = row.phone.replace(" ", "")
                value = PHONE_FORMS[j % len(PHONE_FORMS)].format(
                    p=row.phone, q=d[1:5] + " " + d[5:], d=d, a=d[:5], b=d[5:8] + " " + d[8:]
                )
                what = "phone"
            else:
                value, what = row.email.upper() if j % 2 else row.email, "email"
            c = self.ctx(
                row, [f"You can reach her on {value} if needed."], self.flagged_rcpt(row), j, "Contact details:"
            )
            self.emit(protected.c_body(c), c.rcpt, "hold", f"protected/{what}/body", f"protected {what} of {row.id}")

    def encrypted(self) -> None:
        for j in range(14):
            name, build = list(protected.ENCRYPTED.items())[j % 2]
            row = self.take(KINDS[j % len(KINDS)])
            addr = VARIANTS["canonical"](row, self.rng)
            if j < 10:
                rcpt = self.flagged_rcpt(row)
                self.emit(
                    build(self.ctx(row, addr, rcpt, j)),
                    rcpt,
                    "hold",
                    f"unscannable/{name}",
                    "password-protected attachment to a flagged recipient (fails closed)",
                )
            else:
                rcpt = [f"conveyancing@harper-law{j}-example.co.uk"]
                self.emit(
                    build(self.ctx(row, addr, rcpt, j)),
                    rcpt,
                    "pass",
                    f"unscannable-negative/{name}",
                    "password-protected attachment to an ordinary external recipient",
                )

    def near_misses(self) -> None:
        conts = protected.NEGATIVE_CONTAINERS
        for ni, (nname, make) in enumerate(NEAR_MISSES.items()):
            made = 0
            for k in ("rural",) * 12 if nname == "named_elsewhere" else KINDS * 4:
                if made == 9:
                    break
                row = self.take(k)
                addr = make(row, self.rng)
                if addr is None:
                    self.pool[k].append(row)
                    continue
                cname = conts[(ni + made) % len(conts)]
                rcpt = self.flagged_rcpt(row)
                lead = "Please note:" if len(addr) == 1 and len(addr[0]) > 60 else None
                self.emit(
                    protected.CONTAINERS[cname](self.ctx(row, addr, rcpt, made, lead, positive=False)),
                    rcpt,
                    "pass",
                    f"protected-negative/{nname}/{cname}",
                    f"near miss ({nname}) of {row.id}; not its address",
                )
                made += 1

    def ordinary(self) -> None:
        """Letters that do reach a flagged ex-partner, about his own affairs, at his own address."""
        for j in range(12):
            row = self.take(KINDS[j % len(KINDS)], "number")
            other = self.rows[(self.rows.index(row) + 37) % len(self.rows)]
            if other.number == row.number:
                other = self.rows[(self.rows.index(row) + 38) % len(self.rows)]
            his = [f"{other.number or 7} {other.street}", other.town, other.postcode]
            c = self.ctx(row, his, self.flagged_rcpt(row), j, "We have your address as:")
            build = (protected.c_body, protected.c_pdf, protected.c_docx)[j % 3]
            self.emit(
                build(c), c.rcpt, "pass", "protected-negative/ordinary_letter", "letter to flagged person, no mention"
            )

    def not_flagged(self) -> None:
        for j in range(16):
            row = self.take(KINDS[j % len(KINDS)])
            addr = VARIANTS["canonical"](row, self.rng)
            if j < 10:
                rcpt = [row.email] if row.email else [f"family.team@harper-law{j}-example.co.uk"]
                fam, why = "protected-negative/not_flagged", "protected address to a recipient not flagged for it"
            else:
                rcpt = [f"records@{INTERNAL}", f"team@housing.{INTERNAL}"]
                fam, why = "protected-negative/internal_only", "protected address to colleagues only"
            build = (protected.c_body, protected.c_docx, protected.c_xlsx, protected.c_html)[j % 4]
            self.emit(build(self.ctx(row, addr, rcpt, j)), rcpt, "pass", fam, why)

    def exposures(self) -> None:
        for fam, make, count in exposure.EXPOSURE:
            for _ in range(count):
                mail, rcpt, expect, why = make(len(self.expected) + 1, self.rng)
                self.emit(mail, rcpt, expect, fam, why)

    def write(self) -> None:
        if self.out.exists():
            shutil.rmtree(self.out)
        (self.out / "messages").mkdir(parents=True)
        register.write(self.rows, self.out / "register.csv")
        for step in (
            self.positives,
            self.phones_emails,
            self.encrypted,
            self.near_misses,
            self.ordinary,
            self.not_flagged,
            self.exposures,
        ):
            step()
        (self.out / "settings.env").write_text(
            f"MAILGUARD_INTERNAL_DOMAINS={INTERNAL}\nMAILGUARD_EXPOSURE_THRESHOLD=2\nMAILGUARD_REGISTER=register.csv\n"
        )
        with (self.out / "expected.jsonl").open("w") as fh:
            for e in self.expected:
                fh.write(json.dumps(e, ensure_ascii=False) + "\n")


def write(out: Path) -> str:
    c = Corpus(out)
    c.write()
    return f"{len(c.expected)} messages, {len(c.rows)} register rows"
