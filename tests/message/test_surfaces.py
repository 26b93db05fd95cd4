"""The surfaces a reader sees besides the body: attachment names, archive member paths, display
names, the Subject, vCards, map links, PDF pages out of reading order and in two columns,
document properties and calendar structured locations.

Each has an extraction test (what is read, and `where`), and the property test at the end
writes a register row into every carrier in many wordings and checks that the real Scanner
holds the message for the row's flagged recipient."""

from __future__ import annotations

import asyncio
import base64
import io
import tarfile
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redteam.mail import FLAGGED, SENDER, multipart

from mailguard.envelope import Envelope
from mailguard.message import extract_content
from mailguard.message.model import AddressSource, Content, SegmentKind
from mailguard.policy.scanner import Scanner
from mailguard.policy.verdict import Action

from .builders import message, zip_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def texts(content: Content, where_part: str) -> list[str]:
    return [s.text for s in content.segments if where_part in s.where]


def attach(name: str, data: bytes, ctype: str = "application/octet-stream") -> Content:
    return extract_content(message("See attached.", attachments=[(name, data, ctype)]))


# --- attachment names ---

@pytest.mark.parametrize("header", [
    'Content-Disposition: attachment; filename="14_Acacia_Avenue BS1 4AB.txt"',
    "Content-Disposition: attachment; filename*=utf-8''14%20Acacia%20Avenue%20BS1%204AB.txt",
    "Content-Disposition: attachment; filename*0*=utf-8''14%20Acacia; filename*1*=%20Avenue%20BS1%204AB.txt",
    'Content-Disposition: attachment; filename="=?utf-8?b?'
    + base64.b64encode(b"14 Acacia Avenue BS1 4AB.txt").decode() + '?="',
    'Content-Disposition: attachment; filename="=?utf-8?q?14_Acacia_Avenue_BS1_4AB.txt?="',
])
def test_attachment_names_in_every_encoding(header: str) -> None:
    raw = multipart([("Content-Type: text/plain", b"hello"), (f"Content-Type: text/plain\r\n{header}", b"notes")])
    names = [s for s in extract_content(raw).segments if s.where.endswith("file name")]
    assert names and all(s.kind is SegmentKind.FIELD for s in names)
    assert "14 Acacia Avenue BS1 4AB" in names[0].text.replace("_", " ")


def test_name_on_content_type_is_read_too() -> None:
    raw = multipart([(
        'Content-Type: application/pdf; name="14 Acacia Avenue.pdf"\r\n'
        'Content-Disposition: attachment; filename="letter.pdf"', b"%PDF-broken")])
    content = extract_content(raw)
    assert texts(content, "name on Content-Type") == ["14 Acacia Avenue.pdf"]


def test_zip_member_paths_with_their_folders() -> None:
    data = zip_of({"cases/14 Acacia Avenue/letter.txt": "hello", "Bristol_BS1_4AB/notes.txt": "x"})
    content = attach("bundle.zip", data)
    paths = texts(content, "member path")
    assert "cases/14 Acacia Avenue/letter.txt\ncases 14 Acacia Avenue letter" in paths
    assert any("Bristol BS1 4AB notes" in p for p in paths)
    assert any(s.where == 'attachment "bundle.zip" › "cases/14 Acacia Avenue/letter.txt" › member path'
               for s in content.segments)


# --- display names, Resent headers ---

def test_display_names_are_read_and_their_addresses_listed() -> None:
    data = message("hi", to='"a@gmail.com; b@hotmail.co.uk" <consultation@dept.example.gov.uk>',
                   cc='"14 Acacia Avenue" <x@example.org>')
    content = extract_content(data)
    assert texts(content, "display name in To") == ["a@gmail.com; b@hotmail.co.uk"]
    assert texts(content, "display name in Cc") == ["14 Acacia Avenue"]
    listed = {(a.address, a.where) for a in content.addresses if a.source is AddressSource.LISTED}
    assert {("a@gmail.com", "display name in To"), ("b@hotmail.co.uk", "display name in To")} <= listed


def test_resent_recipients_are_recipients() -> None:
    raw = b"From: a@dept.example.gov.uk\r\nTo: b@dept.example.gov.uk\r\nResent-To: r1@gmail.com\r\n" \
          b"Resent-Cc: \"Ann\" <r2@hotmail.co.uk>\r\nSubject: s\r\n\r\nhi\r\n"
    content = extract_content(raw)
    found = {(a.address, a.source, a.where) for a in content.addresses}
    assert ("r1@gmail.com", AddressSource.RESENT_TO, "Resent-To") in found
    assert ("r2@hotmail.co.uk", AddressSource.RESENT_CC, "Resent-Cc") in found


