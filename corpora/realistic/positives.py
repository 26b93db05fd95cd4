"""Messages that must be held: the protected address, phone or email reaching a flagged recipient."""

from __future__ import annotations

import csv
import io

from ..uk import TOWNS
from .corpus import Corpus, Rcpt, Row
from .documents import DOCX, PDF, XLSX, docx_letter, html_page, pdf, xlsx
from .people import ORG_NAME, person, phone_variant
from .prose import case_ref, disclaimer, filler
from .wordings import forms_for, mention, ocr_slips


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
