"""Messages that must pass: near misses, ordinary letters to the flagged, many other addresses."""

from __future__ import annotations

from dataclasses import replace

from ..uk import STREET_NAMES, TOWNS
from .addresses import Addr, district_of, postcode_for, street
from .corpus import Corpus, Row
from .documents import DOCX, PDF, XLSX, docx_letter, html_page, ics, pdf, xlsx
from .people import FLAGGED_DOMAINS, ORG, person, phone_one_off, staff_email
from .prose import case_ref, filler
from .wordings import mention


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
