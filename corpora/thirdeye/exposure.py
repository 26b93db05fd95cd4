"""Exposure families: external parties shown to each other, and look-alikes that are fine."""

from __future__ import annotations

import random
from collections.abc import Callable

from ..uk import AGENCIES
from . import docs
from .mail import INTERNAL, Mail, person

Case = tuple[Mail, list[str], str, str]  # mail, envelope rcpt, expect, why

GIVEN = """Aled Bethan Callum Deirdre Eamon Fiona Gwen Hamish Iona Jack Kerry Lewis Mairead Nia Owen Padraig
    Rhian Seren""".split()
SUR = """Ahmed Bell Connolly Dunn Evans Ferguson Gallagher Hughes Ince Jenkins Kerr Lloyd McAllister Nowak
    Owens Pugh""".split()
CONSUMER = [
    "gmail.com",
    "hotmail.co.uk",
    "outlook.com",
    "yahoo.co.uk",
    "btinternet.com",
    "sky.com",
    "icloud.com",
    "virginmedia.com",
    "live.co.uk",
    "talktalk.net",
]
ORGS = [
    "shelter-cymru-example.org.uk",
    "glasgow-tenants-example.org",
    "nihe-partner-example.co.uk",
    "leeds-advocacy-example.org.uk",
    "mencap-example.org.uk",
    "barnardos-example.org.uk",
]


def resident(rng: random.Random, k: int) -> tuple[str, str]:
    g, s = rng.choice(GIVEN), rng.choice(SUR)
    return f"{g} {s}", f"{g.lower()}.{s.lower()}{k}@{rng.choice(CONSUMER)}"


def staff(rng: random.Random) -> str:
    sub = rng.choice(["", "housing.", "social-care.", "mail."])
    return f"{rng.choice(GIVEN).lower()}.{rng.choice(SUR).lower()}@{sub}{INTERNAL}"


def residents(rng: random.Random, n: int) -> list[tuple[str, str]]:
    return [resident(rng, rng.randrange(1000)) for _ in range(n)]


BODY = (
    "Dear residents,\n\nThank you for attending Tuesday's meeting about the cladding works. "
    "Minutes are attached and the next meeting is on 14 December in the community room.\n\nHousing Services\n"
)


def x_group(n: int, rng: random.Random) -> Case:
    rs = residents(rng, rng.randint(2, 6))
    raw = "Block B Residents: " + ", ".join(person(a, b) for a, b in rs) + ";"
    m = Mail(n, staff(rng), [], "Cladding works update", raw_to=raw).text(BODY)
    return m, [b for _, b in rs], "rewrite", "residents' personal addresses visible in a To group"


def x_commas(n: int, rng: random.Random) -> Case:
    rs = residents(rng, rng.randint(2, 4))
    to = [f'"{a.split()[1]}, {a.split()[0]}" <{b}>' for a, b in rs]
    m = Mail(n, staff(rng), to, "Your tenancy review").text(BODY)
    return m, [b for _, b in rs], "rewrite", "display names with commas; several external people in To"


def x_reply_all(n: int, rng: random.Random) -> Case:
    rs = residents(rng, rng.randint(4, 9))
    to, cc = [person(*rs[0])], [person(*r) for r in rs[1:]] + [staff(rng)]
    body = "Thanks all, noted.\n\nOn 1 Nov 2026, at 18:02, " + rs[0][0] + " wrote:\n> Are the bins being collected?\n"
    m = Mail(n, staff(rng), to, "RE: RE: Bin collections", cc=cc).text(body)
    return m, [b for _, b in rs] + [cc[-1]], "rewrite", "reply-all with residents in Cc"


def p_orgs(n: int, rng: random.Random) -> Case:
    a, b = rng.sample(ORGS, 2)
    to = [f"caseworker@{a}", f"referrals.team@advice.{b}"]
    m = Mail(n, staff(rng), to, "Joint referral").text("Please see the joint referral.\n")
    return m, to, "pass", "two partner organisations working together: professionals"


def _agencies(rng: random.Random, k: int) -> list[str]:
    roles = ["dci", "safeguarding.lead", "health.visitor", "head", "duty.social.worker", "idva", "probation.officer"]
    return [f"{rng.choice(roles)}{rng.randrange(100)}@{d}" for d, _ in rng.sample(AGENCIES, k)]


def p_multi_agency(n: int, rng: random.Random) -> Case:
    to = _agencies(rng, rng.randint(2, 8))
    cc = [staff(rng)]
    m = Mail(n, staff(rng), to, "Strategy discussion - actions", cc=cc)
    m.text("Thank you all for joining the strategy discussion this morning. Actions are below.\n")
    return m, to + cc, "pass", f"{len(to)} agencies working together"


def p_multi_agency_one_public(n: int, rng: random.Random) -> Case:
    to = _agencies(rng, rng.randint(2, 6))
    name, addr = resident(rng, rng.randrange(1000))
    to.append(person(name, addr))
    m = Mail(n, staff(rng), to, "Team around the family meeting").text("Dear all, the next meeting is on Tuesday.\n")
    return m, [*to[:-1], addr], "pass", "agencies and one parent: one member of the public"


def x_mass_orgs(n: int, rng: random.Random) -> Case:
    to = _agencies(rng, rng.randint(10, 14))
    m = Mail(n, staff(rng), to, "Consultation: draft homelessness strategy").text("The draft is attached.\n")
    return m, to, "rewrite", f"{len(to)} organisations visible: a mass mailing"