# --- vCard ---

VCARDS = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Example;Ann\r\n"
    "ADR;HOME;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:;;14 Acacia =\r\nAvenue;Bristol;;BS1 4AB;UK\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bea\r\nitem1.ADR;TYPE=HOME:;;30 Rowan Road\\, Flat 2;Lee\r\n ds;;LS6 2QT;\r\n"
    "LABEL:Flat 2\\n30 Rowan Road\\nLeeds LS6 2QT\r\nEMAIL:bea@example.org\r\nEND:VCARD\r\n"
    'BEGIN:VCARD\r\nVERSION:4.0\r\nADR;LABEL="66A Redcliffe Square\\nBolton BL2 9WE":;;66A Redcliffe Square;'
    "Bolton;;BL2 9WE;\r\nEND:VCARD\r\n"
)


@pytest.mark.parametrize("name,ctype", [("contacts.vcf", "application/octet-stream"),
                                        ("contacts", "text/vcard"), ("card.txt", "text/x-vcard")])
def test_vcard_addresses_in_every_version(name: str, ctype: str) -> None:
    content = attach(name, VCARDS.encode(), ctype)
    assert texts(content, "card 1 › ADR") == ["14 Acacia Avenue, Bristol, BS1 4AB, UK"]
    assert texts(content, "card 2 › ADR") == ["30 Rowan Road, Flat 2, Leeds, LS6 2QT"]
    assert texts(content, "card 2 › LABEL") == ["Flat 2\n30 Rowan Road\nLeeds LS6 2QT"]
    assert texts(content, "card 3 › ADR label") == ["66A Redcliffe Square\nBolton BL2 9WE"]
    assert any(a.address == "bea@example.org" for a in content.addresses)
    assert not content.unscanned


def test_a_vcard_that_is_not_one_is_read_as_text() -> None:
    content = attach("card.vcf", b"notes: 14 Acacia Avenue", "text/x-vcard")
    assert texts(content, 'attachment "card.vcf"')[-1] == "notes: 14 Acacia Avenue"
    note = attach("notes.txt", b"Call Ann.\nBEGIN:VCARD\nFN:Ann\nEND:VCARD\n14 Acacia Avenue", "text/plain")
    assert any("Call Ann." in t and "14 Acacia Avenue" in t for t in texts(note, 'attachment "notes.txt"'))


# --- map links ---

@pytest.mark.parametrize("url", [
    "https://www.google.com/maps/place/14+Acacia+Avenue,+Bristol+BS1+4AB/@51.45,-2.58,17z",
    "https://maps.google.co.uk/maps?q=14%20Acacia%20Avenue%20BS1%204AB",
    "https://www.bing.com/maps?where1=14%20Acacia%20Avenue%2C%20Bristol%20BS1%204AB",
    "https://maps.apple.com/?address=14+Acacia+Avenue,+Bristol,+BS1+4AB&ll=51.45,-2.58",
    "https://www.openstreetmap.org/search?query=14%20Acacia%20Avenue%20BS1%204AB",
    "https://eur01.safelinks.protection.outlook.com/?url="
    + quote("https://maps.google.com/?q=14+Acacia+Avenue+BS1+4AB", safe="") + "&data=05%7C01&reserved=0",
])
def test_map_links_read_as_text(url: str) -> None:
    for content in (extract_content(message(f"Directions: {url}")),
                    extract_content(message("x", html=f'<p><a href="{url}">directions</a></p>'))):
        links = " ".join(texts(content, "link"))
        assert "14 Acacia Avenue" in links and "BS1 4AB" in links


# --- PDF by position and by column ---

def letter_pdf(left: list[str], right: list[str], shuffled: bool = False) -> bytes:
    """A letter with its address block on the left and the letterhead beside it on the right,
    written line by line across both columns (stream order interleaves them)."""
    doc = FPDF()
    doc.set_font("helvetica", size=11)
    doc.add_page()
    lines = [(20.0, 30.0 + 6 * i, t) for i, t in enumerate(left)] + [(130.0, 30.0 + 6 * i, t)
                                                                     for i, t in enumerate(right)]
    lines.sort(key=lambda line: (line[1], line[0]))
    if shuffled:
        lines.reverse()
    for x, y, text in lines:
        doc.text(x, y, text)
    doc.text(20, 90, "Dear Ms Example, we write about your housing application.")
    return bytes(doc.output())


