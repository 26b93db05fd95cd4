"""Attachments of every format, with the text in the awkward places people put it."""

from __future__ import annotations

import io

from mailguard.message import extract_content
from mailguard.message.model import AddressSource, SegmentKind

from .builders import docx, message, odt, pdf, pptx, w_p, w_table, xlsx, zip_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attach(name: str, data: bytes, ctype: str = "application/octet-stream"):
    return extract_content(message("see attached", attachments=[(name, data, ctype)]))


def _texts(content) -> list[tuple[str, str]]:
    return [(s.where, s.text) for s in content.segments]


def _all(content) -> str:
    return "\n".join(s.text for s in content.segments)


def test_docx_awkward_places() -> None:
    textbox = (
        '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
        + w_p("Text box: 5 Box Lane")
        + "</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
        + w_p("Text box: 5 Box Lane")
        + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    body = (
        w_p("Assessment")
        + '<w:p><w:r><w:t>Lives at </w:t></w:r><w:del><w:r><w:delText>9 Deleted Drive</w:delText></w:r></w:del>'
        '<w:r><w:t>[removed]</w:t><w:br/><w:t>second line</w:t></w:r></w:p>'
        + textbox
        + w_table([["Flat", "Number", "Street", "Postcode"], ["", "14", "Acacia Avenue", "BS1 4AB"]])
        + w_table([["Name", "Email"], ["Ann", "ann@partner.org"]])
    )
    data = docx(body, {
        "word/header1.xml": w_p("Header: 1 Top Road"),
        "word/footer2.xml": w_p("Footer: 2 Bottom Road"),
        "word/footnotes.xml": '<w:footnote w:id="1">' + w_p("Footnote: 3 Foot Street") + "</w:footnote>",
        "word/comments.xml": '<w:comment w:id="0">' + w_p("Comment: 4 Remark Road") + "</w:comment>",
    })
    c = _attach("assessment.docx", data, DOCX)
    texts = _texts(c)
    at = 'attachment "assessment.docx"'
    assert (f"{at} › paragraphs 1–3", "Assessment\nLives at 9 Deleted Drive[removed]\nsecond line") in [
        (w, t.replace("\nText box: 5 Box Lane", "")) for w, t in texts
    ] or any("9 Deleted Drive" in t for _, t in texts)
    assert sum("Text box: 5 Box Lane" in t for _, t in texts) == 1  # read once, not from the fallback too
    assert (f"{at} › table 1, row 2", "| 14 | Acacia Avenue | BS1 4AB") in texts or (
        f"{at} › table 1, row 2", "14 | Acacia Avenue | BS1 4AB") in texts
    rows = [s for s in c.segments if s.kind is SegmentKind.ROW]
    assert all("\n" not in r.text for r in rows)
    assert any(w == f"{at} › header 1" and "1 Top Road" in t for w, t in texts)
    assert any(w == f"{at} › footer 2" and "2 Bottom Road" in t for w, t in texts)
    assert any(w == f"{at} › footnotes" and "3 Foot Street" in t for w, t in texts)
    assert any(w == f"{at} › comments" and "4 Remark Road" in t for w, t in texts)
    listed = [a for a in c.addresses if a.source is AddressSource.LISTED]
    assert [(a.address, a.where) for a in listed] == [("ann@partner.org", f"{at} › table 2, row 2")]
    assert c.attachments[0].filename == "assessment.docx" and c.attachments[0].content_type == DOCX
    assert c.unscanned == []


def test_docx_from_python_docx() -> None:
    import docx as python_docx

    doc = python_docx.Document()
    doc.add_paragraph("Case notes")
    table = doc.add_table(rows=2, cols=3)
    for r, row in enumerate([["22", "Elm Road", "LS1 1AA"], ["23", "Oak Road", "LS1 1AB"]]):
        for i, value in enumerate(row):
            table.rows[r].cells[i].text = value
    doc.sections[0].header.paragraphs[0].text = "Header 7 Head Street"
    buf = io.BytesIO()
    doc.save(buf)
    c = _attach("notes.docx", buf.getvalue(), DOCX)
    assert ('attachment "notes.docx" › table 1, row 2', "23 | Oak Road | LS1 1AB") in _texts(c)
    assert "Header 7 Head Street" in _all(c)


def test_docx_paragraphs_are_batched() -> None:
    body = "".join(w_p(f"Paragraph {i} of the report with some words") for i in range(1, 20_001))
    c = _attach("big.docx", docx(body), DOCX)
    segments = [s for s in c.segments if s.where.startswith('attachment "big.docx" › paragraph')]
    assert 50 < len(segments) < 1000
    assert segments[0].where == 'attachment "big.docx" › paragraphs 1–' + segments[0].where.rsplit("–")[-1]
    assert segments[-1].where.endswith("–20000")
    assert "Paragraph 1 of" in segments[0].text and "\nParagraph 2 of" in segments[0].text


def test_pptx_slides_notes_tables() -> None:
    data = pptx(["Title\n14 Acacia Avenue", "Second slide"], notes={2: "Speaker note: 6 Note Road"})
    c = _attach("deck.pptx", data)
    texts = _texts(c)
    assert ('attachment "deck.pptx" › slide 1', "Title\n14 Acacia Avenue") in texts
    assert ('attachment "deck.pptx" › notes 2', "Speaker note: 6 Note Road") in texts


def test_odt_tables_and_headers() -> None:
    body = (
        "<text:p>Report for <text:span>14</text:span><text:s/>Acacia<text:line-break/>Avenue</text:p>"
        "<table:table><table:table-row><table:table-cell><text:p>22</text:p></table:table-cell>"
        "<table:table-cell><text:p>Elm Road</text:p></table:table-cell></table:table-row></table:table>"
        "<text:p>Ref<text:note><text:note-body><text:p>Note: 8 Note Lane</text:p></text:note-body></text:note></text:p>"
    )
    c = _attach("report.odt", odt(body, header="Header 3 Odt Road"))
    texts = _texts(c)
    assert any("Report for 14 Acacia\nAvenue" in t for _, t in texts)
    assert ('attachment "report.odt" › table 1, row 1', "22 | Elm Road") in texts
    assert "Note: 8 Note Lane" in _all(c)
    assert ('attachment "report.odt" › headers and footers', "Header 3 Odt Road") in texts


def test_xlsx_every_sheet_including_hidden() -> None:
    data = xlsx(
        {"Visible": [["No", "Street", "Town", "Postcode"], [14, "Acacia Avenue", "Bristol", "BS1 4AB"]],
         "Secret": [["ann@partner.org", "5 Hidden Row"]]},
        hidden=("Secret",),
    )
    c = _attach("cases.xlsx", data)
    texts = _texts(c)
    assert ('attachment "cases.xlsx" › sheet "Visible" › row 2', "14 | Acacia Avenue | Bristol | BS1 4AB") in texts
    assert ('attachment "cases.xlsx" › sheet "Secret" › row 1', "ann@partner.org | 5 Hidden Row") in texts
    assert any(a.address == "ann@partner.org" for a in c.addresses)


def test_csv_and_tsv() -> None:
    c = _attach("people.csv", b"name;address\nAnn;\"14 Acacia Avenue, Bristol\"\n", "text/csv")
    assert ('attachment "people.csv" › row 2', "Ann | 14 Acacia Avenue, Bristol") in _texts(c)
    c = _attach("people.tsv", "a\tb\n1\t2 Tab Road\n".encode("utf-16"))
    assert ('attachment "people.tsv" › row 2', "1 | 2 Tab Road") in _texts(c)


def test_rtf_text_and_rows() -> None:
    rtf = rb"{\rtf1\ansi\ansicpg1252 Client lives at 9 Rich Road\par{\trowd\cellx1000 14\cell Acacia Avenue\cell\row}}"
    c = _attach("letter.rtf", rtf, "application/rtf")
    texts = _texts(c)
    assert any("9 Rich Road" in t for _, t in texts)
    assert ('attachment "letter.rtf" › table row 1', "14 | Acacia Avenue") in texts


def test_pdf_pages_annotations_and_attached_files() -> None:
    inner = zip_of({"list.csv": "name,address\nAnn,5 Embedded Way\n"})
    data = pdf(["Page one text", "Page two: 14 Acacia Avenue"], annotation="Note: 3 Sticky Street",
               attach=("bundle.zip", inner))
    c = _attach("x.pdf", data, "application/pdf")
    texts = _texts(c)
    assert any(w == 'attachment "x.pdf" › page 2' and "14 Acacia Avenue" in t for w, t in texts)
    assert any("3 Sticky Street" in t and "annotation" in w for w, t in texts)
    assert ('attachment "x.pdf" › attached file "bundle.zip" › "list.csv" › row 2', "Ann | 5 Embedded Way") in texts
    assert {a.filename for a in c.attachments} == {"x.pdf", "bundle.zip", "list.csv"}


def test_pdf_form_fields() -> None:
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    field = DictionaryObject({
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("address"),
        NameObject("/V"): TextStringObject("12 Form Field Road"), NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(50), NumberObject(20)]),
    })
    ref = writer._add_object(field)
    page[NameObject("/Annots")] = ArrayObject([ref])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject([ref])})
    buf = io.BytesIO()
    writer.write(buf)
    c = _attach("form.pdf", buf.getvalue(), "application/pdf")
    assert ('attachment "form.pdf" › form field "address"', "12 Form Field Road") in _texts(c)


