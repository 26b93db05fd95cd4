"""Protected-address families: positives in many containers, and near misses."""

from __future__ import annotations

import random
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from . import docs
from .mail import INTERNAL, Mail, person
from .register import Row
from .render import ABBREV

STAFF = [
    "Gareth Price",
    "Morag Campbell",
    "Siobhan Doherty",
    "Priya Shah",
    "Tom Whitaker",
    "Ffion Lloyd",
    "Ewan Fraser",
]
OPENERS = [
    "Further to our telephone conversation this morning, I am writing to confirm the arrangements we discussed.",
    "Thank you for your email of 28 October. I have checked our records and can confirm the details below.",
    "As requested, I attach the updated paperwork for the contact arrangements. Handover is at 10:30 on Saturday.",
    "I am sorry for the delay in replying; the team has been short-staffed since 14 October.",
    "Please find the case summary below ahead of the review meeting in Room 14 on Thursday.",
]
CLOSERS = [
    "If anything has changed please let me know by 20 November, quoting reference HB/2026/14732.",
    "You can reach the duty team on 0113 496 0000 between 9am and 5pm, Monday to Friday.",
    "The £14.50 administration fee has been waived for this application.",
    "Please keep this letter for your records; the next review is due in 12 months.",
]
LEADS = [
    "The address on file is:",
    "Current address:",
    "We will write to the family at",
    "Correspondence address -",
    "Ms {name} has now moved to",
    "Home visit booked at",
]