def test_two_column_letter_is_read_column_by_column() -> None:
    data = letter_pdf(["Flat 4", "86 Causewayside", "Edinburgh", "EH6 0BJ"], ["PO Box 249", "Mitcheldean", "GL14 9AJ"])
    content = attach("letter.pdf", data, "application/pdf")
    assert texts(content, "page 1")[0].startswith("Flat 4 PO Box 249\n86 Causewayside Mitcheldean")
    columns = texts(content, "page 1 (columns)")
    assert columns and "Flat 4\n86 Causewayside\nEdinburgh\nEH6 0BJ" in columns[0]
    assert "PO Box 249\nMitcheldean\nGL14 9AJ" in columns[0]


def test_pdf_out_of_reading_order_is_read_by_position() -> None:
    data = letter_pdf(["14 Acacia Avenue", "Bristol", "BS1 4AB"], [], shuffled=True)
    content = attach("letter.pdf", data, "application/pdf")
    assert texts(content, "page 1")[0].startswith("BS1 4AB\nBristol\n14 Acacia Avenue")
    assert "14 Acacia Avenue\nBristol\nBS1 4AB" in texts(content, "page 1 (layout)")[0]


# --- document properties ---

def docx_with_properties(title: str, custom: str = "Home visit") -> bytes:
    # `custom` is harmless by default: a row's full postcode alone is itself a mention
    return zip_of({
        "[Content_Types].xml": "<Types/>",
        "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                             "<w:body><w:p><w:r><w:t>Report</w:t></w:r></w:p></w:body></w:document>",
        "docProps/core.xml": '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                             'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                             f"<dc:title>{title}</dc:title><cp:keywords>Acacia</cp:keywords></cp:coreProperties>",
        "docProps/custom.xml": '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                               'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
                               'docPropsVTypes"><property fmtid="{D5CDD505}" pid="2" name="Property">'
                               f"<vt:lpwstr>{custom}</vt:lpwstr></property></Properties>",
    })


def test_office_and_pdf_properties() -> None:
    content = attach("report.docx", docx_with_properties("Visit to 14 Acacia Avenue", "BS1 4AB"), DOCX)
    assert texts(content, "properties › title") == ["Visit to 14 Acacia Avenue"]
    assert texts(content, "properties › keywords") == ["Acacia"]
    assert texts(content, "properties › Property") == ["BS1 4AB"]
    odt = zip_of({"mimetype": "application/vnd.oasis.opendocument.text", "META-INF/manifest.xml": "<m/>",
                  "content.xml": "<office:document-content xmlns:office='urn:oasis:names:tc:opendocument:"
                                 "xmlns:office:1.0'/>",
                  "meta.xml": "<office:document-meta xmlns:office='urn:oasis:names:tc:opendocument:xmlns:office:1.0'"
                              " xmlns:dc='http://purl.org/dc/elements/1.1/'><office:meta><dc:subject>14 Acacia "
                              "Avenue</dc:subject></office:meta></office:document-meta>"})
    assert texts(attach("report.odt", odt), "properties › subject") == ["14 Acacia Avenue"]
    doc = FPDF()
    doc.add_page()
    doc.set_title("14 Acacia Avenue")
    content = attach("scan.pdf", bytes(doc.output()), "application/pdf")
    assert texts(content, "properties › title") == ["14 Acacia Avenue"]


# --- calendar structured locations ---

def invite(location: str) -> bytes:
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Visit\r\n"
           f"DTSTART:20260101T100000Z\r\n{location}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    return message("Invite", attachments=[("invite.ics", ics.encode(), "text/calendar")])


def test_calendar_structured_locations() -> None:
    apple = invite('X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS="14 Acacia Avenue\\nBristol BS1 4AB";'
                   "X-TITLE=Home:geo:51.45,-2.58")
    assert texts(extract_content(apple), "X-ADDRESS") == ["14 Acacia Avenue\nBristol BS1 4AB"]
    altrep = invite('LOCATION;ALTREP="https://maps.google.com/?q=14+Acacia+Avenue+BS1+4AB":Home visit')
    assert texts(extract_content(altrep), "LOCATION › link") == ["14 Acacia Avenue BS1 4AB"]


# --- the property test: a register row in any carrier is held for its flagged recipient ---

OTHER_ROWS = [  # addresses in no register row: the same carriers must pass
    ("22", "Linden Road", "Leeds", "LS1 1AA"),
    ("7", "Harbour Street", "Whitby", "YO21 3PP"),
]
ROWS = [  # (number, street, town, postcode) of rows P1, P3, P5 of the red-team register
    ("14", "Acacia Avenue", "Bristol", "BS1 4AB"),
    ("66A", "Redcliffe Square", "Bolton", "BL2 9WE"),
    ("168", "Ivy Walk", "Bath", "BA1 7GS"),
]


