"""Recipient exposure: residents visible to one another (must be rewritten or held) and the
messages that only look like it (must pass)."""

from __future__ import annotations

from ..uk import AGENCIES
from .corpus import Corpus
from .documents import ics
from .people import ORG, ORG_NAME, UNFLAGGED_PARTNERS, person, staff_email
from .prose import filler


def exposure(c: Corpus) -> None:
    rng = c.rng
    for i in range(24):  # consultation invites and newsletters with residents visible
        who = c.staff_member()
        res = [c.resident() for _ in range(rng.randint(3, 25))]
        split = rng.randint(0, len(res) - 2)
        to, cc = (res[: split + 1], res[split + 1 :]) if i % 2 else (res, [])
        subj = rng.choice(
            [
                "Residents' consultation: Priory Estate regeneration",
                "Westmere Residents' Newsletter - Spring",
                "Invitation: community drop-in",
                "Parking scheme consultation",
            ]
        )
        m = c.mail(who, subj, to, cc + ([c.colleagues(1)[0]] if i % 3 == 0 else []))
        m.body(
            c.letter_text(
                "Resident",
                [
                    "You are invited to the consultation drop-in at the "
                    f"{rng.choice(c.offices)} on {rng.randint(1, 28)} May, 4pm - 7pm."
                ],
                who,
            )
        )
        c.add(m, who[1], [r[1] for r in res], "rewrite", "exposure/residents_to_cc", f"{len(res)} residents visible")

    for i in range(14):  # invites with resident ATTENDEE lines
        who = c.staff_member()
        res = [c.resident() for _ in range(rng.randint(2, 12))]
        inv = ics(
            f"{rng.getrandbits(64):x}",
            "Tenants' forum",
            rng.choice(c.offices),
            (who[0], who[1]),
            res,
            f"202605{rng.randint(10, 28)}T180000",
        )
        to = res if i % 2 else res[:1]
        m = c.mail(who, "Invitation: Tenants' forum", to)
        m.body("You have been invited to the Tenants' forum.\n")
        m.calendar(inv)
        c.add(m, who[1], [r[1] for r in res], "hold", "exposure/invite_attendees", "residents in ATTENDEE lines")

    agencies = [d for d, _ in AGENCIES] + UNFLAGGED_PARTNERS
    for i in range(24):  # professionals of 2-8 agencies (a third with one resident): not an exposure
        who = c.staff_member()
        doms = rng.sample(agencies, 2 + i % 7)
        to = [(f"{f} {last}", staff_email(f, last, d)) for d in doms for f, last in [person(rng)]]
        fam, why = "exposure-negative/multi_agency", f"{len(doms)} agencies working together"
        if i % 3 == 2:
            to.append(c.resident())
            fam, why = "exposure-negative/multi_agency_one_public", f"{len(doms)} agencies and one resident"
        cc = [c.staff_member()[:2]] if i % 2 else []
        m = c.mail(who, rng.choice(["MARAC actions", "Strategy meeting notes", "Child protection conference"]), to, cc)
        m.body(c.letter_text("all", ["Actions from today's meeting are below.", *filler(rng, 2)], who))
        c.add(m, who[1], [t[1] for t in to + cc], "pass", fam, why)

    for i in range(6):  # a mass mailing to ten or more organisations, or agencies with two residents
        who = c.staff_member()
        if i % 2:
            doms = rng.sample(agencies, 10 + i)
            to = [(f"{f} {last}", staff_email(f, last, d)) for d in doms for f, last in [person(rng)]]
            fam, why = "exposure/mass_mailing_orgs", f"{len(doms)} organisations visible"
        else:
            doms = rng.sample(agencies, 3)
            to = [(f"{f} {last}", staff_email(f, last, d)) for d in doms for f, last in [person(rng)]]
            to += [c.resident(), c.resident()]
            fam, why = "exposure/agencies_and_two_public", "three agencies and two residents visible"
        m = c.mail(who, "Consultation on the draft strategy", to)
        m.body(c.letter_text("all", ["The draft strategy is attached for comment.", *filler(rng, 2)], who))
        c.add(m, who[1], [t[1] for t in to], "rewrite", fam, why)

    for _ in range(14):  # several people at one partner organisation
        who = c.staff_member()
        d = rng.choice(UNFLAGGED_PARTNERS)
        to = [(f"{f} {last}", staff_email(f, last, d)) for f, last in (person(rng) for _ in range(rng.randint(2, 6)))]
        m = c.mail(who, "Partnership meeting", to[:2], to[2:] + c.colleagues(1))
        m.body(c.letter_text("all", ["Notes from the partnership meeting.", *filler(rng, 3)], who))
        c.add(m, who[1], [t[1] for t in to], "pass", "exposure-negative/one_org", "one partner organisation")

    for _ in range(14):  # Bcc-only mailshot
        who = c.staff_member()
        res = [c.resident() for _ in range(rng.randint(5, 40))]
        m = c.mail(who, "Westmere Residents' Newsletter", [(f"{ORG_NAME}", f"newsletter@{ORG}")])
        m.body(
            c.letter_text(
                "Resident",
                ["Our spring newsletter is below.", *filler(rng, 4), f"Questions? Email consultation@{ORG}."],
                who,
            )
        )
        c.add(m, who[1], [r[1] for r in res], "pass", "exposure-negative/bcc_only", "residents in Bcc only")

    for _ in range(14):  # one external with colleagues
        who = c.staff_member()
        ext = c.resident()
        m = c.mail(who, "Your housing application", [ext], c.colleagues(rng.randint(1, 3)))
        m.body(c.letter_text(ext[0], filler(rng, 2), who))
        c.add(m, who[1], [ext[1]], "pass", "exposure-negative/one_external", "one external with colleagues")
