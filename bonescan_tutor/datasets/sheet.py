"""Tables of a dataset, read through ``files.tables`` with a cache of parsed workbooks.

Parsed workbook rows are kept in the user's cache folder under the workbook's SHA-256,
so reopening an unchanged dataset does not load openpyxl at all (half a second of
start-up); any change to the workbook's bytes is a different entry. The app ships the
same entry for the workbook of its built-in demo (``resources/sheets``, written by
``ship_rows``), so even the first start on a computer shows the demo without openpyxl.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from bonescan_tutor.files import tables

CACHE_VERSION = 1


def xlsx_rows(data: bytes, name: str) -> list[tables.Rows]:
    """Every sheet's rows from xlsx bytes; DatasetError if not a readable xlsx."""
    digest = hashlib.sha256(data).hexdigest()
    cached = _cache_read(digest)
    if cached is not None:
        return cached
    rows = tables.xlsx_rows(data, name)
    _cache_write(digest, rows)
    return rows


def _cache_name(digest: str) -> str:
    return f"{digest}.v{CACHE_VERSION}.json"


def _cache_file(digest: str) -> Path:
    from bonescan_tutor import paths

    return paths.user_cache_dir() / "sheets" / _cache_name(digest)


def _shipped_file(digest: str) -> Path:
    from bonescan_tutor import paths

    return paths.resource("sheets", _cache_name(digest))


def ship_rows(workbook: Path, folder: Path) -> Path:
    """Write the parsed rows of ``workbook`` into ``folder`` (``resources/sheets`` for the
    demo's workbook) as the cache entry the app then finds there; returns the file."""
    data = workbook.read_bytes()
    target = folder / _cache_name(hashlib.sha256(data).hexdigest())
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(_dumps(tables.xlsx_rows(data, str(workbook))), encoding="utf-8")
    return target


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


def _cache_read(digest: str) -> list[tables.Rows] | None:
    for file in (_cache_file, _shipped_file):
        try:
            raw = json.loads(file(digest).read_text(encoding="utf-8"))
            return [[tuple(_decode(v) for v in row) for row in rows] for rows in raw]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            continue
    return None


def _dumps(sheets: list[tables.Rows]) -> str:
    return json.dumps([[[_encode(v) for v in row] for row in rows] for rows in sheets])


def _cache_write(digest: str, sheets: list[tables.Rows]) -> None:
    target = _cache_file(digest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(_dumps(sheets), encoding="utf-8")
        os.replace(tmp, target)
    except (OSError, TypeError, ValueError):
        pass  # a read-only cache only costs speed
