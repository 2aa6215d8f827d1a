"""The one reader of tables people write: CSV text and Excel workbooks.

Both the IICS-UNA spreadsheet and an instructor's case manifest are read here, so a
cell means the same thing in either: the header row is found wherever it is near the
top, column names match without regard to case, spaces, hyphens or underscores, and
numbers, dates and sexes are parsed by one set of rules.

CSV is the standard dialect (RFC 4180: double quotes around a cell, a doubled quote
inside one) with a comma, semicolon or tab separator, chosen by parsing the whole text
with each and keeping the one whose rows agree on their width. Numbers are checked for
finiteness and a plausible range; a value outside it is refused with the reason, for
the caller to report and leave blank.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bonescan_tutor.core.errors import DatasetError

# How far down to look for the header row (the IICS-UNA figure shows an empty first row).
HEADER_SEARCH_ROWS = 20
# A table file larger than this is no teaching spreadsheet (IICS-UNA's is 40 kB).
MAX_TABLE_BYTES = 50 * 1024 * 1024
# Unpacked size of the parts of an .xlsx; a workbook inflating beyond is refused unread.
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200.0
# A CSV field longer than this is no cell a person typed.
MAX_FIELD_CHARS = 100_000

SEPARATORS = (",", ";", "\t")

Cell = object
Rows = list[tuple[Cell, ...]]

# Plausible ranges of the clinical numbers; a value outside is reported and left blank.
RANGES: dict[str, tuple[float, float]] = {
    "age": (0, 130),  # years
    "weight": (0.5, 400),  # kg
    "height": (20, 260),  # cm
}


def normalise(text: object) -> str:
    """'  Image_Anterior  View ' -> 'image anterior view'."""
    if text is None:
        return ""
    return re.sub(r"[\s_\-.]+", " ", str(text)).strip().lower()


def cell_text(value: Cell) -> str:
    """A cell as text: blank for None, ``3`` for the float 3.0, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class Table:
    """Rows under a found header, with the header's row number (1-based, as Excel shows it)."""

    columns: dict[str, int]  # wanted column name -> index in the row
    header_row: int
    rows: list[tuple[int, tuple[Cell, ...]]]  # (row number, cells)

    def cell(self, row: Sequence[Cell], column: str) -> Cell:
        i = self.columns.get(column)
        if i is None or i >= len(row):
            return None
        value = row[i]
        if isinstance(value, str) and not value.strip():
            return None
        return value


