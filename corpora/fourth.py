"""Fourth generated corpus (dev format): forwarded chains, Cc/Bcc-only flagged recipients,
flagged-domain subdomains, phone spellings, wrong postcode district, encrypted OOXML,
Cc-only and calendar exposure, and clean negatives.

Usage: python -m corpora fourth --out OUT_DIR; deterministic.
"""
from __future__ import annotations

import csv
import json
import random
import struct
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from corpora import uk

ORG = "dept.example.gov.uk"
STREETS = [f"{stem} {kind}" for stem, kind in zip(uk.STREET_NAMES[::7], uk.STREET_TYPES[::3], strict=False)]
TOWNS = [(town, area) for town, area, *_ in uk.TOWNS[:8]]
FIRST, LAST, CONSUMER = uk.FIRST[::4], uk.SURNAMES[::6], uk.CONSUMER_COMMON
PARTNERS = ["partner-housing.org.uk", "northcare.org.uk", "safe-steps.org.uk"]
FILLER = ("Please find the notes from this week's review below. Let me know if anything needs "
          "to change before the panel meets on Thursday.")
R = random.Random(4444)
LETTERS = uk.INWARD_LETTERS


def person() -> str:
    return f"{R.choice(FIRST)} {R.choice(LAST)}"


def consumer(i: int) -> str:
    return f"{R.choice(FIRST).lower()}.{R.choice(LAST).lower()}{i}@{R.choice(CONSUMER)}"


def staff() -> str:
    return f"{R.choice(FIRST).lower()}.{R.choice(LAST).lower()}@{ORG}"


def make_register(n: int = 500) -> list[dict]:
    rows, seen = [], set()
    for i in range(n):
        town, area = TOWNS[i % len(TOWNS)]
        while True:
            inward = f"{R.randint(1, 9)}{R.choice(LETTERS)}{R.choice(LETTERS)}"
            pc = f"{area}{R.randint(2, 9)} {inward}"
            if pc not in seen:
                seen.add(pc)
                break
        num, street = R.randint(3, 180), R.choice(STREETS)
        flagged = consumer(i) if i % 5 else f"{consumer(i)};@{PARTNERS[i % 3]}"
        phone = f"0117 496 {i:04d}" if i % 2 == 0 else ""
        rows.append({"id": f"P{i:06d}", "name": person(), "num": num, "street": street, "town": town,
                     "postcode": pc, "phone": phone, "flagged": flagged})
    return rows


def addr(r: dict) -> str:
    return f"{r['num']} {r['street']}, {r['town']}, {r['postcode']}"


