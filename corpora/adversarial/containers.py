"""Protected families in containers: the canonical address inside every attachment a sender
might use (documents, archives, attached messages, calendar items)."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes
from email.policy import default

from corpora.builders import Attachment, docx_bytes, xlsx, zip_of

from .corpus import Corpus
from .documents import (
    DOCX_TYPE,
    PPTX_TYPE,
    XLSX_TYPE,
    esc,
    odt_bytes,
    pdf_bytes,
    pptx_bytes,
    rtf_bytes,
    vcard,
    xml_para,
)
from .mail import add_held, as_bytes, canonical, hold_case, message, wrap

# --- where in a DOCX the text goes ------------------------------------------------------------


def header(doc: object, text: str) -> None:
    doc.sections[0].header.paragraphs[0].text = text  # type: ignore[attr-defined]


def footer(doc: object, text: str) -> None:
    doc.sections[0].footer.paragraphs[0].text = text  # type: ignore[attr-defined]


def comment(doc: object, text: str) -> None:
    p = doc.add_paragraph("Family now rehoused.")  # type: ignore[attr-defined]
    doc.add_comment(p.runs, text=text, author="Case worker")  # type: ignore[attr-defined]


def textbox(doc: object, text: str) -> None:
    xml_para(
        doc,
        '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
        "<a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>"
        f"{esc(text)}</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData>"
        "</a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"
        f"<w:txbxContent><w:p><w:r><w:t>{esc(text)}</w:t></w:r></w:p></w:txbxContent></v:textbox>"
        "</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>",
    )


def deleted(doc: object, text: str) -> None:
    xml_para(
        doc,
        '<w:p><w:r><w:t xml:space="preserve">Address: </w:t></w:r><w:del w:id="1" w:author="x" '
        f'w:date="2026-01-01T00:00:00Z"><w:r><w:delText>{esc(text)}</w:delText></w:r></w:del></w:p>',
    )


def runs(doc: object, text: str) -> None:
    p = doc.add_paragraph()  # type: ignore[attr-defined]
    for i in range(0, len(text), 3):
        r = p.add_run(text[i : i + 3])
        r.bold = i % 2 == 0


def cells_split(doc: object, text: str) -> None:
    parts = text.split(" ")
    t = doc.add_table(rows=1, cols=len(parts))  # type: ignore[attr-defined]
    for cell, part in zip(t.rows[0].cells, parts, strict=True):
        cell.text = part


def containers(c: Corpus) -> None:
    """The canonical address in every container a sender might use."""

    def docx_with(fn: Callable[[object, str], None]) -> Callable[[str], bytes]:
        def make(text: str) -> bytes:
            def build(doc: object) -> None:
                doc.add_paragraph(c.filler())  # type: ignore[attr-defined]
                fn(doc, text)

            return docx_bytes(build)

        return make

    makers: list[tuple[str, Callable[[str], list[Attachment]]]] = [
        ("pdf", lambda t: [("report.pdf", pdf_bytes(wrap(c, t)), "application/pdf")]),
        ("zip", lambda t: [("bundle.zip", zip_of({"notes/report.txt": wrap(c, t)}), "application/zip")]),
        (
            "zip_docx",
            lambda t: [("bundle.zip", zip_of({"report.docx": docx_with(runs)(t)}), "application/zip")],
        ),
        (
            "nested_zip",
            lambda t: [
                (
                    "outer.zip",
                    zip_of({"inner.zip": zip_of({"deep/inner2.zip": zip_of({"a.txt": wrap(c, t)})})}),
                    "application/zip",
                )
            ],
        ),
        (
            "zip_octet_stream",
            lambda t: [("files.dat", zip_of({"x.csv": f'name,address\nA,"{t}"\n'}), "application/octet-stream")],
        ),
        (
            "odt",
            lambda t: [("letter.odt", odt_bytes([c.filler(), t]), "application/vnd.oasis.opendocument.text")],
        ),
        (
            "pptx",
            lambda t: [("slides.pptx", pptx_bytes(["Case review", t]), PPTX_TYPE)],
        ),
        ("rtf", lambda t: [("letter.rtf", rtf_bytes([c.filler(), t]), "application/rtf")]),
        ("rtf_as_msword", lambda t: [("letter.doc", rtf_bytes([c.filler(), t]), "application/msword")]),
        (
            "xlsx_hidden_sheet",
            lambda t: [
                (
                    "data.xlsx",
                    xlsx({"Summary": [["Nothing here"]], "Hidden": [["Address"], [t]]}, hidden=("Hidden",)),
                    XLSX_TYPE,
                )
            ],
        ),
        ("docx_header", lambda t: [("a.docx", docx_with(header)(t), DOCX_TYPE)]),
        ("docx_footer", lambda t: [("a.docx", docx_with(footer)(t), DOCX_TYPE)]),
        ("docx_comment", lambda t: [("a.docx", docx_with(comment)(t), DOCX_TYPE)]),
        ("docx_textbox", lambda t: [("a.docx", docx_with(textbox)(t), DOCX_TYPE)]),
        ("docx_tracked_deletion", lambda t: [("a.docx", docx_with(deleted)(t), DOCX_TYPE)]),
        ("docx_split_runs", lambda t: [("a.docx", docx_with(runs)(t), DOCX_TYPE)]),
        ("docx_word_per_cell", lambda t: [("a.docx", docx_with(cells_split)(t), DOCX_TYPE)]),
        ("csv", lambda t: [("export.csv", f'ref,address\nA1,"{t}"\n'.encode(), "text/csv")]),
        ("txt_cp1252", lambda t: [("notes.txt", ("Notes \u2013 " + t).encode("cp1252"), "text/plain")]),
        ("vcard", lambda t: [("contact.vcf", vcard(t), "text/vcard")]),
    ]
    for name, make in makers:
        row = c.new_row()
        hold_case(
            c,
            row,
            f"protected/{name}/canonical",
            f"{c.filler()}\n\nPlease see attached.",
            attachments=make(canonical(row)),
        )


def attached_messages(c: Corpus) -> None:
    """The address in a forwarded message: attached, as an opaque file, zipped, nested twice."""
    for name in ("eml_rfc822", "eml_octet", "eml_in_zip", "eml_nested_twice"):
        row = c.new_row()
        inner = as_bytes(message(c.sender(), [c.sender()], "Fwd: address", wrap(c, canonical(row))))
        frm = c.sender()
        rcpt = [row.flagged[0]]
        msg = message(frm, rcpt, "FW: case", "See below.")
        if name == "eml_rfc822":
            msg.add_attachment(message_from_bytes(inner, policy=default))
        elif name == "eml_octet":
            msg.add_attachment(inner, maintype="application", subtype="octet-stream", filename="original.eml")
        elif name == "eml_in_zip":
            msg.add_attachment(
                zip_of({"mail/original.eml": inner}),
                maintype="application",
                subtype="zip",
                filename="mails.zip",
            )
        else:
            mid = message(c.sender(), [c.sender()], "FW: FW", "fwd")
            mid.add_attachment(message_from_bytes(inner, policy=default))
            msg.add_attachment(message_from_bytes(as_bytes(mid), policy=default))
        add_held(c, as_bytes(msg), frm, rcpt, f"protected/{name}/canonical", row)


def ics_location(c: Corpus) -> None:
    """An invite whose LOCATION is the protected address."""
    row = c.new_row()
    loc = canonical(row).replace(",", "\\,")
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x1\r\nDTSTART:20261201T100000Z\r\n"
        f"SUMMARY:Home visit\r\nLOCATION:{loc}\r\nORGANIZER:mailto:{c.sender()}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    hold_case(
        c,
        row,
        "protected/ics_location/canonical",
        "Invite attached.",
        attachments=[("invite.ics", ics.encode(), "text/calendar")],
    )
