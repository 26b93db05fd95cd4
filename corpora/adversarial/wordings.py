"""Protected families: one address written every way people (and registers) write it."""

from __future__ import annotations

from .corpus import Corpus
from .mail import add_held, as_bytes, canonical, hold_body, hold_case, message, wrap
from .names import STREET_NAMES, TYPES


def wordings(c: Corpus) -> None:
    """The same kind of address written every way people write it (plain body)."""
    # every abbreviation of a full type, and every expansion of an abbreviated register entry
    for full, abbrevs in TYPES:
        for ab in abbrevs:
            row = c.new_row(stype=full)
            hold_body(
                c,
                row,
                f"protected/abbrev/{ab.rstrip('.')}",
                f"{row.number} {row.street} {ab} {row.town} {row.postcode}",
            )
            row = c.new_row(stype=ab)
            hold_body(
                c, row, f"protected/expand/{full}", f"{row.number} {row.street} {full}, {row.town} {row.postcode}"
            )
            row = c.new_row(stype=full)
            hold_body(
                c, row, f"protected/abbrev_no_postcode/{ab.rstrip('.')}", f"{row.number} {row.street} {ab}, {row.town}"
            )
    # Saint / St
    for reg, written in [
        ("St Andrews", "Saint Andrews"),
        ("Saint Marys", "St Mary's"),
        ("St. Johns", "St Johns"),
        ("St Peters", "St. Peter's"),
    ]:
        row = c.new_row(street=reg, stype="Road")
        hold_body(c, row, "protected/saint/body", f"{row.number} {written} Road, {row.town} {row.postcode}")
        row = c.new_row(street=reg, stype="Street")
        hold_body(c, row, "protected/saint_st_st/body", f"{row.number} {written} St, {row.town}")
    # flats
    flat_names = {
        "Flat {f}, {n} {s}": "flat_comma",
        "{f}/{n} {s}": "slash",
        "Apartment {f}, {n} {s}": "apartment",
        "Flat {f} {n} {s}": "flat_no_comma",
        "Apt {f}, {n} {s}": "apt",
        "Flat {f}\n{n} {s}": "flat_newline",
        "{n} {s} (flat {f})": "flat_after",
    }
    for form in flat_names:
        row = c.new_row(flat=str(c.rnd.randint(1, 12)))
        body = form.format(f=row.flat, n=row.number, s=f"{row.street} {row.stype}") + f", {row.town} {row.postcode}"
        hold_body(c, row, f"protected/flat/{flat_names[form]}", body)
    row = c.new_row(flat="3")
    hold_body(c, row, "protected/flat_omitted/body", f"{row.line()}, {row.town}")
    # 14a
    for form in ["{n}a {s}", "{n}A {s}", "{n} A {s}", "{n}-A {s}"]:
        row = c.new_row(number=f"{c.rnd.randint(3, 99)}A")
        n = row.number[:-1]
        hold_body(
            c,
            row,
            "protected/letter_suffix/body",
            form.format(n=n, s=f"{row.street} {row.stype}") + f", {row.town} {row.postcode}",
        )
    # postcode forms
    for fam, fmt in [
        ("postcode_first", "{pc}, {line}, {town}"),
        ("postcode_first_no_town", "{pc} {line}"),
        ("postcode_lower_nospace", "{line}, {town} {pcl}"),
        ("postcode_lower", "{line}\n{town}\n{pclsp}"),
        ("postcode_extra_space", "{line}, {town}  {pcx}"),
        ("number_postcode", "No. {n}, {pc}"),
        ("number_postcode", "{n}, {pc}"),
        ("number_postcode", "house number {n}, postcode {pcl}"),
        ("number_postcode", "Postcode: {pc}\nHouse number: {n}"),
        ("number_postcode_reversed", "{pc} ({n})"),
        ("all_caps_no_commas", "{LINE} {TOWN} {pcs}"),
        ("tabs_spaces", "{n}\t{street}  {stype} ,  {town} ,{pc}"),
        ("nbsp", "{n}\u00a0{street}\u00a0{stype},\u00a0{town}\u00a0{pc}"),
        ("comma_after_number", "{n}, {street} {stype}, {town}"),
        ("no_prefix", "No. {n} {street} {stype}, {town}"),
        ("number_word", "number {n} {street} {stype} in {town}"),
        ("split_lines", "{n}\n{street} {stype}\n{town}\n{pc}"),
        ("split_lines", "{n} {street}\n{stype}\n{town}"),
        ("dash_separated", "{n} {street} {stype} - {town} - {pc}"),
        ("quoted_reply", "> They are now at {line},\n> {town} {pc}"),
    ]:
        row = c.new_row()
        pc = row.postcode
        body = fmt.format(
            pc=pc,
            pcl=pc.lower().replace(" ", ""),
            pclsp=pc.lower(),
            pcx=pc.replace(" ", "  "),
            pcs=pc.replace(" ", ""),
            line=row.line(),
            LINE=row.line().upper(),
            TOWN=row.town.upper(),
            town=row.town,
            n=row.number,
            street=row.street,
            stype=row.stype,
        )
        hold_body(c, row, f"protected/{fam}/body", body)
    # in a sentence
    for fmt in [
        "she now lives at {n} {sl} {tl}, {town}",
        "The children have moved to {n} {sl} {tl} with mum.",
        "mum is staying at {n} {sl} {tl} ({town}) for now",
        "visit at {n} {sl} {tl}, {town} on Monday",
    ]:
        row = c.new_row(stype="Avenue")
        hold_body(
            c,
            row,
            "protected/sentence/body",
            fmt.format(n=row.number, sl=row.street.lower(), tl="ave", town=row.town.lower()),
            lead="",
        )
    # typos and OCR slips
    for fam, fn in [
        ("typo_swap", lambda s: s[0] + s[2] + s[1] + s[3:]),
        ("typo_drop", lambda s: s[:3] + s[4:]),
        ("typo_double", lambda s: s[:3] + s[3] + s[3:]),
        ("ocr_rn_m", lambda s: s.replace("m", "rn")),
        ("ocr_l_1", lambda s: s.replace("l", "1")),
        ("ocr_o_0", lambda s: s.replace("o", "0")),
    ]:
        for _ in range(2):
            need = {"ocr_rn_m": "m", "ocr_l_1": "l", "ocr_o_0": "o"}.get(fam, "")
            street = c.rnd.choice([s for s in STREET_NAMES if need in s.lower()] if need else STREET_NAMES)
            row = c.new_row(street=street)
            hold_body(
                c, row, f"protected/{fam}/body", f"{row.number} {fn(row.street)} {row.stype}, {row.town} {row.postcode}"
            )
    for fam, fn in [
        ("ocr_number", lambda r: r.number.replace("1", "l").replace("0", "O")),
        ("ocr_postcode", lambda r: r.postcode.replace("0", "O").replace("1", "I")),
    ]:
        row = c.new_row(number=c.rnd.choice(["10", "11", "101", "110", "17"]))
        text = (
            f"{fn(row)} {row.street} {row.stype}, {row.town}"
            if fam == "ocr_number"
            else f"{row.number} {row.street} {row.stype} {fn(row)}"
        )
        hold_body(c, row, f"protected/{fam}/body", text)
    # subject line only
    row = c.new_row()
    hold_case(
        c,
        row,
        "protected/subject/header",
        "Please see the subject line.",
        subject=f"Visit to {row.line()}, {row.town}",
    )