def fake_encrypted_ooxml() -> bytes:
    """A compound file with EncryptionInfo and EncryptedPackage streams, as Office writes
    a password-protected .docx (content random: we only need the container)."""
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00" + bytes(R.getrandbits(8) for _ in range(4088))
    pkg = struct.pack("<Q", 9000) + bytes(R.getrandbits(8) for _ in range(8184))
    end, free, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [fatsect, end, *range(3, 10), end, *range(11, 26), end]
    fat += [free] * (128 - len(fat))
    hdr = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + struct.pack(
        "<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0, 4096, end, 0, end, 0)
    hdr += struct.pack("<I", 0) + struct.pack("<I", free) * 108

    def entry(name: str, typ: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        nm = (name + "\0").encode("utf-16-le") if name else b""
        return (nm.ljust(64, b"\0") + struct.pack("<HBB", len(nm), typ, 1)
                + struct.pack("<III", left, right, child) + bytes(16 + 4 + 16)
                + struct.pack("<IQ", start, size))

    d = (entry("Root Entry", 5, free, free, 1, end, 0) + entry("EncryptionInfo", 2, free, 2, free, 2, 4096)
         + entry("EncryptedPackage", 2, free, free, free, 10, len(pkg)) + entry("", 0, free, free, free, 0, 0))
    return hdr + struct.pack("<128I", *fat) + d + info + pkg


class Corpus:
    def __init__(self, out: Path) -> None:
        self.out, self.lines, self.n = out, [], 0
        (out / "messages").mkdir(parents=True, exist_ok=True)

    def add(self, msg: EmailMessage, rcpt: list[str], expect: str, family: str, why: str) -> None:
        self.n += 1
        name = f"{self.n:04d}.eml"
        msg["Message-ID"] = f"<{self.n}.fourth@{ORG}>"
        msg["Date"] = "Fri, 20 Nov 2026 10:00:00 +0000"
        (self.out / "messages" / name).write_bytes(msg.as_bytes(policy=SMTP))
        mf = msg["From"].addresses[0].addr_spec
        self.lines.append({"file": name, "mail_from": mf, "rcpt": rcpt,
                           "expect": expect, "family": family, "why": why})


def mail(to: list[str], body: str, subject: str = "Case update", cc: list[str] | None = None) -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"{person()} <{staff()}>"
    m["To"] = ", ".join(to)
    if cc:
        m["Cc"] = ", ".join(cc)
    m["Subject"] = subject
    m.set_content(body)
    return m


def first_flag(r: dict) -> str:
    return r["flagged"].split(";")[0]


def write(out: Path) -> str:
    random.seed(4444)  # email.generator draws MIME boundaries from `random`
    rows = make_register()
    reg = out / "register.csv"
    out.mkdir(parents=True, exist_ok=True)
    with reg.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "address", "postcode", "phone", "flagged_recipients"])
        for r in rows:
            street = f"{r['num']} {r['street']}, {r['town']}"
            w.writerow([r["id"], r["name"], street, r["postcode"], r["phone"], r["flagged"]])
    (out / "settings.env").write_text(
        f"MAILGUARD_INTERNAL_DOMAINS={ORG}\nMAILGUARD_EXPOSURE_THRESHOLD=2\nMAILGUARD_REGISTER=register.csv\n")
    c = Corpus(out)
    pick = iter(R.sample(rows, len(rows)))
    hold = "hold"

    for i in range(10):  # address in the signature of the quoted older message
        r = next(pick)
        to = first_flag(r)
        sig = f"{r['name']}\n{r['num']} {r['street']}\n{r['town']}\n{r['postcode']}"
        quoted = "\n".join("> " + ln for ln in f"Hello,\n\nThanks for the call.\n\n--\n{sig}".splitlines())
        body = f"See below.\n\nOn Tue, 3 Nov 2026 at 09:12, {r['name']} wrote:\n{quoted}\n"
        if i % 2:
            body = (f"FYI\n\n-------- Forwarded message --------\nFrom: {r['name']}\nSubject: Re: contact\n\n"
                    f"Thanks for the call.\n\nKind regards\n{sig}\n")
        c.add(mail([to], body, "Fwd: contact"), [to], hold, "protected/fwd_signature", r["id"])
    for i in range(10):  # address only in a forwarded message's subject line
        r = next(pick)
        to = first_flag(r)
        subj = f"Visit to {r['num']} {r['street']}, {r['town']} {r['postcode']}"
        if i % 2:
            m = mail([to], "Forwarding as discussed.", "Fwd: visit")
            inner = EmailMessage()
            inner["From"], inner["To"], inner["Subject"] = staff(), staff(), subj
            inner["Date"] = "Mon, 2 Nov 2026 09:00:00 +0000"
            inner.set_content("Notes attached to the file.")
            m.add_attachment(inner)
        else:
            fwd = f"---------- Forwarded message ---------\nFrom: {staff()}\nDate: Mon, 2 Nov 2026\nSubject: {subj}\n"
            m = mail([to], fwd + "\nNotes on file.\n", "Fwd: visit")
        c.add(m, [to], hold, "protected/fwd_subject", r["id"])
    for _ in range(8):  # flagged recipient only in Cc
        r = next(pick)
        to, st = first_flag(r), staff()
        c.add(mail([st], f"Current address: {addr(r)}", cc=[to]), [st, to], hold, "protected/cc_only", r["id"])
    for _ in range(8):  # flagged recipient only in the envelope (Bcc)
        r = next(pick)
        to, st = first_flag(r), staff()
        c.add(mail([st], f"Address on file: {addr(r)}"), [st, to], hold, "protected/bcc_envelope_only", r["id"])
    dom_rows = [r for r in rows if ";@" in r["flagged"]]
    for i in range(8):  # flagged @domain, recipient at a subdomain
        r = dom_rows[i]
        dom = r["flagged"].split(";@")[1]
        to = f"{R.choice(FIRST).lower()}@{R.choice(['mail', 'leeds', 'staff'])}.{dom}"
        c.add(mail([to], f"Tenancy address: {addr(r)}"), [to], hold, "protected/flagged_subdomain", r["id"])
    for i in range(8):  # mixed-case recipient
        r = next(pick)
        lp, _, d = first_flag(r).partition("@")
        to = f"{lp.title()}@{d.upper() if i % 2 else d.title()}"
        c.add(mail([to], f"Address: {addr(r)}"), [to], hold, "protected/mixed_case_rcpt", r["id"])
    ph_rows = iter([r for r in rows if r["phone"]][40:])
    for fam, fmt in (("protected/phone_intl", lambda p: "+44 (0)" + p[1:]),
                     ("protected/phone_dash", lambda p: p.replace(" ", "-"))):
        for _ in range(6):
            r = next(ph_rows)
            to = first_flag(r)
            c.add(mail([to], f"You can reach her on {fmt(r['phone'])} after 5pm."), [to], hold, fam, r["id"])
    for _ in range(8):  # wrong outward digit, full street + number + town
        r = next(pick)
        pc = r["postcode"]
        digit = pc.split()[0][-1]
        bad = pc.split()[0][:-1] + str((int(digit) + 2) % 10 or 2) + " " + pc.split()[1]
        to = first_flag(r)
        c.add(mail([to], f"Please write to {r['num']} {r['street']}, {r['town']} {bad}."), [to], hold,
              "protected/wrong_district", r["id"])
    for _ in range(6):  # encrypted OOXML to a flagged recipient: unreadable -> hold
        r = next(pick)
        to = first_flag(r)
        m = mail([to], "The document is password protected; password by phone.")
        m.add_attachment(fake_encrypted_ooxml(), maintype="application",
                         subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="report.docx")
        c.add(m, [to], hold, "protected/encrypted_docx", r["id"])
    by_pc = {r["postcode"]: r for r in rows}
    for _ in range(8):  # A's house number with B's postcode, to A's flagged recipient
        a, b = next(pick), next(pick)
        num = a["num"] if a["num"] != b["num"] else a["num"] + 1
        to = first_flag(a)
        assert by_pc[b["postcode"]]["num"] != num
        c.add(mail([to], f"Parcel for number {num}, {b['postcode']}."), [to], "pass",
              "protected-negative/other_rows_postcode", f"{a['id']} number + {b['id']} postcode")
    # --- exposure
    for i in range(8):
        cc = [consumer(900 + i), consumer(950 + i)]
        c.add(mail([staff()], FILLER, "Meeting notes", cc=cc), cc, "rewrite", "exposure/cc_only", "2 consumers in Cc")
    for i in range(8):
        org = f"coordinator@{PARTNERS[i % 3]}"
        att = [consumer(1000 + i), consumer(1050 + i)]
        ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
               f"UID:{i}-fourth@{ORG}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260506T100000Z\r\n"
               f"SUMMARY:Residents forum\r\nORGANIZER;CN=Forum:mailto:{org}\r\n"
               + "".join(f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{a}\r\n" for a in att)
               + "END:VEVENT\r\nEND:VCALENDAR\r\n")
        m = mail([att[0]], "Forwarding the forum invitation.", "Invitation: Residents forum")
        m.add_attachment(ics.encode(), maintype="text", subtype="calendar", filename="invite.ics",
                         params={"method": "REQUEST"})
        c.add(m, att, "nopass", "exposure/calendar_external_organizer", "2 public attendees + external organizer")
    for i in range(12):  # professionals of 2-8 agencies working together, some with one parent
        doms = R.sample([d for d, _ in uk.AGENCIES], 2 + i % 7)
        to = [f"{R.choice(FIRST).lower()}.{R.choice(LAST).lower()}@{d}" for d in doms]
        fam = "exposure-negative/multi_agency"
        if i % 4 == 3:
            to.append(consumer(1600 + i))
            fam = "exposure-negative/multi_agency_one_public"
        c.add(mail(to, FILLER, "Strategy meeting", cc=[staff()]), to, "pass", fam, f"{len(doms)} agencies")
    # --- negatives
    for _ in range(8):
        r = next(pick)
        to = [staff(), staff()]
        c.add(mail(to, f"Address for the file: {addr(r)} tel {r['phone'] or 'n/a'}"), to, "pass",
              "protected-negative/internal_only", r["id"])
    for i in range(10):
        bcc = [consumer(1100 + i * 10 + k) for k in range(6)]
        st = f"newsletter@{ORG}"
        c.add(mail([st], "Monthly newsletter: opening hours, events and consultations.", "Newsletter"),
              [st, *bcc], "pass", "exposure-negative/newsletter_bcc", "Bcc only")
    for i in range(10):
        to = consumer(1300 + i) if i % 2 else f"Officer@{PARTNERS[i % 3].upper()}"
        c.add(mail([to], FILLER + "\nCall 0117 496 9999 for the front desk."), [to], "pass",
              "exposure-negative/one_recipient", "one external")
    for i in range(8):
        r = next(pick)
        to = consumer(1400 + i)
        c.add(mail([to], f"Address: {addr(r)}"), [to], "pass", "protected-negative/unflagged_rcpt", r["id"])
    for i in range(8):
        to = [f"{R.choice(FIRST)}.{R.choice(LAST)}@DEPT.Example.GOV.UK", f"x{i}@Housing.{ORG}", consumer(1500 + i)]
        c.add(mail(to, FILLER), to, "pass", "exposure-negative/mixed_case_internal", "one external + internal")
    (out / "expected.jsonl").write_text("".join(json.dumps(x) + "\n" for x in c.lines))
    return f"{c.n} messages"
