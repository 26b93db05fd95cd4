"""The fifth corpus: every surface, wording, alias and near miss that issues 10 and 21 name,
written from the issues alone (without reading the matcher or the extractors).

    .venv/bin/python -m corpora fifth --out OUT_DIR [--seed N]
    .venv/bin/python ../shared/corpus/score_check.py OUT_DIR

Families read `protected/<wording>/<carrier>`, `protected/alias_<kind>/<carrier>`,
`protected-negative/<near miss>/<carrier>`, `exposure/<how>` and `exposure-negative/<how>`, so a
miss names its class. The text of every message is the same for a seed.
"""

from __future__ import annotations

import json
import random
import shutil
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr
from pathlib import Path

from .. import uk
from ..builders import pin_boundaries
from . import homes as register
from .carriers import CARRIERS, Envelope
from .grammar import NEAR_MISSES, WORDINGS, Wording, aliases

INTERNAL = "housing.example-council.gov.uk"
# Mailbox providers whose every address is a member of the public (issue 21's list and more)
PUBLIC_DOMAINS = (
    "ntlworld.com",
    "virginmedia.com",
    "talktalk.net",
    "sky.com",
    "plus.net",
    "tiscali.co.uk",
    "aol.co.uk",
    "btopenworld.com",
    "gmx.co.uk",
    "web.de",
    "proton.me",
    "tutanota.com",
    "zoho.com",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
    "blueyonder.co.uk",
)
NEAR_MISS_CARRIERS = ("body", "pdf_two_column", "docx_runs", "filename", "vcard", "map_link", "html", "subject")


