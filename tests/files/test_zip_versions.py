"""A zip that needs a newer zip version than Python reads is named as such, not a crash."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.files.zips import open_zip


def test_a_zip_of_a_newer_zip_version_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "data.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("d/a.txt", "x")
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 64  # "version needed to extract": 6.4, which zipfile refuses
    path.write_bytes(bytes(data))
    with pytest.raises(BonescanError, match=r"data\.zip: the zip cannot be read"):
        open_zip(path)


def test_a_workbook_of_a_newer_zip_version_is_a_clear_error(tmp_path: Path) -> None:
    from bonescan_tutor.files.tables import xlsx_rows

    path = tmp_path / "cases.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 64  # "version needed to extract": 6.4, which zipfile refuses
    with pytest.raises(BonescanError, match=r"cases\.xlsx: this is not an Excel \.xlsx"):
        xlsx_rows(bytes(data), "cases.xlsx")
