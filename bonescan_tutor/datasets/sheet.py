"""Reading a spreadsheet written by people: the header row wherever it is, column
names matched without regard to case, spaces or underscores, cells of any type.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bonescan_tutor.core.errors import DatasetError

# How far down to look for the header row (the IICS-UNA figure shows an empty first row).
HEADER_SEARCH_ROWS = 20


def normalise(text: object) -> str:
    """'  Image_Anterior  View ' -> 'image anterior view'."""
    if text is None:
        return ""
    return re.sub(r"[\s_\-.]+", " ", str(text)).strip().lower()


@dataclass(frozen=True)
class Table:
    """Rows under a found header, with the header's row number (1-based, as Excel shows it)."""

    columns: dict[str, int]  # wanted column name -> index in the row
    header_row: int
    rows: list[tuple[int, tuple[object, ...]]]  # (Excel row number, cells)

    def cell(self, row: Sequence[object], column: str) -> object:
        i = self.columns.get(column)
        if i is None or i >= len(row):
            return None
        value = row[i]
        if isinstance(value, str) and not value.strip():
            return None
        return value


def match_columns(header: Sequence[object], synonyms: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Map each wanted column to its index; a synonym matches a header cell exactly
    after normalising, or as a whole-word prefix ('diagnosis' ~ 'diagnosis classification')."""
    cells = [normalise(h) for h in header]
    found: dict[str, int] = {}
    for wanted, names in synonyms.items():
        options = [normalise(n) for n in names]
        for i, cell in enumerate(cells):
            if not cell or i in found.values():
                continue
            if cell in options or any(cell.startswith(o + " ") for o in options):
                found[wanted] = i
                break
    return found


def find_table(
    rows: Iterable[Sequence[object]],
    synonyms: Mapping[str, Iterable[str]],
    required: Sequence[str],
) -> Table | None:
    """The first row within ``HEADER_SEARCH_ROWS`` that has every ``required`` column,
    and all non-blank rows below it; None when no such header exists."""
    table: Table | None = None
    body: list[tuple[int, tuple[object, ...]]] = []
    for number, row in enumerate(rows, start=1):
        cells = tuple(row)
        if table is None:
            if number > HEADER_SEARCH_ROWS:
                return None
            cols = match_columns(cells, synonyms)
            if all(r in cols for r in required):
                table = Table(cols, number, body)
            continue
        if any(c is not None and str(c).strip() for c in cells):
            body.append((number, cells))
    return table


def xlsx_rows(data: bytes, name: str) -> list[list[tuple[object, ...]]]:
    """Every sheet's rows from xlsx bytes; DatasetError if not an xlsx.

    Parsed rows are kept in the user's cache folder under the workbook's SHA-256, so
    reopening an unchanged dataset does not load openpyxl at all (half a second of
    start-up); any change to the workbook's bytes is a different entry.
    """
    digest = hashlib.sha256(data).hexdigest()
    cached = _cache_read(digest)
    if cached is not None:
        return cached
    rows = _parse_xlsx(data, name)
    _cache_write(digest, rows)
    return rows


def _parse_xlsx(data: bytes, name: str) -> list[list[tuple[object, ...]]]:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DatasetError(
            f"{name}: this is not an Excel .xlsx workbook (it may be a renamed CSV or an old .xls). "
            "Save it again from Excel or LibreOffice as .xlsx."
        )
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise DatasetError(
            f"{name}: the workbook cannot be read ({type(exc).__name__}: {exc}). "
            "Save it again from Excel or LibreOffice as .xlsx."
        ) from exc
    try:
        return [[tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]
    finally:
        wb.close()


CACHE_VERSION = 1


def _cache_file(digest: str) -> Path:
    from bonescan_tutor import paths

    return paths.user_cache_dir() / "sheets" / f"{digest}.v{CACHE_VERSION}.json"


def _encode(value: object) -> object:
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return value


def _decode(value: object) -> object:
    if isinstance(value, dict):
        if "datetime" in value:
            return dt.datetime.fromisoformat(value["datetime"])
        return dt.date.fromisoformat(value["date"])
    return value


def _cache_read(digest: str) -> list[list[tuple[object, ...]]] | None:
    try:
        raw = json.loads(_cache_file(digest).read_text(encoding="utf-8"))
        return [[tuple(_decode(v) for v in row) for row in rows] for rows in raw]
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _cache_write(digest: str, sheets: list[list[tuple[object, ...]]]) -> None:
    target = _cache_file(digest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([[[_encode(v) for v in row] for row in rows] for rows in sheets]),
                       encoding="utf-8")
        os.replace(tmp, target)
    except (OSError, TypeError, ValueError):
        pass  # a read-only cache only costs speed


def parse_int(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    m = re.fullmatch(r"\s*(\d+)(?:\.0+)?\s*", str(value))
    return int(m.group(1)) if m else None


def parse_float(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", ".")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*[a-zA-Z]*", text)
    return float(m.group(1)) if m else None


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%Y")


def parse_date(value: object) -> dt.date | None:
    """A date cell, a datetime, or text in a common order (ISO first, then day-first)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T].*", text):
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_sex(value: object) -> str | None:
    text = normalise(value)
    if not text:
        return None
    if text in {"f", "female", "femenino", "mujer", "woman"}:
        return "Female"
    if text in {"m", "male", "masculino", "hombre", "man"}:
        return "Male"
    return str(value).strip()
