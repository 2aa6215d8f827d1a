"""Reading an instructor's CSV/XLSX manifest from small trees built in tmp_path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bonescan_tutor.core.cases import Dataset, Diagnosis, Layout
from bonescan_tutor.core.errors import DatasetError
from bonescan_tutor.core.validation import ProblemKind, Severity, ValidationReport
from bonescan_tutor.datasets import manifest
from bonescan_tutor.datasets.images import load_view
from bonescan_tutor.datasets.reader import Recognition
from bonescan_tutor.datasets.tree import FileTree
from tests.builders import zip_tree

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "manifest-example"


def png(path: Path, size: tuple[int, int] = (256, 1024)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((size[1], size[0]), 1000, dtype=np.uint16)).save(path)
    return path


def images(root: Path, *keys: str) -> None:
    for k in keys:
        png(root / "img" / f"{k}a.png")
        png(root / "img" / f"{k}p.png")


def write_csv(root: Path, text: str, name: str = "manifest.csv") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_text(text.lstrip("\n"))
    return path


def write_xlsx(root: Path, rows: list[list[object]], name: str = "manifest.xlsx") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    root.mkdir(parents=True, exist_ok=True)
    wb.save(root / name)
    return root / name


def recognised(path: Path) -> Recognition:
    with FileTree.open(path) as tree:
        return manifest.recognises(tree)


def load(path: Path) -> tuple[Dataset, ValidationReport]:
    report = ValidationReport()
    return manifest.read(path, report), report


BASIC = """
case,anterior,posterior,diagnosis,age,sex,weight,height,date,teaching note
1,img/1a.png,img/1p.png,Bone metastases,53,Female,107,175,2024-02-09,Look at the ribs.
2,img/2a.png,img/2p.png,No bone metastases,,,,,,
"""


def test_csv_manifest_reads_cases_views_clinical_details_and_note(tmp_path: Path) -> None:
    images(tmp_path, "1", "2")
    write_csv(tmp_path, BASIC)
    assert recognised(tmp_path)
    ds, report = load(tmp_path)
    assert list(report) == []
    assert ds.layout is Layout.MANIFEST
    assert [(c.key, c.diagnosis) for c in ds] == [
        ("1", Diagnosis.METASTASES),
        ("2", Diagnosis.NO_METASTASES),
    ]
    one = ds.case("1")
    assert Path(one.anterior.path) == tmp_path / "img" / "1a.png"
    assert (one.anterior.width, one.anterior.height, one.anterior.mode) == (256, 1024, "I;16")
    assert load_view(one.posterior).shape == (1024, 256)
    c = one.clinical
    assert (c.age, c.sex, c.weight_kg, c.height_cm) == (53, "Female", 107.0, 175.0)
    assert c.acquisition_date == dt.date(2024, 2, 9)
    assert c.note == "Look at the ribs."
    assert ds.case("2").clinical.note is None


def test_the_manifest_file_itself_can_be_opened(tmp_path: Path) -> None:
    images(tmp_path / "set", "1", "2")
    path = write_csv(tmp_path / "set", BASIC, name="my cases.csv")
    assert not recognised(tmp_path / "set")  # not a known name inside the folder
    assert recognised(path)
    ds, _ = load(path)
    assert ds.keys == ("1", "2")
    assert ds.root == str(tmp_path / "set")


def test_xlsx_manifest_with_cells_of_every_type(tmp_path: Path) -> None:
    images(tmp_path, "1", "2")
    write_xlsx(
        tmp_path,
        [
            ["Case", "Anterior File", "Posterior File", "Label", "Age", "Date", "Teaching_Note"],
            [1, "img/1a.png", "img/1p.png", "Bone metastases", 61.0, dt.datetime(2023, 5, 1), "x"],
            [2.0, "img\\2a.png", None, 0, None, None, None],
        ],
    )
    assert recognised(tmp_path / "manifest.xlsx")
    ds, report = load(tmp_path)
    assert list(report) == []
    assert ds.keys == ("1", "2")
    assert ds.case("1").clinical.acquisition_date == dt.date(2023, 5, 1)
    assert ds.case("1").clinical.age == 61
    assert ds.case("1").clinical.note == "x"
    two = ds.case("2")
    assert two.diagnosis is Diagnosis.NO_METASTASES
    assert two.posterior is None and two.anterior is not None  # a backslash path works


@pytest.mark.parametrize(
    "header",
    [
        "Key, Anterior , Posterior, Diagnosis, Note",
        "ID,ANT,POST,LABEL,Teaching Note",
        "case_id,anterior-view,posterior_image,DIAGNOSIS,notes",
    ],
)
def test_header_synonyms_and_case(tmp_path: Path, header: str) -> None:
    images(tmp_path, "1")
    write_csv(tmp_path, f"{header}\n1,img/1a.png,img/1p.png,abnormal,a note\n")
    assert recognised(tmp_path)
    ds, report = load(tmp_path)
    assert list(report) == []
    assert ds.case("1").diagnosis is Diagnosis.METASTASES
    assert ds.case("1").clinical.note == "a note"


def test_semicolon_separated_csv_and_cases_csv_name(tmp_path: Path) -> None:
    images(tmp_path, "1")
    write_csv(
        tmp_path,
        "case;anterior;posterior;diagnosis\n1;img/1a.png;img/1p.png;normal\n",
        name="Cases.CSV",
    )
    ds, report = load(tmp_path)
    assert list(report) == []
    assert ds.case("1").diagnosis is Diagnosis.NO_METASTASES


@pytest.mark.parametrize(
    "path",
    [
        "../outside.png",
        "img/../../outside.png",
        "/etc/x.png",
        "C:\\scans\\x.png",
        "img\\..\\..\\outside.png",
    ],
)
def test_a_path_escaping_the_folder_is_refused(tmp_path: Path, path: str) -> None:
    root = tmp_path / "set"
    images(root, "1", "2")
    png(tmp_path / "outside.png")
    write_csv(
        root,
        f"case,anterior,posterior,diagnosis\n1,{path},img/1p.png,normal\n"
        "2,img/2a.png,img/2p.png,normal\n",
    )
    ds, report = load(root)
    assert ds.keys == ("2",)
    [bad] = report.of_kind(ProblemKind.BAD_VALUE)
    assert bad.case_key == "1" and "outside the manifest's folder" in bad.message
    assert "row 2" in bad.message


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "set"
    images(root, "1")
    (root / "img" / "link.png").symlink_to(png(tmp_path / "outside.png"))
    write_csv(root, "case,anterior,posterior,diagnosis\n1,img/link.png,img/1p.png,normal\n")
    ds, report = load(root)
    assert len(ds) == 0
    assert report.of_kind(ProblemKind.BAD_VALUE)


def test_missing_files_are_reported(tmp_path: Path) -> None:
    images(tmp_path, "1")
    write_csv(
        tmp_path,
        "case,anterior,posterior,diagnosis\n"
        "1,img/1a.png,img/gone.png,normal\n2,img/no.png,,normal\n",
    )
    ds, report = load(tmp_path)
    assert ds.keys == ("1",)
    assert ds.case("1").posterior is None  # one view left, the case still loads
    missing = report.of_kind(ProblemKind.MISSING_VIEW)
    assert [Path(p.file).name for p in missing] == ["gone.png", "no.png"]
    [empty] = report.of_kind(ProblemKind.ROW_WITHOUT_IMAGES)
    assert empty.case_key == "2"


def test_an_unknown_diagnosis_is_reported_and_left_out(tmp_path: Path) -> None:
    images(tmp_path, "1", "2")
    write_csv(
        tmp_path,
        "case,anterior,posterior,diagnosis\n"
        "1,img/1a.png,img/1p.png,maybe\n2,img/2a.png,img/2p.png,normal\n",
    )
    ds, report = load(tmp_path)
    assert ds.keys == ("2",)
    [bad] = report.of_kind(ProblemKind.UNKNOWN_LABEL)
    assert "'maybe'" in bad.message and bad.severity is Severity.ERROR


def test_a_duplicate_key_is_reported_and_the_second_row_left_out(tmp_path: Path) -> None:
    images(tmp_path, "1", "2")
    write_csv(
        tmp_path,
        "case,anterior,posterior,diagnosis\n"
        "1,img/1a.png,img/1p.png,normal\n1,img/2a.png,img/2p.png,abnormal\n",
    )
    ds, report = load(tmp_path)
    assert ds.case("1").diagnosis is Diagnosis.NO_METASTASES
    [dup] = report.of_kind(ProblemKind.DUPLICATE_KEY)
    assert "row 2" in dup.message and "row 3" in dup.message


def test_bad_optional_values_warn_and_stay_blank(tmp_path: Path) -> None:
    images(tmp_path, "1")
    write_csv(
        tmp_path,
        "case,anterior,posterior,diagnosis,age,date\n"
        "1,img/1a.png,img/1p.png,normal,old,yesterday\n",
    )
    ds, report = load(tmp_path)
    assert ds.case("1").clinical.age is None
    assert [p.severity for p in report.of_kind(ProblemKind.BAD_VALUE)] == [Severity.WARNING] * 2


def test_wrong_size_warns_and_unreadable_image_is_left_out(tmp_path: Path) -> None:
    images(tmp_path, "1")
    png(tmp_path / "img" / "1a.png", size=(128, 512))
    (tmp_path / "img" / "1p.png").write_bytes(b"garbage")
    write_csv(tmp_path, "case,anterior,posterior,diagnosis\n1,img/1a.png,img/1p.png,normal\n")
    ds, report = load(tmp_path)
    assert ds.case("1").posterior is None
    assert report.of_kind(ProblemKind.UNEXPECTED_SIZE)[0].severity is Severity.WARNING
    assert report.of_kind(ProblemKind.UNREADABLE_IMAGE)[0].file.endswith("1p.png")


def test_missing_columns_raise_and_are_reported(tmp_path: Path) -> None:
    write_csv(tmp_path, "case,anterior,posterior\n1,a.png,p.png\n")
    assert 0 < recognised(tmp_path).score < 0.5  # chosen only when nothing else fits
    report = ValidationReport()
    with pytest.raises(DatasetError, match="diagnosis"):
        manifest.read(tmp_path, report)
    assert report.of_kind(ProblemKind.MISSING_COLUMN)


def test_not_a_manifest_at_all(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    assert not recognised(tmp_path)
    with pytest.raises(DatasetError, match=r"manifest\.csv"):
        manifest.read(tmp_path, ValidationReport())


def test_the_shipped_example_loads_cleanly() -> None:
    assert recognised(EXAMPLE)
    ds, report = load(EXAMPLE)
    assert list(report) == []
    assert len(ds) == 3
    assert ds.counts()[Diagnosis.METASTASES] == 1
    assert all(c.clinical.note for c in ds)
    for case in ds:
        for view in case.views:
            arr = load_view(view)
            assert arr.shape == (1024, 256) and arr.dtype == np.uint16
            assert view.mode == "I;16"


def test_a_quoted_note_with_doubled_quotes_and_a_comma_keeps_the_label(tmp_path: Path) -> None:
    images(tmp_path, "1", "2")
    write_csv(
        tmp_path,
        "case,anterior,posterior,diagnosis,note\n"
        '1,img/1a.png,img/1p.png,Bone metastases,"Reported as ""suspicious"", no metastases '
        'on the follow-up?"\n'
        "2,img/2a.png,img/2p.png,No bone metastases,\n",
    )
    ds, report = load(tmp_path)
    assert list(report) == []
    assert ds.case("1").diagnosis is Diagnosis.METASTASES
    assert ds.case("1").clinical.note == (
        'Reported as "suspicious", no metastases on the follow-up?'
    )
    assert ds.case("2").diagnosis is Diagnosis.NO_METASTASES


def test_semicolons_in_a_comma_separated_note_do_not_change_the_dialect(tmp_path: Path) -> None:
    images(tmp_path, "1")
    write_csv(
        tmp_path,
        "case,anterior,posterior,diagnosis,note\n"
        '1,img/1a.png,img/1p.png,normal,"ribs; spine; pelvis; skull; femurs"\n',
    )
    ds, report = load(tmp_path)
    assert list(report) == []
    assert ds.case("1").clinical.note == "ribs; spine; pelvis; skull; femurs"


def test_manifest_and_spreadsheet_dates_are_read_alike(tmp_path: Path) -> None:
    images(tmp_path, "1")
    write_csv(
        tmp_path,
        "case,anterior,posterior,diagnosis,date\n1,img/1a.png,img/1p.png,normal,09-02-2024\n",
    )
    ds, report = load(tmp_path)
    assert list(report) == []
    assert ds.case("1").clinical.acquisition_date == dt.date(2024, 2, 9)


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "1e400", "NaN", "-3", "900"])
def test_an_impossible_age_or_weight_is_reported_left_blank_and_the_case_kept(
    tmp_path: Path, bad: str
) -> None:
    images(tmp_path, "1")
    write_csv(
        tmp_path,
        "case,anterior,posterior,diagnosis,age,weight,height\n"
        f"1,img/1a.png,img/1p.png,Bone metastases,{bad},{bad},170\n",
    )
    ds, report = load(tmp_path)
    case = ds.case("1")
    assert case.diagnosis is Diagnosis.METASTASES
    assert case.clinical.age is None and case.clinical.weight_kg is None
    assert case.clinical.height_cm == 170
    problems = report.of_kind(ProblemKind.BAD_VALUE)
    assert [p.message.split(": ", 1)[1].split(" ")[0] for p in problems] == ["age", "weight"]
    assert all(bad in p.message and "left blank" in p.message for p in problems)


@pytest.mark.parametrize("key", ["a/b", "..", "C:x", "a\\b", "x..y", "a\tb"])
def test_a_case_key_that_looks_like_a_path_is_refused_with_a_message(
    tmp_path: Path, key: str
) -> None:
    images(tmp_path, "1", "2")
    write_csv(
        tmp_path,
        "case,anterior,posterior,diagnosis\n"
        f'"{key}",img/1a.png,img/1p.png,normal\n'
        "2,img/2a.png,img/2p.png,normal\n",
    )
    ds, report = load(tmp_path)
    assert ds.keys == ("2",)
    (problem,) = report.of_kind(ProblemKind.BAD_VALUE)
    assert "case key" in problem.message and "row 2" in problem.message


def test_a_row_whose_named_view_fails_is_browsed_but_not_quizzed(tmp_path: Path) -> None:
    images(tmp_path, "1", "2", "3")
    (tmp_path / "img" / "2p.png").unlink()
    write_csv(
        tmp_path,
        "case,anterior,posterior,diagnosis\n"
        "1,img/1a.png,img/1p.png,normal\n"
        "2,img/2a.png,img/2p.png,normal\n"
        "3,img/3a.png,,normal\n",  # names one view only: complete as it is
    )
    ds, report = load(tmp_path)
    assert report.of_kind(ProblemKind.MISSING_VIEW)[0].case_key == "2"
    assert [c.key for c in ds.quiz_cases] == ["1", "3"]
    assert "posterior" in ds.case("2").quiz_exclusion


def test_a_manifest_zip_reads_like_its_folder(tmp_path: Path) -> None:
    images(tmp_path / "mine", "1", "2")
    write_csv(tmp_path / "mine", BASIC)
    archive = zip_tree(tmp_path / "mine", tmp_path / "mine.zip")
    assert recognised(archive).score == 1.0
    folder_ds, _ = load(tmp_path / "mine")
    ds, report = load(archive)
    assert list(report) == []
    assert ds.keys == ("1", "2") and ds.fingerprint == folder_ds.fingerprint
    assert ds.root == str(archive) and ds.name == "mine"
    view = ds.case("1").anterior
    assert (view.archive, view.path) == (str(archive), "mine/img/1a.png")
    assert load_view(view).shape == (1024, 256)


def test_a_zipped_manifest_naming_a_missing_file_or_climbing_out(tmp_path: Path) -> None:
    images(tmp_path / "mine", "1")
    write_csv(tmp_path / "mine", "case,anterior,posterior,diagnosis\n"
              "1,img/1a.png,img/gone.png,normal\n2,../x.png,img/1p.png,normal\n")
    ds, report = load(zip_tree(tmp_path / "mine", tmp_path / "mine.zip"))
    assert ds.keys == ("1",) and ds.case("1").posterior is None
    (missing,) = report.of_kind(ProblemKind.MISSING_VIEW)
    assert missing.file == f"{tmp_path / 'mine.zip'}!mine/img/gone.png"
    assert "outside the manifest's folder" in report.of_kind(ProblemKind.BAD_VALUE)[0].message