def phones_emails(c: Corpus) -> None:
    """A protected phone number or email address, written the ways people write them."""
    for fmt in [
        "0117 496 {x}",
        "0117-496-{x}",
        "(0117) 496{x}",
        "+44 117 496 {x}",
        "+44 (0)117 496 {x}",
        "0044 117 496 {x}",
        "01174 96{x}",
        "tel:+44117496{x}",
        "0117496{x}",
        "+44117496{x}",
    ]:
        row = c.new_row(phone=True)
        x = row.phone[-4:]
        hold_body(c, row, "protected/phone/body", f"Her new number is {fmt.format(x=x)}.", lead="Update:")
    for where in ("body", "html_mailto", "mixed_case", "cc_header", "obfuscated_at"):
        row = c.new_row(email=True)
        frm = c.sender()
        rcpt = [row.flagged[0]]
        e = row.email
        note = ""
        if where == "body":
            msg = message(frm, rcpt, "Contact", wrap(c, f"You can reach her on {e}", lead="Contact:"))
        elif where == "html_mailto":
            msg = message(frm, rcpt, "Contact", None, html=f'<p>Write to <a href="mailto:{e}">her</a>.</p>')
        elif where == "mixed_case":
            msg = message(frm, rcpt, "Contact", wrap(c, f"Email: {e.upper()}", lead="Contact:"))
        elif where == "cc_header":
            msg = message(frm, rcpt, "Meeting", "Please both attend.", cc=[e])
            rcpt = [*rcpt, e]
        else:
            msg = message(frm, rcpt, "Contact", wrap(c, "Email: " + e.replace("@", " [at] ").replace(".", " [dot] ")))
            note = " (obfuscated, a stretch)"
        add_held(c, as_bytes(msg), frm, rcpt, f"protected/email/{where}", row, f"to flagged recipient{note}")