def match_columns(header: Sequence[Cell], synonyms: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Map each wanted column to its index. A synonym matches a header cell exactly after
    normalising (with or without its spaces: 'anteriorfile' ~ 'Anterior file'), or as a
    whole-word prefix ('diagnosis' ~ 'diagnosis classification')."""
    cells = [normalise(h) for h in header]
    found: dict[str, int] = {}
    for wanted, names in synonyms.items():
        options = [normalise(n) for n in names]
        squashed = {o.replace(" ", "") for o in options}
        for i, cell in enumerate(cells):
            if not cell or i in found.values():
                continue
            if (
                cell in options
                or cell.replace(" ", "") in squashed
                or any(cell.startswith(o + " ") for o in options)
            ):
                found[wanted] = i
                break
    return found


def best_header(rows: Sequence[Sequence[Cell]], synonyms: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """The columns of the row near the top that names the most wanted columns (for messages)."""
    best: dict[str, int] = {}
    for row in rows[:HEADER_SEARCH_ROWS]:
        cols = match_columns(row, synonyms)
        if len(cols) > len(best):
            best = cols
    return best


def find_table(
    rows: Iterable[Sequence[Cell]],
    synonyms: Mapping[str, Iterable[str]],
    required: Sequence[str],
) -> Table | None:
    """The first row within ``HEADER_SEARCH_ROWS`` that has every ``required`` column,
    and all non-blank rows below it; None when no such header exists."""
    table: Table | None = None
    body: list[tuple[int, tuple[Cell, ...]]] = []
    for number, row in enumerate(rows, start=1):
        cells = tuple(row)
        if table is None:
            if number > HEADER_SEARCH_ROWS:
                return None
            cols = match_columns(cells, synonyms)
            if all(r in cols for r in required):
                table = Table(cols, number, body)
            continue
        if any(cell_text(c) for c in cells):
            body.append((number, cells))
    return table


# --- reading files -------------------------------------------------------------------


def read_table_file(path: Path) -> list[Rows]:
    """Every sheet's rows of a ``.csv`` (one sheet) or ``.xlsx`` file; ``DatasetError``
    naming the file and the fix for anything else."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_TABLE_BYTES:
            raise DatasetError(
                f"{path}: {size / 1e6:.0f} MB is far too large for a table of cases "
                f"(at most {MAX_TABLE_BYTES / 1e6:.0f} MB)."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
    if path.suffix.lower() == ".csv":
        return [csv_rows(data, str(path))]
    return xlsx_rows(data, str(path))


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_rows(data: bytes, where: str) -> Rows:
    """The rows of CSV bytes in the standard dialect, separator detected over the whole text."""
    if len(data) > MAX_TABLE_BYTES:
        raise DatasetError(f"{where}: too large for a table of cases.")
    text = decode_text(data).replace("\x00", "")
    best: Rows = []
    best_score = (-1, -1)
    errors: list[str] = []
    # A separator the text never holds splits nothing: it can win only when none occurs.
    for sep in [s for s in SEPARATORS if s in text] or SEPARATORS[:1]:
        try:
            rows = _parse_csv(text, sep)
        except csv.Error as exc:
            errors.append(str(exc))
            continue
        score = _agreement(rows)
        if score > best_score:
            best, best_score = rows, score
    if best_score < (0, 0):
        raise DatasetError(
            f"{where}: not a CSV file this app can read ({errors[0]}). "
            "Save it again as CSV (comma or semicolon separated) or XLSX."
        )
    return best


def _parse_csv(text: str, sep: str) -> Rows:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"',
                        doublequote=True, strict=False)
    rows: Rows = []
    for row in reader:
        if any(len(c) > MAX_FIELD_CHARS for c in row):
            raise csv.Error(f"a cell on line {reader.line_num} is over {MAX_FIELD_CHARS} characters")
        rows.append(tuple(row))
    return rows


def _agreement(rows: Rows) -> tuple[int, int]:
    """(rows as wide as the widest common width > 1, that width): higher is likelier."""
    widths = [len(r) for r in rows if any(c.strip() for c in r if isinstance(c, str))]
    if not widths:
        return (0, 0)
    common = max(set(widths), key=lambda w: (widths.count(w), w))
    if common < 2:
        return (0, 1)
    return (sum(1 for w in widths if w == common), common)


def xlsx_rows(data: bytes, where: str) -> list[Rows]:
    """Every sheet's rows from .xlsx bytes; ``DatasetError`` if not a readable workbook."""
    from openpyxl import load_workbook

    if len(data) > MAX_TABLE_BYTES:
        raise DatasetError(f"{where}: too large for a table of cases.")
    how = "Save it again from Excel or LibreOffice as .xlsx."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    # NotImplementedError: a zip version or feature Python's zipfile does not read
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise DatasetError(
            f"{where}: this is not an Excel .xlsx workbook (it may be a renamed CSV or an old "
            f".xls). {how}"
        ) from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_XLSX_UNPACKED or (
        unpacked > 1024 * 1024 and unpacked / max(len(data), 1) > MAX_XLSX_RATIO
    ):
        raise DatasetError(
            f"{where}: the workbook unpacks to {unpacked / 1e6:.0f} MB, far more than a table "
            f"of cases (a possible zip bomb); refused. {how}"
        )
    if any(i.flag_bits & 0x1 for i in infos):
        raise DatasetError(f"{where}: the workbook is password-protected. {how}")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise DatasetError(
            f"{where}: the workbook cannot be read ({type(exc).__name__}: {exc}). {how}"
        ) from exc
    try:
        return [[tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]
    except Exception as exc:  # a damaged sheet fails while iterating
        raise DatasetError(
            f"{where}: the workbook cannot be read ({type(exc).__name__}: {exc}). {how}"
        ) from exc
    finally:
        wb.close()


# --- cells -----------------------------------------------------------------------------


def parse_int(value: Cell) -> int | None:
    """A whole number cell ('12', 12, 12.0); None for anything else."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    m = re.fullmatch(r"\s*(\d{1,18})(?:\.0+)?\s*", str(value))
    return int(m.group(1)) if m else None


_NUMBER = re.compile(r"([+-]?\d{1,12}(?:[.,]\d{1,12})?)\s*[a-zA-Z]{0,10}")


def parse_measure(value: Cell, field: str) -> float | None:
    """A clinical number ('53', '70,5 kg', 70.5); None when blank.

    Raises ``ValueError`` with the reason when the cell is not a number, not finite, or
    outside the plausible range for ``field`` (see ``RANGES``).
    """
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError("is not a number")
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        m = _NUMBER.fullmatch(text)
        if m:
            number = float(m.group(1).replace(",", "."))
        else:
            try:  # 'nan', 'inf', '1e400' are numbers to Python, refused below
                number = float(text[:40])
            except ValueError:
                raise ValueError("is not a number") from None
    if not math.isfinite(number):
        raise ValueError("is not a finite number")
    low, high = RANGES.get(field, (-math.inf, math.inf))
    if not low <= number <= high:
        raise ValueError(f"is outside the plausible range {low:g} to {high:g}")
    return number


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%Y")


def parse_date(value: Cell) -> dt.date | None:
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
    if _ISO_DATE.fullmatch(text):  # the usual form, without strptime's cost
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_sex(value: Cell) -> str | None:
    text = normalise(value)
    if not text:
        return None
    if text in {"f", "female", "femenino", "mujer", "woman"}:
        return "Female"
    if text in {"m", "male", "masculino", "hombre", "man"}:
        return "Male"
    return str(value).strip()[:40]