def test_calendar_invite_attendees_and_fields() -> None:
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20260101T100000Z\r\n"
        "SUMMARY:Case conference\r\nLOCATION:14 Acacia Avenue\\, Bristol\r\n"
        "DESCRIPTION:Bring the file\\nfor 22 Elm Road\r\n"
        "ORGANIZER;CN=Org:mailto:Org@Dept.example.gov.uk\r\n"
        "ATTENDEE;CN=\"Ann, A\";ROLE=REQ-PARTICIPANT:MAILTO:ann@partner.org\r\n"
        "ATTENDEE:mailto:ben@gmail.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    raw = message("Invite").replace(b"", b"")
    from email import message_from_bytes, policy

    msg = message_from_bytes(raw, policy=policy.default)
    msg.add_alternative(ics, subtype="calendar", params={"method": "REQUEST"})  # type: ignore[union-attr]
    c = extract_content(msg.as_bytes())
    assert c.has_calendar
    people = {(a.address, a.source) for a in c.addresses}
    assert ("ann@partner.org", AddressSource.CALENDAR_ATTENDEE) in people
    assert ("ben@gmail.com", AddressSource.CALENDAR_ATTENDEE) in people
    assert ("org@dept.example.gov.uk", AddressSource.CALENDAR_ORGANIZER) in people
    fields = {(s.where.rsplit(" › ", 1)[-1], s.text) for s in c.segments if s.kind is SegmentKind.FIELD}
    assert ("LOCATION", "14 Acacia Avenue, Bristol") in fields
    assert ("DESCRIPTION", "Bring the file\nfor 22 Elm Road") in fields


def test_broken_calendar_falls_back_to_lines() -> None:
    ics = (
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:not a date\nLOCATION:9 Broken\n  Street\n"
        "ATTENDEE;CN=X:mailto:x@partner.org\nEND:VCALENDAR\n"
    )
    c = _attach("invite.ics", ics.encode(), "text/calendar")
    assert c.has_calendar
    assert any(a.address == "x@partner.org" and a.source is AddressSource.CALENDAR_ATTENDEE for a in c.addresses)
    assert any("9 Broken Street" in s.text for s in c.segments)


def test_plain_text_and_html_attachments() -> None:
    c = _attach("notes.txt", "Lives at 4 Text Road".encode("utf-16"))
    assert ('attachment "notes.txt"', "Lives at 4 Text Road") in _texts(c)
    c = _attach("page.html", b"<html><body><p>5 Html Road</p></body></html>", "text/html")
    assert ('attachment "page.html"', "5 Html Road") in _texts(c)


def test_images_are_reported_not_read() -> None:
    c = _attach("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png")
    assert [(u.where, u.reason.value) for u in c.unscanned] == [('attachment "scan.png"', "unknown_format")]