def _invite(n: int, rng: random.Random, attendees: list[str], to: list[str]) -> Mail:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{n}-forum@{INTERNAL}",
        "DTSTAMP:20261102T090000Z",
        "DTSTART:20261201T180000Z",
        "SUMMARY:Tenants' forum",
        "LOCATION:Community Room\\, Civic Centre",
        f'ORGANIZER;CN="Price, Gareth":mailto:{staff(rng)}',
    ]
    for k, a in enumerate(attendees):
        line = f'ATTENDEE;CN="Member {k}";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{a}'
        lines.append(line[:70] + "\r\n " + line[70:] if len(line) > 70 else line)
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return (
        Mail(n, staff(rng), to, "Invitation: Tenants' forum")
        .text("Tenants' forum invitation.\n")
        .attach_calendar("\r\n".join(lines))
    )


def x_invite(n: int, rng: random.Random) -> Case:
    rs = [b for _, b in residents(rng, rng.randint(2, 5))]
    m = _invite(n, rng, [*rs, staff(rng)], [rs[0]])
    return m, [rs[0]], "nopass", "invite's attendee list shows residents to each other"


def x_listed(n: int, rng: random.Random) -> Case:
    rs = residents(rng, 6)
    listing = "Name,Email,Phone\r\n" + "".join(f"{a},{b},07700 900{k:03d}\r\n" for k, (a, b) in enumerate(rs))
    to = [b for _, b in residents(rng, 2)]
    m = Mail(n, staff(rng), [f"housing@{INTERNAL}"], "Volunteer contact list").text("Attached is everyone's details.\n")
    m.attach(listing.encode(), "volunteers.csv") if n % 2 else m.attach(
        docs.xlsx([["Name", "Email"], *[[a, b] for a, b in rs]]), "volunteers.xlsx"
    )
    return m, to, "nopass", "attached list of residents' addresses sent (Bcc) to several externals"


# --- passes ------------------------------------------------------------------------------------------
def p_partner_subdomains(n: int, rng: random.Random) -> Case:
    org = rng.choice(ORGS)
    to = [f"a.{rng.choice(SUR).lower()}@housing.{org}", f"b.{rng.choice(SUR).lower()}@advice.{org}", f"c.x@{org}"]
    m = Mail(n, staff(rng), to[:2], "Case conference", cc=[to[2], staff(rng)]).text("Agenda attached.\n")
    return m, to, "pass", "one partner organisation on several subdomains"


def p_internal_subdomains(n: int, rng: random.Random) -> Case:
    ext = resident(rng, n)
    cc = [staff(rng), staff(rng), f'"Duty, Team" <duty@schools.{INTERNAL}>']
    m = Mail(n, staff(rng), [person(*ext)], "Your application", cc=cc).text("We have received your application.\n")
    return (
        m,
        [ext[1], *(c.split("<")[-1].rstrip(">") for c in cc)],
        "pass",
        "one external with colleagues on internal subdomains",
    )


def p_invite_one_external(n: int, rng: random.Random) -> Case:
    ext = resident(rng, n)[1]
    m = _invite(n, rng, [ext, staff(rng), staff(rng)], [ext])
    return m, [ext], "pass", "invite: internal attendees and one external"


def p_bcc(n: int, rng: random.Random) -> Case:
    rs = [b for _, b in residents(rng, rng.randint(3, 8))]
    m = Mail(n, staff(rng), [], "Newsletter", raw_to="undisclosed-recipients:;").text(BODY)
    return m, rs, "pass", "residents in Bcc only"


def p_commas_one(n: int, rng: random.Random) -> Case:
    a, b = resident(rng, n)
    to = [f'"{a.split()[1]}, {a.split()[0]} (Tenant, Flat 3)" <{b}>', f'"Price, Gareth" <gareth.price@{INTERNAL}>']
    m = Mail(n, staff(rng), to, "Your repair").text("The repair is booked.\n")
    return m, [b, f"gareth.price@{INTERNAL}"], "pass", "display names with commas, one external"


def p_role_list(n: int, rng: random.Random) -> Case:
    body = (
        f"Useful contacts: housing advice enquiries@{rng.choice(ORGS)}, benefits help@{rng.choice(ORGS)}, "
        f"or our own team at housing@{INTERNAL}.\n"
    )
    ext = resident(rng, n)[1]
    return (
        Mail(n, staff(rng), [ext], "Useful contacts").text(body),
        [ext],
        "pass",
        "role mailboxes in a body, one recipient",
    )


EXPOSURE: list[tuple[str, Callable[[int, random.Random], Case], int]] = [
    ("exposure/group", x_group, 8),
    ("exposure/display_commas", x_commas, 6),
    ("exposure/reply_all", x_reply_all, 8),
    ("exposure-negative/two_orgs", p_orgs, 4),
    ("exposure-negative/multi_agency", p_multi_agency, 8),
    ("exposure-negative/multi_agency_one_public", p_multi_agency_one_public, 6),
    ("exposure/mass_mailing_orgs", x_mass_orgs, 4),
    ("exposure/invite", x_invite, 6),
    ("exposure/listed", x_listed, 6),
    ("exposure-negative/partner_subdomains", p_partner_subdomains, 6),
    ("exposure-negative/internal_subdomains", p_internal_subdomains, 6),
    ("exposure-negative/invite_one_external", p_invite_one_external, 6),
    ("exposure-negative/bcc", p_bcc, 5),
    ("exposure-negative/display_commas_one", p_commas_one, 5),
    ("exposure-negative/role_list", p_role_list, 4),
]
