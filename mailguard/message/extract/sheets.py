"""Spreadsheets (XLSX/XLSM/XLSB/XLS/ODS via python-calamine, every sheet, hidden ones too) and
CSV/TSV: one ROW segment per row, cells joined by " | "."""

from __future__ import annotations

import csv
import datetime as dt
import io

import python_calamine as calamine

from mailguard.message.extract.sink import PartFailed, Path, Sink
from mailguard.message.extract.text import decode
from mailguard.message.model import SegmentKind, UnscannedReason

_CHECK_EVERY = 1000  # rows between deadline checks


def _cell(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip() if value is not None else ""


def _row(sink: Sink, path: Path, cells: list[str]) -> None:
    while cells and not cells[-1]:
        cells.pop()
    if cells:
        sink.text(path, " | ".join(_one_line(c) for c in cells), SegmentKind.ROW)


def _one_line(cell: str) -> str:
    return " ".join(cell.split()) if "\n" in cell or "  " in cell or "\t" in cell or "\r" in cell else cell


def extract_workbook(sink: Sink, data: bytes, path: Path) -> None:
    try:
        book = calamine.CalamineWorkbook.from_object(io.BytesIO(data))
    except calamine.PasswordError:
        raise PartFailed(UnscannedReason.ENCRYPTED, "password-protected workbook") from None
    except (calamine.CalamineError, ValueError, OSError) as exc:
        raise PartFailed(UnscannedReason.CORRUPT, f"calamine: {str(exc)[:80]}") from None
    for name in book.sheet_names:
        sheet_path = (*path, f'sheet "{name}"')
        try:
            sheet = book.get_sheet_by_name(name)
            first_row = sheet.start[0] if sheet.start else 0
            for i, row in enumerate(sheet.iter_rows()):
                if i % _CHECK_EVERY == 0:
                    sink.check_time()
                _row(sink, (*sheet_path, f"row {first_row + i + 1}"), [_cell(v) for v in row])
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
    try:
        for i, row in enumerate(reader, 1):
            if i % _CHECK_EVERY == 0:
                sink.check_time()
            _row(sink, (*path, f"row {i}"), [c.strip() for c in row])
    except csv.Error:  # a field past csv's size limit or a stray NUL: read the rest as text
        sink.text((*path, "text"), text)