class Corpus:
    def __init__(self, out: Path, seed: int) -> None:
        self.out, self.rng = out, random.Random(seed)
        self.homes = register.build(seed=seed)
        self.unused = list(self.homes)
        self.rng.shuffle(self.unused)
        self.expected: list[dict[str, object]] = []

    def staff(self) -> str:
        return f"{self.rng.choice(uk.FIRST).lower()}.{self.rng.choice(uk.SURNAMES).lower()}@{INTERNAL}".replace("'", "")

    def resident(self) -> str:
        first, last = self.rng.choice(uk.FIRST).lower(), self.rng.choice(uk.SURNAMES).lower().replace("'", "")
        return (
            f"{first}{self.rng.choice(['.', '_', ''])}{last}{self.rng.randint(1, 999)}@{self.rng.choice(uk.CONSUMER)}"
        )

    def take(self, make: Wording) -> tuple[register.Home, str]:
        """The next home for which `make` applies, and its text."""
        for i, h in enumerate(self.unused):
            text = make(h, self.rng)
            if text is not None:
                del self.unused[i]
                return h, text
        raise LookupError(make.__name__)

    def emit(self, m: EmailMessage, rcpt: list[str], expect: str, family: str, why: str) -> None:
        n = len(self.expected) + 1
        m.replace_header("Message-ID", f"<{n:04d}.fifth@{INTERNAL}>") if "Message-ID" in m else None
        pin_boundaries(m, lambda k, n=n: f"=_fifth_{n:04d}_{k}")
        name = f"{n:04d}.eml"
        (self.out / "messages" / name).write_bytes(m.as_bytes(policy=SMTP))
        self.expected.append(
            {
                "file": name,
                "mail_from": m["From"].addresses[0].addr_spec,
                "rcpt": rcpt,
                "expect": expect,
                "family": family,
                "why": why,
            }
        )

    def flagged_rcpt(self, h: register.Home) -> str:
        first = next((f for f in h.flagged if not f.startswith("@")), h.flagged[0])
        return first

    # --- families --------------------------------------------------------------------------------
    def wordings(self) -> None:
        for wname, make in WORDINGS.items():
            for cname, carry in CARRIERS.items():
                h, text = self.take(make)
                to = self.flagged_rcpt(h)
                env = Envelope(self.staff(), [to])
                self.emit(
                    carry(env, text, self.rng),
                    [to],
                    "hold",
                    f"protected/{wname}/{cname}",
                    f"{h.kind} home {h.id}, {wname} wording, in the {cname}",
                )

    def aliases(self) -> None:
        carriers = ("body", "pdf_two_column", "docx_runs", "filename")
        for j in range(40):
            h, text = self.take(WORDINGS["canonical"])
            entry = h.flagged[-1] if j % 4 == 2 else h.flagged[0]
            kind, to = self.rng.choice(sorted(aliases(entry, self.rng).items()))
            cname = carriers[j % len(carriers)]
            env = Envelope(self.staff(), [to])
            self.emit(
                CARRIERS[cname](env, text, self.rng),
                [to],
                "hold",
                f"protected/alias_{kind}/{cname}",
                f"{h.id} to {kind} alias of its flagged {entry}",
            )

    def hidden_routes(self) -> None:
        """Envelope recipients at our own domain that route on to the flagged mailbox: never internal
        (refused at RCPT, or judged by the embedded destination)."""
        for j in range(6):
            h, text = self.take(WORDINGS["canonical"])
            local, _, dom = self.flagged_rcpt(h).partition("@")
            to = [f'"{local}@{dom}"@{INTERNAL}', f"{local}%{dom}@{INTERNAL}", f"{dom}!{local}@{INTERNAL}"][j % 3]
            self.emit(
                CARRIERS["body"](Envelope(self.staff(), [f"records@{INTERNAL}"]), text, self.rng),
                [to],
                "nopass",
                "protected/hidden_route/body",
                f"{h.id} to {to}, which routes to its flagged mailbox",
            )

    def near_misses(self) -> None:
        for nname, make in NEAR_MISSES.items():
            for k in range(12):
                h, text = self.take(make)
                to = self.flagged_rcpt(h)
                cname = NEAR_MISS_CARRIERS[k % len(NEAR_MISS_CARRIERS)]
                env = Envelope(self.staff(), [to])
                self.emit(
                    CARRIERS[cname](env, text, self.rng),
                    [to],
                    "pass",
                    f"protected-negative/{nname}/{cname}",
                    f"near miss ({nname}) of {h.id}",
                )
        for k in range(12):  # the home itself, to someone who is not flagged for it
            h, text = self.take(WORDINGS["canonical"])
            to = self.resident()
            cname = NEAR_MISS_CARRIERS[k % len(NEAR_MISS_CARRIERS)]
            self.emit(
                CARRIERS[cname](Envelope(self.staff(), [to]), text, self.rng),
                [to],
                "pass",
                f"protected-negative/not_flagged/{cname}",
                f"{h.id} to an unflagged recipient",
            )

    def exposure(self) -> None:
        carriers = CARRIERS
        for j in range(8):  # Resent-To/Resent-Cc show residents to each other
            people = [self.resident() for _ in range(2 + j % 3)]
            m = carriers["body"](Envelope(self.staff(), [f"lettings@{INTERNAL}"]), "Bin collection changes", self.rng)
            m["Resent-From"] = self.staff()
            hdr = "Resent-To" if j % 2 else "Resent-Cc"
            m[hdr] = ", ".join(people)
            self.emit(m, people, "nopass", f"exposure/{hdr.lower()}", f"{len(people)} residents in {hdr}")
        for j in range(8):  # addresses typed into a display name are shown to every recipient
            people = [self.resident() for _ in range(2 + j % 2)]
            m = carriers["body"](Envelope(self.staff(), [f"consultation@{INTERNAL}"]), "Parking consultation", self.rng)
            del m["To"]
            m["To"] = formataddr(("; ".join(people), f"consultation@{INTERNAL}"))
            self.emit(
                m,
                [*people, f"consultation@{INTERNAL}"],
                "nopass",
                "exposure/display_name_addresses",
                "residents' addresses typed into a display name",
            )
        for j in range(12):  # professionals of 2-8 agencies, with or without one parent
            doms = self.rng.sample(uk.AGENCIES, 2 + j % 7)
            to = [formataddr((org, f"{self.rng.choice(uk.FIRST).lower()}.{j}@{d}")) for d, org in doms]
            rcpt = [t.rpartition("<")[2].rstrip(">") for t in to]
            fam = "exposure-negative/multi_agency"
            if j % 3 == 2:
                parent = self.resident()
                to.append(parent)
                rcpt.append(parent)
                fam = "exposure-negative/multi_agency_one_public"
            m = carriers["body"](Envelope(self.staff(), to, [self.staff()]), "Strategy meeting actions", self.rng)
            self.emit(m, rcpt, "pass", fam, f"{len(doms)} agencies working together")
        for dom in PUBLIC_DOMAINS:  # two residents at any UK ISP or international mailbox provider
            people = [f"{self.rng.choice(uk.FIRST).lower()}{k}{self.rng.randint(10, 99)}@{dom}" for k in (1, 2)]
            m = carriers["body"](Envelope(self.staff(), people), "Your repair appointment", self.rng)
            self.emit(m, people, "rewrite", f"exposure/public_at_{dom.split('.')[0]}", f"two residents at {dom}")
        for _ in range(4):  # one resident in Resent-To is not an exposure
            one = self.resident()
            m = carriers["body"](Envelope(self.staff(), [f"lettings@{INTERNAL}"]), "Your repair", self.rng)
            m["Resent-From"], m["Resent-To"] = self.staff(), one
            self.emit(m, [one], "pass", "exposure-negative/resent_one", "one resident in Resent-To")

    def write(self) -> None:
        if self.out.exists():
            shutil.rmtree(self.out)
        (self.out / "messages").mkdir(parents=True)
        register.write(self.homes, self.out / "register.csv")
        self.wordings()
        self.aliases()
        self.hidden_routes()
        self.near_misses()
        self.exposure()
        (self.out / "settings.env").write_text(
            f"MAILGUARD_INTERNAL_DOMAINS={INTERNAL}\nMAILGUARD_EXPOSURE_THRESHOLD=2\nMAILGUARD_REGISTER=register.csv\n"
        )
        with (self.out / "expected.jsonl").open("w") as fh:
            for e in self.expected:
                fh.write(json.dumps(e, ensure_ascii=False) + "\n")


def write(out: Path, seed: int = 20261204) -> str:
    c = Corpus(out, seed)
    c.write()
    return f"{len(c.expected)} messages, {len(c.homes)} register rows"
