"""open_dataset picks the right reader for each layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from bonescan_tutor.core.cases import Layout
from bonescan_tutor.core.errors import DatasetError
from bonescan_tutor.datasets.detect import open_dataset
from tests.builders import build, scan_array, write_png, zip_tree

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "manifest-example"


def test_iics_folder_and_zip(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    assert open_dataset(top)[0].layout is Layout.IICS_UNA
    assert open_dataset(zip_tree(top, tmp_path / "d.zip"))[0].layout is Layout.IICS_UNA


def test_manifest_folder_and_file_win_over_image_names(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(EXAMPLE, folder)
    write_png(folder / "A1.png", scan_array(1))  # would look like IICS-UNA on its own
    for path in (folder, folder / "manifest.csv"):
        dataset, _ = open_dataset(path)
        assert dataset.layout is Layout.MANIFEST and len(dataset) == 3


def test_bs80k_folder(tmp_path: Path) -> None:
    for view in ("wholeBodyANT", "wholeBodyPOST"):
        d = tmp_path / "bs" / view
        d.mkdir(parents=True)
        Image.fromarray((scan_array(3) // 257).astype("uint8")).save(d / "0001.jpg")
        (d / f"{view}.txt").write_text("0001.jpg 1\n")
    dataset, _ = open_dataset(tmp_path / "bs")
    assert dataset.layout is Layout.BS80K and len(dataset) == 1
    assert dataset.cases[0].anterior is not None and dataset.cases[0].posterior is not None


def test_a_spreadsheet_that_is_no_manifest(tmp_path: Path) -> None:
    f = tmp_path / "list.csv"
    f.write_text("name,colour\nx,blue\n")
    with pytest.raises(DatasetError, match="not a case manifest"):
        open_dataset(f)
