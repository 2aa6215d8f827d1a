"""Tables of a dataset, read through ``files.tables`` with a cache of parsed workbooks.

Parsed workbook rows are kept in the user's cache folder under the workbook's SHA-256,
so reopening an unchanged dataset does not load openpyxl at all (half a second of
start-up); any change to the workbook's bytes is a different entry.
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


def _cache_read(digest: str) -> list[tables.Rows] | None:
    try:
        raw = json.loads(_cache_file(digest).read_text(encoding="utf-8"))
        return [[tuple(_decode(v) for v in row) for row in rows] for rows in raw]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _cache_write(digest: str, sheets: list[tables.Rows]) -> None:
    target = _cache_file(digest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([[[_encode(v) for v in row] for row in rows] for rows in sheets]),
                       encoding="utf-8")
        os.replace(tmp, target)
    except (OSError, TypeError, ValueError):
        pass  # a read-only cache only costs speed
