"""open_dataset picks the right reader for each layout."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from bonescan_tutor.core.cases import (
    Case,
    Dataset,
    Diagnosis,
    Layout,
    Projection,
    fingerprint_cases,
)
from bonescan_tutor.core.errors import DatasetError
from bonescan_tutor.core.validation import ProblemKind, Severity, ValidationReport
from bonescan_tutor.datasets.detect import READERS, open_dataset
from bonescan_tutor.datasets.images import load_view
from bonescan_tutor.datasets.reader import NO_PROGRESS, NOT_RECOGNISED, Progress, Recognition
from bonescan_tutor.datasets.tree import FileTree
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


def _bs80k(root: Path) -> Path:
    for view in ("wholeBodyANT", "wholeBodyPOST"):
        d = root / view
        d.mkdir(parents=True)
        for n in ("0001", "0002"):
            write_png(d / f"{n}.png", scan_array(int(n)))
        (d / f"{view}.txt").write_text("0001.png 1\n0002.png 0\n")
    return root


def _manifest(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root)
    return root


LAYOUTS = {"IICS-UNA": build, "BS-80K": _bs80k, "manifest": _manifest}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
def test_every_layout_validates_from_its_folder_and_its_zip(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], layout: str, packed: bool) -> None:
    from bonescan_tutor.cli import run

    folder = LAYOUTS[layout](tmp_path / "set")
    path = zip_tree(folder, tmp_path / "set.zip") if packed else folder
    assert run(["validate", "--json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["layout"] == layout and out["ok"] is True
    assert out["path"] == str(path) and out["cases"] == out["usable_in_quizzes"] >= 2
    assert [p for p in out["problems"] if p["severity"] != "info"] == []
    assert set(out) >= {"name", "fingerprint", "per_class", "left_out_of_quizzes"}


def test_a_tree_of_two_layouts_is_read_as_the_surer_and_says_so(tmp_path: Path) -> None:
    folder = _manifest(tmp_path / "mine")
    write_png(folder / "A1.png", scan_array(1))  # IICS-UNA-like too, less surely
    dataset, report = open_dataset(folder)
    assert dataset.layout is Layout.MANIFEST
    (note,) = report.of_kind(ProblemKind.AMBIGUOUS_LAYOUT)
    assert note.severity is Severity.INFO and note.file == str(folder)
    assert note.message.startswith("read as manifest") and "also looks like IICS-UNA" in note.message
    assert not report.errors and not report.warnings


def test_a_folder_no_reader_recognises_names_it_and_what_each_looked_for(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "holiday.png").write_bytes(b"x")
    with pytest.raises(DatasetError) as caught:
        open_dataset(tmp_path / "photos")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'photos'}: not a dataset this app can read")
    for reader in READERS:
        assert reader.LOOKS_FOR in message


class ToyLayout:
    """A layout of one file, ``toy.txt``, listing ``key label image`` per line."""

    LAYOUT = Layout.MANIFEST  # a real layout would add its own Layout member
    LOOKS_FOR = "toy: a toy.txt list"

    def recognises(self, tree: FileTree) -> Recognition:
        listing = FileTree.join(tree.base(), "toy.txt")
        return Recognition(1.0, "toy.txt") if tree.is_file(listing) else NOT_RECOGNISED

    def read(self, tree: FileTree, report: ValidationReport,
             progress: Progress = NO_PROGRESS) -> Dataset:
        cases = []
        for line in tree.read_bytes(FileTree.join(tree.base(), "toy.txt")).decode().splitlines():
            key, label, image = line.split()
            rel = FileTree.join(tree.base(), image)
            view = tree.view(Projection.ANTERIOR, rel, tree.probe(rel).header)
            cases.append(Case(key, Diagnosis.parse(label), view, None))
        return Dataset("toy", self.LAYOUT, str(tree.root), tuple(cases),
                       fingerprint_cases(cases))


def test_a_layout_registered_in_readers_is_recognised_and_opened(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "toy"
    folder.mkdir()
    write_png(folder / "one.png", scan_array(1))
    (folder / "toy.txt").write_text("t1 abnormal one.png\n")
    with pytest.raises(DatasetError, match="not a dataset"):
        open_dataset(folder)
    monkeypatch.setattr("bonescan_tutor.datasets.detect.READERS", [*READERS, ToyLayout()])
    for path in (folder, zip_tree(folder, tmp_path / "toy.zip")):
        dataset, report = open_dataset(path)
        assert dataset.name == "toy" and dataset.keys == ("t1",)
        assert load_view(dataset.case("t1").anterior).shape == (1024, 256)
        assert list(report) == []
