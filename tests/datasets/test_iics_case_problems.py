"""Every problem the IICS-UNA reader reports while assembling a patient into a case,
pinned word for word: kind, severity, file, case and the sentence the resident reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.validation import ProblemKind, Severity
from bonescan_tutor.datasets.detect import open_dataset
from tests.builders import Spec, build, scan_array, write_png

CASE_KINDS = {ProblemKind.DUPLICATE_KEY, ProblemKind.IMAGES_WITHOUT_ROW,
              ProblemKind.ROW_WITHOUT_IMAGES, ProblemKind.UNKNOWN_LABEL,
              ProblemKind.LABEL_CONFLICT, ProblemKind.MISSING_VIEW}


def _case_problems(report, top: Path) -> list[tuple[ProblemKind, Severity, str, str | None, str]]:
    return [(p.kind, p.severity, p.file.replace(str(top), "<top>"), p.case_key, p.message)
            for p in report if p.kind in CASE_KINDS]


def _append_row(top: Path, row: list[object]) -> None:
    book = top / "Bone Scan Images Dataset.xlsx"
    wb = load_workbook(book)
    wb.active.append(row)
    wb.save(book)


def test_a_second_image_of_one_view_is_reported_and_the_first_used(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    shutil.copy(top / "No bone metastases" / "Anterior" / "A3.png",
                top / "No bone metastases" / "Anterior" / "A03.png")
    dataset, report = open_dataset(top)
    [(kind, severity, file, key, message)] = _case_problems(report, top)
    assert (kind, severity, key) == (ProblemKind.DUPLICATE_KEY, Severity.WARNING, "3")
    first, second = sorted(["No bone metastases/Anterior/A3.png",
                            "No bone metastases/Anterior/A03.png"],
                           key=lambda rel: message.index(rel))
    assert file.endswith(first)
    assert message == (f"patient 3 has 2 anterior images ({first}, {second}); "
                       "the first was used.")
    assert "3" in dataset and dataset.case("3").quiz_eligible


def test_images_without_a_row_and_a_row_without_images(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    _append_row(top, [9, "A9", "P9", ".png", None, "Female", 50, 60, 160, "No bone metastases"])
    write_png(top / "No bone metastases" / "Anterior" / "A12.png", scan_array(12))
    dataset, report = open_dataset(top)
    assert sorted(_case_problems(report, top), key=lambda p: p[0].value) == sorted([
        (ProblemKind.ROW_WITHOUT_IMAGES, Severity.WARNING, "<top>", "9",
         "spreadsheet row 8 (patient 9) has no images; expected A9.png and P9.png."),
        (ProblemKind.IMAGES_WITHOUT_ROW, Severity.ERROR,
         "<top>/No bone metastases/Anterior/A12.png", "12",
         "patient 12 has images but no spreadsheet row; left out (the spreadsheet is the "
         "source of the label). Add the row to include it."),
    ], key=lambda p: p[0].value)
    assert "9" not in dataset and "12" not in dataset


def test_a_patient_on_two_rows_with_the_same_label_uses_the_first(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    _append_row(top, [3, "A3", "P3", ".png", None, "Male", 70, 80, 170, "No bone metastases"])
    dataset, report = open_dataset(top)
    assert _case_problems(report, top) == [
        (ProblemKind.DUPLICATE_KEY, Severity.WARNING, "<top>", "3",
         "patient 3 appears on 2 spreadsheet rows (5, 8); the first row was used."),
    ]
    assert dataset.case("3").clinical.age == 43 and dataset.case("3").quiz_eligible


def test_a_patient_on_two_rows_with_different_labels_is_left_out(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    _append_row(top, [3, "A3", "P3", ".png", None, "Female", 50, 60, 160, "Bone metastases"])
    dataset, report = open_dataset(top)
    assert _case_problems(report, top) == [
        (ProblemKind.DUPLICATE_KEY, Severity.ERROR, "<top>", "3",
         "patient 3 appears on 2 spreadsheet rows (5, 8); left out because their labels "
         "differ."),
    ]
    assert "3" not in dataset


def test_a_label_neither_class_is_left_out(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    book = top / "Bone Scan Images Dataset.xlsx"
    wb = load_workbook(book)
    wb.active["J4"] = "Probably fine"  # patient 2
    wb.save(book)
    dataset, report = open_dataset(top)
    assert _case_problems(report, top) == [
        (ProblemKind.UNKNOWN_LABEL, Severity.ERROR, "<top>", "2",
         "patient 2: the label 'Probably fine' on spreadsheet row 4 is neither 'Bone "
         "metastases' nor 'No bone metastases'; left out."),
    ]
    assert "2" not in dataset


def test_a_folder_that_contradicts_the_sheet_keeps_the_case_for_browsing(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    (top / "No bone metastases" / "Anterior" / "A4.png").rename(
        top / "Bone metastases" / "Anterior" / "A4.png")
    dataset, report = open_dataset(top)
    assert _case_problems(report, top) == [
        (ProblemKind.LABEL_CONFLICT, Severity.WARNING, "<top>/Bone metastases/Anterior/A4.png",
         "4", "patient 4: the spreadsheet says 'No bone metastases' but the image sits in a "
         "folder that says otherwise; kept for browsing, left out of quizzes."),
    ]
    case = dataset.case("4")
    assert case.diagnosis is Diagnosis.NO_METASTASES and case.label_doubtful


@pytest.mark.parametrize("where, why", [
    ("outside", "no class folder"),
    ("split", "class folders that disagree"),
])
def test_without_a_sheet_a_patient_needs_one_class_folder(tmp_path: Path, where: str,
                                                          why: str) -> None:
    top = build(tmp_path / "d", Spec(sheet_name=None))
    anterior = top / "No bone metastases" / "Anterior" / "A4.png"
    posterior = top / "No bone metastases" / "Posterior" / "P4.png"
    if where == "outside":
        anterior.rename(top / "A4.png")
        posterior.rename(top / "P4.png")
        anchor = "<top>/A4.png"
    else:
        anterior.rename(top / "Bone metastases" / "Anterior" / "A4.png")
        anchor = "<top>/Bone metastases/Anterior/A4.png"
    dataset, report = open_dataset(top)
    assert _case_problems(report, top) == [
        (ProblemKind.UNKNOWN_LABEL, Severity.ERROR, anchor, "4",
         f"patient 4: the label cannot be told ({why}, and no spreadsheet label); left out."),
    ]
    assert "4" not in dataset


def test_a_missing_view_is_named_with_the_file_expected(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    (top / "Bone metastases" / "Posterior" / "P2.png").unlink()
    dataset, report = open_dataset(top)
    assert _case_problems(report, top) == [
        (ProblemKind.MISSING_VIEW, Severity.WARNING, "<top>/Bone metastases/Anterior/A2.png",
         "2", "patient 2 has no posterior view (P2.png); the case shows one view and is left "
         "out of quizzes."),
    ]
    assert dataset.case("2").missing_views and not dataset.case("2").quiz_eligible


def test_a_patient_whose_every_image_fails_is_left_out_without_a_case_problem(
        tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    for letter, view in (("A", "Anterior"), ("P", "Posterior")):
        (top / "Bone metastases" / view / f"{letter}1.png").write_bytes(b"")
    dataset, report = open_dataset(top)
    assert _case_problems(report, top) == []
    assert [p.case_key for p in report.of_kind(ProblemKind.EMPTY_FILE)] == ["1", "1"]
    assert "1" not in dataset and len(dataset) == 4
