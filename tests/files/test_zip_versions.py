"""A zip that needs a newer zip version than Python reads is named as such, not a crash."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.files.tables import xlsx_rows
from bonescan_tutor.files.zips import open_zip


def newer_zip(name: str, text: str) -> bytes:
    """A one-member zip whose "version needed to extract" is 6.4, which zipfile refuses."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(name, text)
    data = bytearray(buffer.getvalue())
    data[data.index(b"PK\x01\x02") + 6] = 64
    return bytes(data)


def test_a_zip_of_a_newer_zip_version_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "data.zip"
    path.write_bytes(newer_zip("d/a.txt", "x"))
    with pytest.raises(BonescanError, match=r"data\.zip: the zip cannot be read"):
        open_zip(path)


def test_a_workbook_of_a_newer_zip_version_is_a_clear_error() -> None:
    data = newer_zip("xl/workbook.xml", "<workbook/>")
    with pytest.raises(BonescanError, match=r"cases\.xlsx: this is not an Excel \.xlsx"):
        xlsx_rows(data, "cases.xlsx")
