"""Spreadsheets (XLSX/XLSM/XLSB/XLS/ODS via python-calamine, every sheet, hidden ones too) and
CSV/TSV: one ROW segment per row, cells joined by " | "."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import python_calamine as calamine

from mailguard.message.extract.charset import decode
from mailguard.message.extract.sink import SEP, PartFailed, Path, Sink, where
from mailguard.message.model import UnscannedReason

_BATCH = 1000  # rows handed to the sink at once, between deadline checks


def _cell(value: object) -> str:
    if type(value) is str:  # most cells: one line, single spaces (a cell's line breaks never split a row)
        return " ".join(value.split())
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return " ".join(str(value).split()) if value is not None else ""


def _row_text(cells: list[str]) -> str:
    """Cells joined by " | ", trailing empty ones dropped ("" for an empty row)."""
    while cells and not cells[-1]:
        cells.pop()
    return " | ".join(cells)


def _joined(cells: list[str]) -> str:
    """`_row_text` of `cells`, with the per-cell work skipped for the usual row whose cells are
    all tidy already. Joined as they came, an untidy cell shows: a leading, trailing or doubled
    space, or an empty cell, leaves "  " or a space at an edge; any other whitespace (tab, line
    break, no-break space, ...) is a character `isprintable` refuses."""
    text = " | ".join(cells)
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return _row_text([" ".join(c.split()) for c in cells])


def _sheet_row(row: list[object]) -> str:
    return _joined([v if type(v) is str else _cell(v) for v in row])


def _batched(sink: Sink, prefix: str, rows: Iterator[str], first: int) -> None:
    """Row texts to ROW segments `prefix` + row number, handed over a batch at a time."""
    wheres: list[str] = []
    texts: list[str] = []
    for number, text in enumerate(rows, first):
        if text:
            wheres.append(prefix + str(number))
            texts.append(text)
        if number % _BATCH == 0:  # empty rows count too: a sheet of a million blank rows is bounded
            sink.check_time()
            if texts:
                sink.rows(wheres, texts)
                wheres, texts = [], []
    if texts:
        sink.rows(wheres, texts)


def extract_workbook(sink: Sink, data: bytes, path: Path) -> None:
    try:
        book = calamine.CalamineWorkbook.from_object(io.BytesIO(data))
    except calamine.PasswordError:
        raise PartFailed(UnscannedReason.ENCRYPTED, "password-protected workbook") from None
    except (calamine.CalamineError, ValueError, OSError) as exc:
        raise PartFailed(UnscannedReason.CORRUPT, f"calamine: {str(exc)[:80]}") from None
    for name in book.sheet_names:
        sheet_path = (*path, f'sheet "{name}"')
        prefix = where(sheet_path) + SEP + "row "
        try:
            sheet = book.get_sheet_by_name(name)
            first_row = sheet.start[0] if sheet.start else 0
            _batched(sink, prefix, map(_sheet_row, sheet.iter_rows()), first_row + 1)
        except calamine.PasswordError:
            sink.unscanned(sheet_path, UnscannedReason.ENCRYPTED, "password-protected sheet")
        except (calamine.CalamineError, ValueError) as exc:
            sink.unscanned(sheet_path, UnscannedReason.CORRUPT, f"calamine: {str(exc)[:80]}")


def extract_csv(sink: Sink, data: bytes, path: Path, charset: str | None = None, tsv: bool = False) -> None:
    text = decode(data, charset)
    sample = text[:8192]
    delimiter = "\t" if tsv else ","
    if not tsv:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    prefix = where(path) + SEP + "row "
    try:
        _batched(sink, prefix, map(_joined, reader), 1)
    except csv.Error:  # a field past csv's size limit or a stray NUL: read the rest as text
        sink.text((*path, "text"), text)
