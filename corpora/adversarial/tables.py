"""Protected families in tables and lists: an address split over cells, or one row of a long list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from corpora.builders import Attachment, docx_bytes, xlsx

from .corpus import Corpus
from .documents import DOCX_TYPE, XLSX_TYPE, esc, pdf_bytes
from .mail import hold_case, pass_case


def label_table(label: list[tuple[str, str]], intro: str | None = None) -> Callable[[object], None]:
    """A DOCX body: an optional paragraph, then a two-column label/value table."""

    def build(doc: object) -> None:
        if intro is not None:
            doc.add_paragraph(intro)  # type: ignore[attr-defined]
        t = doc.add_table(rows=0, cols=2)  # type: ignore[attr-defined]
        for a, b in label:
            cells = t.add_row().cells
            cells[0].text, cells[1].text = a, b

    return build


def list_attachment(carrier: str, table: list[list[str]]) -> list[Attachment]:
    """A table of addresses as a CSV, XLSX or PDF attachment."""
    if carrier == "csv":
        return [("addresses.csv", "\n".join(",".join(r) for r in table).encode(), "text/csv")]
    if carrier == "xlsx":
        return [("addresses.xlsx", xlsx({"List": table}), XLSX_TYPE)]
    return [("addresses.pdf", pdf_bytes("\n".join("  ".join(r) for r in table)), "application/pdf")]


def tables(c: Corpus) -> None:
    """Addresses split over HTML and DOCX table cells, label/value tables."""
    row = c.new_row()
    cells = [row.number, f"{row.street} {row.stype}", row.town, row.postcode]
    tr = "".join(f"<td>{esc(x)}</td>" for x in cells)
    hold_case(
        c,
        row,
        "protected/cells/html_table",
        "See the table.",
        html=f"<p>{c.filler()}</p><table><tr><th>No</th><th>Street</th><th>Town</th><th>Postcode</th></tr>"
        f"<tr>{tr}</tr></table>",
    )
    row = c.new_row()
    label = [
        ("House number", row.number),
        ("Street", f"{row.street} {row.stype}"),
        ("Town", row.town),
        ("Postcode", row.postcode),
    ]
    trs = "".join(f"<tr><td>{a}</td><td>{esc(b)}</td></tr>" for a, b in label)
    hold_case(c, row, "protected/label_value/html_table", "See the table.", html=f"<table>{trs}</table>")
    row = c.new_row()
    label = [
        ("Address line 1", f"{row.number} {row.street} {row.stype}"),
        ("Town", row.town),
        ("Postcode", row.postcode),
    ]
    docx = docx_bytes(label_table(label, c.filler()))
    hold_case(c, row, "protected/label_value/docx_table", "Attached.", attachments=[("referral.docx", docx, DOCX_TYPE)])
    row = c.new_row()
    label = [
        ("House number", row.number),
        ("Street", f"{row.street} {row.stype}"),
        ("Postcode", row.postcode),
    ]
    docx = docx_bytes(label_table(label))
    hold_case(
        c, row, "protected/label_value_number/docx_table", "Attached.", attachments=[("form.docx", docx, DOCX_TYPE)]
    )
    row = c.new_row()
    sheet = [
        ["Name", "House", "Street", "Town", "Postcode"],
        ["Child A", row.number, f"{row.street} {row.stype}", row.town, row.postcode],
    ]
    # the house number as a number cell, as a spreadsheet stores a typed-in number
    typed: list[list[object]] = [
        [x if i or j == 0 or x != row.number else int(x) for i, x in enumerate(r)] for j, r in enumerate(sheet)
    ]
    hold_case(
        c,
        row,
        "protected/cells/xlsx_number_cell",
        "Attached.",
        attachments=[("list.xlsx", xlsx({"Sheet1": typed}), XLSX_TYPE)],
    )
    row = c.new_row()
    details: list[list[object]] = [
        ["Field", "Value"],
        ["Address 1", row.line()],
        ["Address 2", ""],
        ["City", row.town],
        ["Postcode", row.postcode],
    ]
    hold_case(
        c,
        row,
        "protected/label_value/xlsx",
        "Attached.",
        attachments=[("details.xlsx", xlsx({"Details": details}), XLSX_TYPE)],
    )


def long_lists(c: Corpus) -> None:
    """A list of many addresses with the protected one among them, and a list of its neighbours."""
    for carrier in ("csv", "xlsx", "pdf"):
        row = c.new_row()
        others = [c.new_row() for _ in range(25)]
        people = [*others[:12], row, *others[12:]]
        table = [["Ref", "Address", "Town", "Postcode"]] + [
            [f"K{i}", p.line(), p.town, p.postcode] for i, p in enumerate(people)
        ]
        att = list_attachment(carrier, table)
        hold_case(c, row, f"protected/in_long_list/{carrier}", "List attached.", attachments=att)
    for carrier in ("csv", "xlsx"):
        row = c.new_row(number=str(c.rnd.randint(10, 90)))
        decoys = [c.new_row() for _ in range(20)]
        neighbour = replace(row, number=str(int(row.number) + 2))
        other_pc = replace(row, number=str(int(row.number) + 4))
        people = [*decoys[:10], neighbour, other_pc, *decoys[10:]]
        table = [["Ref", "No", "Street", "Town", "Postcode"]] + [
            [f"K{i}", p.number, f"{p.street} {p.stype}", p.town, p.postcode] for i, p in enumerate(people)
        ]
        # every decoy row is itself a register row: only the row's own flagged recipient is used
        att = list_attachment(carrier, table)
        pass_case(c, "protected-negative/neighbours_in_long_list", [row.flagged[0]], "List attached.", attachments=att)
