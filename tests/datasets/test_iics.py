"""The IICS-UNA reader: every layout variant loads the same cases; bad input is reported."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from bonescan_tutor.core.cases import Diagnosis, Layout, Projection
from bonescan_tutor.core.errors import DatasetError, ImageError
from bonescan_tutor.core.validation import ProblemKind, Severity
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.datasets.images import decode_image, load_view
from tests.builders import Spec, build, scan_array, write_png, zip_tree

EXPECTED = {str(n): (Diagnosis.METASTASES if n <= 2 else Diagnosis.NO_METASTASES) for n in range(1, 6)}


def _summary(dataset):
    return {c.key: c.diagnosis for c in dataset.cases}


VARIANTS = {
    "plain": Spec(),
    "lowercase folders": Spec(classes=("bone metastases", "no bone metastases"), views=("anterior", "posterior")),
    "underscores": Spec(classes=("Bone_metastases", "No_bone_metastases"), views=("ANTERIOR", "POSTERIOR")),
    "wrapped twice": Spec(wrapper=("Bone scan dataset", "images")),
    "8-bit": Spec(mode="L"),
    "header on row 1": Spec(header_row=1),
    "header on row 3": Spec(header_row=3),
    "title-case headers": Spec(headers=("Patient", "Image Anterior View", "Image Posterior View", "Format",
                                        "Acquisition Date", "Sex", "Age", "Weight", "Height",
                                        " Diagnosis Classification ")),
    "odd labels": Spec(labels=("  BONE METASTASES ", "no bone_metastases")),
    "dates as text": Spec(dates_as_text=True),
}


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
@pytest.mark.parametrize("variant", list(VARIANTS), ids=list(VARIANTS))
def test_layout_variants_load_the_same_cases(tmp_path: Path, variant: str, as_zip: bool) -> None:
    top = tmp_path / "IICS"
    build(top, VARIANTS[variant])
    path = zip_tree(top, tmp_path / "dataset.zip") if as_zip else top
    dataset, report = open_dataset(path)
    assert dataset.layout is Layout.IICS_UNA
    assert _summary(dataset) == EXPECTED
    assert not report.errors and not report.warnings, [str(p) for p in report]
    case = dataset.case("3")
    assert case.clinical.age == 43 and case.clinical.sex == "Female"
    assert case.clinical.acquisition_date == dt.date(2021, 1, 1) + dt.timedelta(days=111)
    assert case.anterior is not None and case.anterior.width == 256 and case.anterior.height == 1024
    pixels = load_view(case.posterior)
    assert pixels.shape == (1024, 256) and pixels.dtype == np.uint16
    expected = scan_array(7)
    if VARIANTS[variant].mode == "L":
        expected = expected // 257
    np.testing.assert_array_equal(pixels, expected)


def test_fingerprint_same_for_folder_and_zip_and_changes_with_a_label(tmp_path: Path) -> None:
    top = build(tmp_path / "a")
    d1, _ = open_dataset(top)
    d2, _ = open_dataset(zip_tree(top, tmp_path / "a.zip"))
    assert d1.fingerprint == d2.fingerprint
    book = top / "Bone Scan Images Dataset.xlsx"
    wb = load_workbook(book)
    wb.active["J5"] = "Bone metastases"  # patient 3 relabelled
    wb.save(book)
    d3, _ = open_dataset(top)
    assert d3.fingerprint != d1.fingerprint


def test_demo_marker_makes_the_dataset_synthetic(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    assert not open_dataset(top)[0].synthetic
    (top / "SYNTHETIC_DEMO.txt").write_text("synthetic")
    assert open_dataset(top)[0].synthetic


# --- a path that is no dataset at all: one clear error --------------------------------------

def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file or folder"):
        open_dataset(tmp_path / "nowhere")


def test_a_file_that_is_neither_folder_nor_zip(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("hello")
    with pytest.raises(DatasetError, match="neither a folder nor a zip"):
        open_dataset(f)


def test_zip_without_the_layout(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "readme.txt").write_text("nothing here")
    with pytest.raises(DatasetError, match=r"not a dataset this app can read.*A<n>\.png"):
        open_dataset(zip_tree(tmp_path / "x", tmp_path / "x.zip"))


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="empty"):
        open_dataset(tmp_path / "empty")


# --- bad files inside a dataset: reported by name, the rest still loads ----------------------

def _one_problem(report, kind):
    found = report.of_kind(kind)
    assert len(found) == 1, [str(p) for p in report]
    return found[0]


def test_truncated_png(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    f = top / "No bone metastases" / "Anterior" / "A4.png"
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    dataset, report = open_dataset(top)
    p = _one_problem(report, ProblemKind.TRUNCATED_IMAGE)
    assert "A4.png" in p.file and "Copy it again" in p.message
    assert dataset.case("4").anterior is None and dataset.case("4").posterior is not None
    assert len(dataset) == 5


def test_zero_byte_png(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    (top / "Bone metastases" / "Posterior" / "P1.png").write_bytes(b"")
    dataset, report = open_dataset(top)
    p = _one_problem(report, ProblemKind.EMPTY_FILE)
    assert p.file.endswith("P1.png") and "empty" in p.message
    assert dataset.case("1").posterior is None


def test_png_of_another_size_is_reported_but_loads(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    write_png(top / "No bone metastases" / "Anterior" / "A5.png", scan_array(1, 200, 800))
    dataset, report = open_dataset(top)
    p = _one_problem(report, ProblemKind.UNEXPECTED_SIZE)
    assert "200 x 800" in p.message and p.severity is Severity.WARNING
    assert load_view(dataset.case("5").anterior).shape == (800, 200)


def test_rgb_png_is_converted_and_noted(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    write_png(top / "No bone metastases" / "Anterior" / "A5.png", scan_array(1), mode="RGB")
    dataset, report = open_dataset(top)
    p = _one_problem(report, ProblemKind.COLOUR_IMAGE)
    assert "luminance" in p.message
    arr = load_view(dataset.case("5").anterior)
    assert arr.shape == (1024, 256) and arr.max() == 255


def test_twice_oversized_png_loads_with_a_warning(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    write_png(top / "No bone metastases" / "Anterior" / "A5.png", scan_array(1, 512, 2048))
    dataset, report = open_dataset(top)
    assert "512 x 2048" in _one_problem(report, ProblemKind.UNEXPECTED_SIZE).message
    assert load_view(dataset.case("5").anterior).shape == (2048, 512)


def _bomb_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height", "said"), [
    (60000, 60000, "decompression bomb"),  # a bomb
    (4096, 8192, "4096 x 8192"),  # 32 megapixels: refused with its size, before decoding
])
def test_an_image_too_large_is_refused_with_a_message(tmp_path: Path, width: int, height: int,
                                                      said: str) -> None:
    top = build(tmp_path / "d")
    (top / "No bone metastases" / "Anterior" / "A5.png").write_bytes(_bomb_png(width, height))
    dataset, report = open_dataset(top)
    p = _one_problem(report, ProblemKind.IMAGE_TOO_LARGE)
    assert said in p.message and "A5.png" in p.file
    assert dataset.case("5").anterior is None
    with pytest.raises(ImageError, match=said):
        decode_image(_bomb_png(width, height), "big.png")


def test_patient_with_one_view(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    (top / "Bone metastases" / "Anterior" / "A2.png").unlink()
    dataset, report = open_dataset(top)
    p = _one_problem(report, ProblemKind.MISSING_VIEW)
    assert "anterior" in p.message and p.case_key == "2"
    case = dataset.case("2")
    assert case.anterior is None and case.view(Projection.POSTERIOR) is not None
    assert not case.quiz_eligible and "anterior" in case.quiz_exclusion  # browsed, never quizzed
    assert "2" not in {c.key for c in dataset.quiz_cases} and len(dataset.quiz_cases) == 4


def test_no_spreadsheet_takes_labels_from_folders(tmp_path: Path) -> None:
    top = build(tmp_path / "d", Spec(sheet_name=None))
    dataset, report = open_dataset(top)
    assert _summary(dataset) == EXPECTED
    p = _one_problem(report, ProblemKind.NO_SPREADSHEET)
    assert p.severity is Severity.WARNING and "folder names" in p.message


def test_spreadsheet_missing_the_diagnosis_column(tmp_path: Path) -> None:
    headers = tuple(h if h != "DIAGNOSIS CLASSIFICATION" else "REMARKS" for h in Spec().headers)
    top = build(tmp_path / "d", Spec(headers=headers))
    dataset, report = open_dataset(top)
    assert _summary(dataset) == EXPECTED
    assert "DIAGNOSIS" in _one_problem(report, ProblemKind.MISSING_COLUMN).message
    assert dataset.case("1").clinical.age == 41  # the other columns still count


def test_folder_and_spreadsheet_disagree(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    src = top / "No bone metastases"
    for view, letter in (("Anterior", "A"), ("Posterior", "P")):
        dst = top / "Bone metastases" / view / f"{letter}4.png"
        (src / view / f"{letter}4.png").rename(dst)
    dataset, report = open_dataset(top)
    p = _one_problem(report, ProblemKind.LABEL_CONFLICT)
    assert p.case_key == "4" and "left out of quizzes" in p.message
    case = dataset.case("4")
    assert case.diagnosis is Diagnosis.NO_METASTASES and case.label_doubtful
    assert "4" not in {c.key for c in dataset.quiz_cases} and len(dataset.quiz_cases) == 4


def test_spreadsheet_that_is_not_an_xlsx(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    (top / "Bone Scan Images Dataset.xlsx").write_text("PATIENT;DIAGNOSIS\n1;Bone metastases\n")
    dataset, report = open_dataset(top)
    p = _one_problem(report, ProblemKind.BAD_SPREADSHEET)
    assert "not an Excel .xlsx" in p.message and p.file.endswith(".xlsx")
    assert _summary(dataset) == EXPECTED


def test_nothing_usable_raises_with_the_reason(tmp_path: Path) -> None:
    top = build(tmp_path / "d", Spec(n_met=1, n_normal=0))
    for f in top.rglob("*.png"):
        f.write_bytes(b"")
    with pytest.raises(DatasetError, match="none of the 1 patients"):
        open_dataset(top)


def test_an_unchanged_spreadsheet_is_read_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    import openpyxl

    top = build(tmp_path / "d", Spec(dates_as_text=False))
    first, _ = open_dataset(top)

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl should not be needed for an unchanged workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    again, report = open_dataset(top)
    assert again.cases == first.cases and not report
    assert again.case("3").clinical.acquisition_date == first.case("3").clinical.acquisition_date
    book = top / "Bone Scan Images Dataset.xlsx"
    monkeypatch.undo()
    wb = load_workbook(book)
    wb.active["G5"] = 99  # patient 3's age
    wb.save(book)
    assert open_dataset(top)[0].case("3").clinical.age == 99


@pytest.mark.parametrize("bad", ["nan", "inf", "1e400", -5, 999])
def test_an_impossible_clinical_number_is_reported_and_left_blank(tmp_path: Path, bad) -> None:
    top = build(tmp_path / "d")
    book = top / "Bone Scan Images Dataset.xlsx"
    wb = load_workbook(book)
    wb.active["G5"] = bad  # patient 3's age
    wb.active["H5"] = bad  # and weight
    wb.save(book)
    dataset, report = open_dataset(top)
    case = dataset.case("3")
    assert case.diagnosis is Diagnosis.NO_METASTASES and case.quiz_eligible
    assert case.clinical.age is None and case.clinical.weight_kg is None
    assert case.clinical.height_cm == 163
    problems = report.of_kind(ProblemKind.BAD_VALUE)
    assert [p.message.split(" ")[0] for p in problems] == ["AGE", "WEIGHT"]
    assert all(p.case_key == "3" and "left blank" in p.message for p in problems)


def test_the_largest_image_the_layouts_allow_still_loads(tmp_path: Path) -> None:
    from bonescan_tutor.datasets.images import MAX_PIXELS

    top = build(tmp_path / "d")
    write_png(top / "No bone metastases" / "Anterior" / "A5.png", scan_array(1, 1024, 4096), "L")
    assert MAX_PIXELS >= 1024 * 4096
    dataset, report = open_dataset(top)
    assert not report.of_kind(ProblemKind.IMAGE_TOO_LARGE)
    assert load_view(dataset.case("5").anterior).shape == (4096, 1024)


def test_a_truncated_view_keeps_the_case_out_of_quizzes(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    f = top / "No bone metastases" / "Posterior" / "P4.png"
    f.write_bytes(f.read_bytes()[:-100])
    dataset, report = open_dataset(top)
    assert _one_problem(report, ProblemKind.TRUNCATED_IMAGE).case_key == "4"
    case = dataset.case("4")
    assert case.posterior is None and case.missing_views == (Projection.POSTERIOR,)
    assert "4" not in {c.key for c in dataset.quiz_cases} and len(dataset.quiz_cases) == 4


def test_a_bomb_member_in_a_zip_keeps_its_case_out_of_quizzes(tmp_path: Path) -> None:
    from tests.datasets.test_archives import with_bomb_member

    dataset, _ = open_dataset(with_bomb_member(tmp_path))
    assert not dataset.case("5").quiz_eligible and len(dataset.quiz_cases) == 4