def staff_sender(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(STAFF)
    sub = rng.choice(["", "", "housing.", "childrens."])
    return name, f"{name.split()[0].lower()}.{name.split()[1].lower()}@{sub}{INTERNAL}"


def letter(rng: random.Random, row: Row, addr_lines: list[str], lead: str | None = None) -> str:
    lead = (lead or rng.choice(LEADS)).format(name=row.name.split()[-1])
    addr = "\n".join(addr_lines)
    return (
        f"Dear Mr {rng.choice(['Hughes', 'Kerr', 'Doyle', 'Parry', 'Shaw'])},\n\n{rng.choice(OPENERS)}\n\n"
        f"{lead}\n{addr}\n\n{rng.choice(CLOSERS)}\n\nKind regards\n\n"
    )


def cells(row: Row, style: int) -> tuple[list[str], list[object]]:
    """A spreadsheet/table row for the address: header and values (house number as a number)."""
    street = row.street
    if style % 3 == 1 and street.split()[-1] in ABBREV:
        street = " ".join([*street.split()[:-1], ABBREV[street.split()[-1]]])
    vals: list[object]
    if row.number:
        num: object = int(row.number) if row.number.isdigit() and style % 2 == 0 else row.number
        vals = [f"Flat {row.flat}" if row.flat else "", num, street, row.town, row.postcode]
        hdr = ["Flat", "House no.", "Street", "Town", "Postcode"]
    else:
        vals = ["", row.house_name, f"{street}, {row.locality}", row.town, row.postcode]
        hdr = ["Flat", "House name", "Street / village", "Town", "Postcode"]
    if style % 4 == 3:
        vals = [str(v).upper() if isinstance(v, str) else v for v in vals]
    return hdr, vals


@dataclass
class Ctx:
    n: int
    rng: random.Random
    row: Row
    addr: list[str]  # address lines as the variant wrote them
    rcpt: list[str]
    style: int
    lead: str | None = None
    positive: bool = True  # near misses write their own lines, never the row's cells


def _mail(c: Ctx, subject: str = "Your enquiry", **kw: object) -> Mail:
    name, addr = staff_sender(c.rng)
    return Mail(c.n, person(name, addr), c.rcpt, subject, **kw)  # type: ignore[arg-type]


def c_body(c: Ctx) -> Mail:
    return _mail(c).text(letter(c.rng, c.row, c.addr, c.lead))


def c_wrapped72(c: Ctx) -> Mail:
    """Plain text re-wrapped at 72 columns, so the address breaks mid-line."""
    one = ", ".join(c.addr)
    names = ["Mr Shaw", "the school", "your solicitor", "Ms Kerr's support worker", "the contact centre"]
    wrapped = ""
    for k in range(40):
        para = (
            f"As agreed with {names[k % len(names)]} last week{'.' * (k // 5)} the children's belongings "
            f"can be collected from {one} on Saturday morning."
        )
        wrapped = textwrap.fill(para, 72)
        if all(one not in ln for ln in wrapped.splitlines()):
            break
    return _mail(c).text(f"Hello,\n\n{wrapped}\n\nThanks\n")


def c_qp(c: Ctx) -> Mail:
    one = ", ".join(c.addr)
    body = (
        f"Hi,\n\nJust to confirm the move went ahead. The new address is {one}. Post has been redirected.\n\nThanks\n"
    )
    return _mail(c).raw_qp(body, one)


def c_html(c: Ctx) -> Mail:
    style = c.style % 3
    if style == 0:
        addr = "<br>".join(x.replace(" ", "&nbsp;") for x in c.addr)
    elif style == 1:
        addr = "".join(f'<div style="margin:0;font-family:Arial,sans-serif;font-size:11pt">{x}</div>' for x in c.addr)
    else:
        words = " ".join(c.addr).split(" ")
        addr = " ".join(f'<span style="color:#1f3864">{w}</span>' if k % 2 else w for k, w in enumerate(words))
    html = (
        f'<html><body><p style="font-family:Calibri">Dear Sir,</p><p>{docs.escape("Please see the details below.")}</p>'
        f'<p style="margin-left:12px">{addr}</p><p>Regards,<br>Housing Options</p></body></html>'
    )
    return _mail(c).html("Please see the details below.\n", html)


def c_subject(c: Ctx) -> Mail:
    return _mail(c, subject=f"Re: Repairs at {' '.join(c.addr)}").text(
        "Hi,\n\nThe contractor will attend next week.\n\nThanks\n"
    )


def c_signature(c: Ctx) -> Mail:
    """A forwarded reply quoting the protected person's own signature block."""
    sig = "\n".join("> " + x for x in [c.row.name, *c.addr, "Sent from my iPhone"])
    body = (
        f"Hi,\n\nSee her note below.\n\n-----Original Message-----\nFrom: {c.row.name}\nSent: 01 November 2026 18:22\n"
        f"Subject: school run\n\n> Can the school please use my details below from now on.\n>\n{sig}\n"
    )
    return _mail(c, subject="FW: school run").text(body)


def _ics_fold(line: str) -> str:
    out, raw = [], line.encode("utf-8")
    while len(raw) > 60:
        out.append(raw[:60].decode("utf-8", "ignore"))
        raw = raw[len(out[-1].encode()) :]
    out.append(raw.decode())
    return "\r\n ".join(out)


def c_calendar(c: Ctx) -> Mail:
    loc = ", ".join(c.addr).replace(",", "\\,")
    ics = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Council//Diary//EN",
            "METHOD:REQUEST",
            "BEGIN:VEVENT",
            f"UID:visit-{c.n}@{INTERNAL}",
            "DTSTAMP:20261102T090000Z",
            "DTSTART:20261110T140000Z",
            "DTEND:20261110T150000Z",
            "SUMMARY:Home visit",
            _ics_fold("LOCATION:" + loc),
            f"ORGANIZER;CN=Duty Team:mailto:duty@{INTERNAL}",
            f"ATTENDEE;CN=Guest;RSVP=TRUE:mailto:{c.rcpt[0]}",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    return _mail(c, subject="Invitation: Home visit").attach_calendar(ics)


def c_docx(c: Ctx) -> Mail:
    return _mail(c).attach(docs.docx(["Case summary", letter(c.rng, c.row, c.addr, c.lead)]), "case_summary.docx")


def c_docx_header(c: Ctx) -> Mail:
    return _mail(c).attach(
        docs.docx(["Statement of circumstances", "No changes since last review."], header=" ".join(c.addr)),
        "statement.docx",
    )


def c_docx_table(c: Ctx) -> Mail:
    hdr, vals = cells(c.row, c.style)
    return _mail(c).attach(docs.docx(["Household details"], table=[hdr, [str(v) for v in vals]]), "household.docx")


def c_xlsx(c: Ctx) -> Mail:
    hdr, vals = cells(c.row, c.style)
    return _mail(c).attach(docs.xlsx([["Case", *hdr], [f"HB{c.n:05d}", *vals]]), "caseload.xlsx")


def c_ods(c: Ctx) -> Mail:
    hdr, vals = cells(c.row, c.style)
    return _mail(c).attach(docs.ods([["Case", *hdr], [f"HB{c.n:05d}", *vals]]), "caseload.ods")


def c_odt(c: Ctx) -> Mail:
    if c.style % 2 and c.positive:
        hdr, vals = cells(c.row, c.style)
        data = docs.odt(["Household details"], table=[hdr, [str(v) for v in vals]])
    else:
        data = docs.odt(["Referral", letter(c.rng, c.row, c.addr, c.lead)])
    return _mail(c).attach(data, "referral.odt")


def c_rtf(c: Ctx) -> Mail:
    return _mail(c).attach(docs.rtf(["Tenancy note", letter(c.rng, c.row, c.addr, c.lead)]), "note.rtf")


def c_pptx(c: Ctx) -> Mail:
    return _mail(c).attach(docs.pptx([["Case conference"], ["Family now living at", *c.addr]]), "conference.pptx")


def c_pdf(c: Ctx) -> Mail:
    return _mail(c).attach(docs.pdf(["Decision letter", letter(c.rng, c.row, c.addr, c.lead)]), "decision.pdf")


def c_csv(c: Ctx) -> Mail:
    hdr, vals = cells(c.row, c.style)
    csv = ",".join(hdr) + "\r\n" + ",".join(f'"{v}"' for v in vals) + "\r\n"
    return _mail(c).attach(csv.encode(), "export.csv")


def c_zip_nested(c: Ctx) -> Mail:
    inner_doc = (
        docs.docx([letter(c.rng, c.row, c.addr, c.lead)])
        if c.style % 2
        else docs.odt([letter(c.rng, c.row, c.addr, c.lead)])
    )
    inner_name = "letter.docx" if c.style % 2 else "letter.odt"
    inner = docs.make_zip(
        [("notes/readme.txt", b"Bundle for the hearing.\n"), (f"2026/Correspondence/{inner_name}", inner_doc)]
    )
    outer = docs.make_zip(
        [("Bundle/index.txt", b"1. Correspondence\n2. Forms\n"), ("Bundle/Correspondence.zip", inner)]
    )
    return _mail(c, subject="Court bundle").attach(outer, "bundle.zip")


def c_zip_text(c: Ctx) -> Mail:
    text = letter(c.rng, c.row, c.addr, c.lead).encode("utf-8")
    return _mail(c).attach(docs.make_zip([("Referrals/November/referral 14.txt", text)]), "referrals.zip")


def _inner_forward(c: Ctx) -> Mail:
    inner = Mail(
        c.n + 5000, person(c.row.name, "client.portal@" + INTERNAL), [f"housing@{INTERNAL}"], "Change of address"
    )
    inner.text(f"Hello,\n\nPlease update my details.\n\n{chr(10).join(c.addr)}\n\nThank you\n{c.row.name}\n")
    return inner


def c_eml_rfc822(c: Ctx) -> Mail:
    return _mail(c, subject="FW: Change of address").attach_message(_inner_forward(c))


def c_eml_octet(c: Ctx) -> Mail:
    return _mail(c, subject="FW: Change of address").attach(_inner_forward(c).bytes(), "Change of address.eml", "eml")


def c_eml_nested(c: Ctx) -> Mail:
    """A forward of a forward whose innermost mail carries a docx."""
    inner = _inner_forward(c)
    inner.attach(docs.docx([letter(c.rng, c.row, c.addr, c.lead)]), "form.docx")
    mid = Mail(c.n + 6000, f"team.leader@{INTERNAL}", [f"caseworker@{INTERNAL}"], "FW: Change of address")
    mid.text("For action.\n").attach_message(inner)
    return _mail(c, subject="FW: FW: Change of address").attach_message(mid)


def c_zip_encrypted(c: Ctx) -> Mail:
    data = docs.encrypted_zip(
        [("letter.docx", docs.docx([letter(c.rng, c.row, c.addr, c.lead)]))], "Council2026", c.rng
    )
    return _mail(c).text("The password will follow in a separate email.\n").attach(data, "secure.zip")


def c_pdf_encrypted(c: Ctx) -> Mail:
    data = docs.pdf([letter(c.rng, c.row, c.addr, c.lead)], password="LS6pass")
    return _mail(c).text("Password sent by text message.\n").attach(data, "decision.pdf")


CONTAINERS: dict[str, Callable[[Ctx], Mail]] = {
    "body": c_body,
    "wrapped72": c_wrapped72,
    "qp_soft": c_qp,
    "html": c_html,
    "subject": c_subject,
    "signature": c_signature,
    "calendar_location": c_calendar,
    "docx": c_docx,
    "docx_header": c_docx_header,
    "docx_table": c_docx_table,
    "xlsx": c_xlsx,
    "ods": c_ods,
    "odt": c_odt,
    "rtf": c_rtf,
    "pptx": c_pptx,
    "pdf": c_pdf,
    "csv": c_csv,
    "zip_nested": c_zip_nested,
    "zip_text": c_zip_text,
    "eml_rfc822": c_eml_rfc822,
    "eml_octet": c_eml_octet,
    "eml_nested": c_eml_nested,
}
# Table-like containers write the address from `cells`, not from the variant's lines.
CELL_CONTAINERS = frozenset({"docx_table", "xlsx", "ods", "csv"})
ENCRYPTED: dict[str, Callable[[Ctx], Mail]] = {"zip_encrypted": c_zip_encrypted, "pdf_encrypted": c_pdf_encrypted}
NEGATIVE_CONTAINERS = ("body", "html", "docx", "pdf", "odt", "rtf", "pptx", "eml_rfc822", "wrapped72")
