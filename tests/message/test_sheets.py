"""Spreadsheets other than XLSX through python-calamine: legacy .xls, .xlsb and OpenDocument .ods."""

from __future__ import annotations

import io
import itertools
import struct

import pytest

from mailguard.message import extract_content
from mailguard.message.extract.sheets import _joined, _row_text
from mailguard.message.model import AddressSource, Content

from .builders import ODF_NS, message, zip_of

ROWS = [["No", "Street", "Town", "Postcode"], [14, "Acacia Avenue", "Bristol", "BS1 4AB"]]
HIDDEN = [["ann@partner.org", "5 Hidden Row"]]


def _extract(name: str, data: bytes) -> Content:
    return extract_content(message("see attached", attachments=[(name, data, "application/octet-stream")]))


def _check(c: Content, name: str) -> None:
    texts = [(s.where, s.text) for s in c.segments]
    assert (f'attachment "{name}" › sheet "Visible" › row 2', "14 | Acacia Avenue | Bristol | BS1 4AB") in texts
    assert (f'attachment "{name}" › sheet "Secret" › row 1', "ann@partner.org | 5 Hidden Row") in texts
    assert ("ann@partner.org", f'attachment "{name}" › sheet "Secret" › row 1') in {
        (a.address, a.where) for a in c.addresses if a.source is AddressSource.LISTED}
    assert c.unscanned == []


def test_xls_every_sheet_including_hidden() -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    for name, rows in (("Visible", ROWS), ("Secret", HIDDEN)):
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for col, value in enumerate(row):
                sheet.write(r, col, value)
        if name == "Secret":
            sheet.visibility = 1  # hidden
    buf = io.BytesIO()
    book.save(buf)
    _check(_extract("cases.xls", buf.getvalue()), "cases.xls")


# --- a minimal XLSB writer (MS-XLSB records in a zip); no permissive library writes the format
def _record(kind: int, payload: bytes = b"") -> bytes:
    """A BIFF12 record: type and size as 7-bit little-endian varints."""
    head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
    size, n = b"", len(payload)
    while True:
        n, low = n >> 7, n & 0x7F
        size += bytes([low | (0x80 if n else 0)])
        if not n:
            return head + size + payload


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _xlsb_sheet(rows: list[list[object]]) -> bytes:
    cells = b""
    for r, row in enumerate(rows):
        cells += _record(0x00, struct.pack("<IIHHBI", r, 0, 300, 0, 0, 0))  # BrtRowHdr
        for col, value in enumerate(row):
            if isinstance(value, str):
                cells += _record(0x06, struct.pack("<II", col, 0) + _wide(value))  # BrtCellSt
            else:
                cells += _record(0x05, struct.pack("<IId", col, 0, float(str(value))))  # BrtCellReal
    dimension = struct.pack("<IIII", 0, len(rows) - 1, 0, max(map(len, rows)) - 1)  # BrtWsDim
    return _record(0x81) + _record(0x94, dimension) + _record(0x91) + cells + _record(0x92) + _record(0x82)


def xlsb(sheets: dict[str, tuple[list[list[object]], bool]]) -> bytes:
    """{name: (rows, hidden)} as an .xlsb workbook."""
    book, rels = _record(0x83) + _record(0x8F), ""
    members: dict[str, bytes | str] = {}
    for i, (name, (rows, hidden)) in enumerate(sheets.items(), 1):
        book += _record(0x9C, struct.pack("<II", int(hidden), i) + _wide(f"rId{i}") + _wide(name))  # BrtBundleSh
        rels += (f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.bin" Type="http://schemas.openxmlformats'
                 '.org/officeDocument/2006/relationships/worksheet"/>')
        members[f"xl/worksheets/sheet{i}.bin"] = _xlsb_sheet(rows)
    members["xl/workbook.bin"] = book + _record(0x90) + _record(0x84)
    members["xl/_rels/workbook.bin.rels"] = (
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
    return zip_of(members)


def test_xlsb_every_sheet_including_hidden() -> None:
    _check(_extract("cases.xlsb", xlsb({"Visible": (ROWS, False), "Secret": (HIDDEN, True)})), "cases.xlsb")


def _ods_cell(value: object) -> str:
    if isinstance(value, int):
        return (f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>'
                "</table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def test_ods_every_sheet_including_hidden() -> None:
    tables = "".join(
        f'<table:table table:name="{name}"{hidden}>'
        + "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows, hidden in (("Visible", ROWS, ""), ("Secret", HIDDEN, ' table:style-name="ta2"'))
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS} office:version="1.2">'
        '<office:automatic-styles><style:style style:name="ta2" style:family="table">'
        '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    data = zip_of({
        "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": content,
        "META-INF/manifest.xml": '<?xml version="1.0"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
    })
    _check(_extract("cases.ods", data), "cases.ods")


def test_row_fast_path_matches_per_cell_tidying() -> None:
    """`_joined` skips the per-cell work for tidy rows: it must give what tidying each cell would."""
    pieces = ["a", " ", "  ", "\t", "\n", "\xa0", "\u2028", "\x1c", "\u200b", "|", ""]
    cells = ["".join(p) for n in range(3) for p in itertools.product(pieces, repeat=n)]
    for row in itertools.product(cells[:40], repeat=2):
        assert _joined(list(row)) == _row_text([" ".join(c.split()) for c in row]), row
    assert _joined(["1", "Acacia  Avenue ", "", "BS1\t4AB", "", ""]) == "1 | Acacia Avenue |  | BS1 4AB"
