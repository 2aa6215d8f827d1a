"""`cohort --annotations`: each annotated lesion with how many trainees found it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from bonescan_tutor import cli
from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.storage.annotations import write_annotations
from bonescan_tutor.storage.cohort import load_cohort
from bonescan_tutor.storage.cohort_lesions import LESION_COLUMNS, lesion_analysis
from tests.storage.lesion_data import lesion_cohort


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    return lesion_cohort(tmp_path, note='=HYPERLINK("http://x.example","y")')


def test_each_lesion_says_how_many_found_it(setup) -> None:
    ds, inbox, path = setup
    dataset, _ = open_dataset(ds)
    from bonescan_tutor.storage.annotations import read_annotations

    rows, figures = lesion_analysis(load_cohort([inbox], dataset), read_annotations(path))
    assert [r.text for r in rows] == [
        "lesion 1 of case 1 found by 1 of 3",  # Ana only
        "lesion 2 of case 1 found by 2 of 3",  # Ana and Ben
        "lesion 1 of case 2 found by 1 of 2",  # Ben; Cy did not answer case 2
    ]
    assert figures["Ana"].lesions_hit == 2 and figures["Ana"].lesions == 3
    assert figures["Cy"].lesions == 2 and figures["Cy"].nl_marks == 1


def test_cohort_json_and_text_with_the_annotations_beside_the_dataset(
    capsys, setup, tmp_path: Path
) -> None:
    ds, inbox, _ = setup
    code, out, err = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"),
                         "--dataset", str(ds), "--json")
    assert code == 0, err
    j = json.loads(out)
    assert [r["text"] for r in j["lesions"]][2] == "lesion 1 of case 2 found by 1 of 2"
    ana = next(t for t in j["trainees"] if t["trainee"] == "Ana")
    assert ana["localization"]["llf"] == pytest.approx(2 / 3)
    code, out, _ = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"),
                       "--dataset", str(ds))
    assert "lesion 1 of case 1 found by 1 of 3 (ribs)" in out


def test_without_annotations_the_lesion_key_is_null(capsys, setup, tmp_path: Path) -> None:
    ds, inbox, path = setup
    path.unlink()
    code, out, _ = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"),
                       "--dataset", str(ds), "--json")
    assert code == 0 and json.loads(out)["lesions"] is None


def test_explicit_annotations_of_another_version_are_named(capsys, setup, tmp_path: Path) -> None:
    ds, inbox, _ = setup
    other = tmp_path / "other.bstann"
    write_annotations(other, AnnotationSet("x", "0000", {}))
    code, out, err = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"),
                         "--dataset", str(ds), "--annotations", str(other), "--json")
    assert code == 0 and "made on dataset version 0000" in err
    assert json.loads(out)["lesions"] == []


def test_the_workbook_gets_a_lesions_sheet_and_localization_columns(
    capsys, setup, tmp_path: Path
) -> None:
    ds, inbox, path = setup
    out = tmp_path / "c.xlsx"
    code, _, err = run(capsys, "cohort", str(inbox), "--out", str(out), "--dataset", str(ds),
                       "--annotations", str(path))
    assert code == 0, err
    wb = openpyxl.load_workbook(out)
    rows = list(wb["Lesions"].iter_rows(values_only=True))
    assert rows[0] == LESION_COLUMNS
    assert [r[:7] for r in rows[1:]] == [
        ("1", 1, "anterior", "ribs", 1, 3, pytest.approx(1 / 3)),
        ("1", 2, "anterior", "spine", 2, 3, pytest.approx(2 / 3)),
        ("2", 1, "anterior", "pelvis", 1, 2, 0.5),
    ]
    assert rows[2][8] == "lesion 2 of case 1 found by 2 of 3"
    # the annotation's note, text from a file, stays text: never run as a formula
    note = wb["Lesions"]["H2"]
    assert note.value.startswith("=HYPERLINK") and note.data_type == "s" and note.quotePrefix
    trainees = list(wb["Trainees"].iter_rows(values_only=True))
    header = list(trainees[0])
    ana = dict(zip(header, trainees[1], strict=True))
    assert ana["trainee"] == "Ana" and ana["llf"] == pytest.approx(2 / 3)
    assert (ana["lesions"], ana["lesions_hit"], ana["nl_marks"]) == (3, 2, 1)
    assert ana["nlf"] == pytest.approx(1 / 3) and ana["localization_cases"] == 3
    # Ana's wAFROC by hand: normal case 3 has her NL rated 20 ("no" at 80 %); case 1's
    # two lesions, rated 80, beat it (1 each, weight 1/2); case 2's lesion is missed
    # (-inf < 20: 0). Over K1 = 1 normal and K2 = 2 metastatic cases: (1 + 0) / 2
    assert ana["wafroc"] == pytest.approx(0.5)
    assert ana["unannotated_metastatic_cases"] in (None, "")


def test_the_csv_gets_localization_columns_and_without_annotations_neither_does(
    capsys, setup, tmp_path: Path
) -> None:
    import csv

    ds, inbox, path = setup
    out = tmp_path / "c.csv"
    code, _, err = run(capsys, "cohort", str(inbox), "--out", str(out), "--dataset", str(ds))
    assert code == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert table[1]["trainee"] == "Ben" and float(table[1]["llf"]) == pytest.approx(2 / 3)
    path.unlink()
    plain = tmp_path / "plain.xlsx"
    code, _, _ = run(capsys, "cohort", str(inbox), "--out", str(plain), "--dataset", str(ds))
    wb = openpyxl.load_workbook(plain)
    assert code == 0 and "Lesions" not in wb.sheetnames
    assert "llf" not in next(wb["Trainees"].iter_rows(values_only=True))
