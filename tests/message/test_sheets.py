"""Spreadsheets other than XLSX through python-calamine: legacy .xls, .xlsb and OpenDocument .ods."""

from __future__ import annotations

import io
import struct

import pytest

from mailguard.message import extract_content
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


def _ods_cell(value: object) -> str:
    if isinstance(value, int):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def test_ods_every_sheet_including_hidden() -> None:
    tables = "".join(
        f'<table:table table:name="{name}"{hidden}>'
        + "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows, hidden in (("Visible", ROWS, ""), ("Secret", HIDDEN, ' table:style-name="hidden"'))
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    data = zip_of({
        "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": content,
        "META-INF/manifest.xml": '<?xml version="1.0"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
    })
    _check(_extract("cases.ods", data), "cases.ods")