def register_variety(c: Corpus) -> None:
    """Register rows written unusually; the text in the usual way."""
    for fam, kw in [
        ("reg_abbrev_dot", {"stype": "Ave."}),
        ("reg_number_comma", {}),
        ("reg_locality", {}),
        ("reg_postcode_squashed", {}),
        ("reg_bad_phone", {}),
        ("reg_slash_flat", {}),
        ("reg_house_name", {}),
        ("reg_lower_case", {}),
    ]:
        row = c.new_row(**kw)
        text = f"{row.number} {row.street} {row.stype.rstrip('.') + ('nue' if kw else '')}, {row.town} {row.postcode}"
        if fam == "reg_number_comma":
            row.number_comma = True
        elif fam == "reg_locality":
            row.town = f"Clifton, {row.town}"
            text = f"{row.line()}, {row.town.split(', ')[1]} {row.postcode}"
        elif fam == "reg_postcode_squashed":
            row.postcode = row.postcode.replace(" ", "").lower()
        elif fam == "reg_bad_phone":
            row.phone = "ex-directory"
        elif fam == "reg_slash_flat":
            row.number = f"2/{row.number}"
            text = f"Flat 2, {row.number[2:]} {row.street} {row.stype}, {row.town}"
        elif fam == "reg_house_name":
            row.number = "Rose Cottage,"
            text = f"Rose Cottage, {row.street} {row.stype}, {row.town} {row.postcode}"
        elif fam == "reg_lower_case":
            row.street, row.stype, row.town = row.street.lower(), row.stype.lower(), row.town.lower()
            text = f"{row.number} {row.street.title()} {row.stype.title()}, {row.town.title()}"
        hold_body(c, row, f"protected/{fam}/body", text)


def flagged_variants(c: Corpus) -> None:
    """The flagged recipient written in another case, or at a subdomain of a flagged @domain."""
    row = c.new_row(flagged=["@partner-housing.org.uk"])
    frm = c.sender()
    rcpt = ["key.worker@mail.partner-housing.org.uk"]
    data = as_bytes(message(frm, rcpt, "Referral", wrap(c, canonical(row))))
    add_held(c, data, frm, rcpt, "protected/flagged_subdomain/body", row, "to a flagged domain's subdomain")
    row = c.new_row()
    rcpt = [row.flagged[0].upper()]
    data = as_bytes(message(frm, rcpt, "Referral", wrap(c, canonical(row))))
    add_held(c, data, frm, rcpt, "protected/flagged_upper_case/body", row, "to flagged recipient (upper case)")