@st.composite
def wordings(draw: st.DrawFn, rows: list[tuple[str, str, str, str]] = ROWS) -> str:
    number, street, town, postcode = draw(st.sampled_from(rows))
    sep = draw(st.sampled_from([", ", " ", ",\n"]))
    parts = [f"{number} {street}", town, postcode] if draw(st.booleans()) else [f"{number} {street}", postcode]
    text = sep.join(parts)
    return draw(st.sampled_from([text, text.upper(), text.lower()]))


def _pdf_lines(address: str, two_column: bool) -> bytes:
    lines = address.replace(", ", "\n").replace(",\n", "\n").split("\n")
    return letter_pdf(lines, ["Housing Services", "PO Box 249", "Mitcheldean GL14 9AJ"] if two_column else [],
                      shuffled=not two_column)


def _vcard(address: str) -> bytes:
    escaped = address.replace(",", "\\,").replace("\n", "\\n")
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nLABEL:{escaped}\r\nEND:VCARD\r\n".encode()


def _pdf_title(address: str) -> bytes:
    doc = FPDF()
    doc.add_page()
    doc.set_title(address.replace("\n", " "))
    return bytes(doc.output())


def _tar_of(name: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    return buffer.getvalue()


def _rfc2231_name(address: str) -> bytes:
    encoded = quote(address.replace("\n", " ") + ".txt", safe="")
    half = len(encoded) // 2
    while "%" in encoded[half - 2:half]:  # never split an escape between continuations
        half += 1
    header = (f"Content-Type: text/plain\r\nContent-Disposition: attachment; filename*0*=utf-8''"
              f"{encoded[:half]}; filename*1*={encoded[half:]}")
    return multipart([("Content-Type: text/plain", b"See attached."), (header, b"notes")])


def _map_link(address: str) -> str:
    return "https://www.google.com/maps/search/?api=1&query=" + quote_plus(address.replace("\n", " "))


CARRIERS: dict[str, Callable[[str], bytes]] = {
    "file name": lambda a: message("See attached.", attachments=[
        (a.replace(", ", "_").replace(" ", "_").replace("\n", "") + ".txt", b"notes", "text/plain")]),
    "zip member path": lambda a: message("x", attachments=[
        ("bundle.zip", zip_of({f"cases/{a.replace(chr(10), ' ')}/letter.txt": "x"}), "application/zip")]),
    "display name": lambda a: message("hi", cc=f'"{a.replace(chr(10), " ")}" <office@example.org>'),
    "subject": lambda a: message("hi", subject=a.replace("\n", " ")),
    "vcard": lambda a: message("x", attachments=[("contact.vcf", _vcard(a), "text/vcard")]),
    "map link": lambda a: message("x", html=f'<p><a href="{_map_link(a)}">map</a></p>'),
    "pdf two columns": lambda a: message("x", attachments=[("letter.pdf", _pdf_lines(a, True), "application/pdf")]),
    "pdf out of order": lambda a: message("x", attachments=[("l.pdf", _pdf_lines(a, False), "application/pdf")]),
    "docx title": lambda a: message("x", attachments=[("r.docx", docx_with_properties(a.replace("\n", " ")), DOCX)]),
    "pdf title": lambda a: message("x", attachments=[("scan.pdf", _pdf_title(a), "application/pdf")]),
    "tar member path": lambda a: message("x", attachments=[
        ("bundle.tar", _tar_of(f"{a.replace(chr(10), ' ')}/letter.txt"), "application/x-tar")]),
    "file name, RFC 2231 continuations": _rfc2231_name,
    "calendar ALTREP": lambda a: invite(f'LOCATION;ALTREP="{_map_link(a)}":Home visit'),
    "calendar X-ADDRESS": lambda a: invite('X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS="'
                                           + a.replace("\n", "\\n").replace(",", "\\,") + '":geo:1,2'),
}


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(carrier=st.sampled_from(sorted(CARRIERS)), address=wordings())
def test_a_register_row_in_any_carrier_is_held(scanner: Scanner, carrier: str, address: str) -> None:
    data = CARRIERS[carrier](address)
    verdict = asyncio.run(scanner(Envelope(SENDER, (FLAGGED,)), data))
    assert verdict.action is Action.HOLD, (carrier, address, verdict.as_json())


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(carrier=st.sampled_from(sorted(CARRIERS)), address=wordings(OTHER_ROWS))
def test_an_address_in_no_row_passes_in_any_carrier(scanner: Scanner, carrier: str, address: str) -> None:
    data = CARRIERS[carrier](address)
    verdict = asyncio.run(scanner(Envelope(SENDER, (FLAGGED,)), data))
    assert verdict.action is Action.PASS, (carrier, address, verdict.as_json())
