"""The cohort dialog's per-lesion rows and each trainee's localization figures."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.instructor import cohort_dialog
from bonescan_tutor.gui.instructor.cohort_dialog import CohortDialog
from bonescan_tutor.gui.instructor.cohort_lesions_page import LESION_COLUMNS
from bonescan_tutor.gui.instructor.cohort_model import trainee_columns
from bonescan_tutor.storage.annotations import read_annotations, write_annotations
from tests.storage.lesion_data import lesion_cohort


@pytest.fixture
def setup(tmp_path: Path):
    ds, inbox, path = lesion_cohort(tmp_path)
    return open_dataset(ds)[0], inbox, path


def opened(qtbot, dialog: CohortDialog, paths) -> CohortDialog:
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=20_000):
        dialog.load(paths)
    return dialog


def column(table, name: str, columns=LESION_COLUMNS) -> list[str]:
    col = columns.index(name)
    return [table.item(r, col).text() for r in range(table.rowCount())]


def test_each_lesion_is_a_row_fewest_found_first_and_sortable(qtbot, settings, setup) -> None:
    dataset, inbox, path = setup
    dialog = opened(qtbot, CohortDialog(settings, dataset, None, read_annotations(path)),
                    [inbox])
    page = dialog.lesions
    assert dialog.tabs.tabText(dialog.tabs.indexOf(page)) == "Lesions (3)"
    assert column(page.table, "Lesion") == [
        "lesion 1 of case 1 found by 1 of 3",  # 33 %
        "lesion 1 of case 2 found by 1 of 2",  # 50 %: Cy left case 2 unanswered
        "lesion 2 of case 1 found by 2 of 3",  # 67 %
    ]
    assert column(page.table, "Found (%)") == ["33 %", "50 %", "67 %"]
    assert column(page.table, "Region") == ["ribs", "pelvis", "spine"]
    page.table.sortItems(LESION_COLUMNS.index("Found by"), Qt.SortOrder.DescendingOrder)
    assert column(page.table, "Lesion")[0] == "lesion 2 of case 1 found by 2 of 3"
    page.table.sortItems(LESION_COLUMNS.index("Trainees"), Qt.SortOrder.AscendingOrder)
    assert column(page.table, "Case")[0] == "2"
    page.table.sortItems(0, Qt.SortOrder.AscendingOrder)  # case and lesion order
    assert column(page.table, "No.") == ["1", "2", "1"] and column(page.table, "Case") == [
        "1", "1", "2"]
    assert "3 annotated lesion(s)" in page.headline.text()
    # each trainee's figures beside the others
    t = dialog.trainees
    assert not t.isColumnHidden(trainee_columns().index("LLF"))
    assert column(t, "Trainee", trainee_columns()) == ["Ana", "Ben", "Cy"]
    assert column(t, "LLF", trainee_columns()) == ["67 % (2/3)", "67 % (2/3)", "0 % (0/2)"]
    assert column(t, "wAFROC", trainee_columns())[0] == "0.50"
    assert column(t, "NLF", trainee_columns())[2] == "0.50"  # Cy: 1 false mark over 2 cases
    assert "2 of 3 lesion(s) found" in t.item(0, trainee_columns().index("LLF")).toolTip()


def test_without_annotations_the_tab_says_how_to_get_them(qtbot, settings, setup) -> None:
    dataset, inbox, _ = setup
    dialog = opened(qtbot, CohortDialog(settings, dataset), [inbox])
    assert dialog.tabs.tabText(dialog.tabs.indexOf(dialog.lesions)) == "Lesions"
    assert dialog.lesions.table.rowCount() == 0
    assert "choose a .bstann file" in dialog.lesions.headline.text()
    assert dialog.trainees.isColumnHidden(trainee_columns().index("wAFROC"))


def test_annotations_chosen_in_the_dialog_rescore_and_another_version_is_named(
    qtbot, settings, setup, tmp_path: Path
) -> None:
    _, inbox, path = setup
    dialog = opened(qtbot, CohortDialog(settings), [inbox])  # no dataset open
    other = tmp_path / "elsewhere.bstann"
    ann = read_annotations(path)
    write_annotations(other, AnnotationSet(ann.dataset_name, "0ther", ann.cases))
    with qtbot.waitSignal(dialog.loaded, timeout=20_000):
        dialog.choose_annotations([other])
    page = dialog.lesions
    assert page.table.rowCount() == 3
    assert "elsewhere.bstann (2 case(s))" in page.source.text()
    assert "made on dataset version 0ther" in page.headline.text()


def test_an_unreadable_annotations_file_is_named_and_those_in_use_kept(
    qtbot, settings, setup, tmp_path: Path, monkeypatch
) -> None:
    dataset, inbox, path = setup
    dialog = opened(qtbot, CohortDialog(settings, dataset, None, read_annotations(path)),
                    [inbox])
    said = []
    monkeypatch.setattr(cohort_dialog, "show_error", lambda _w, title, text: said.append(text))
    bad = tmp_path / "bad.bstann"
    bad.write_text("{", encoding="utf-8")
    dialog.choose_annotations([bad])
    assert said and str(bad) in said[0] and "kept" in said[0]
    assert dialog.lesions.table.rowCount() == 3 and dialog.annotations is not None


def test_the_saved_workbook_has_the_lesions_sheet(qtbot, settings, setup, tmp_path) -> None:
    dataset, inbox, path = setup
    dialog = opened(qtbot, CohortDialog(settings, dataset, None, read_annotations(path)),
                    [inbox])
    out = dialog.save_workbook(tmp_path / "week4.xlsx")
    wb = openpyxl.load_workbook(out)
    assert [r[8] for r in wb["Lesions"].iter_rows(min_row=2, values_only=True)] == [
        "lesion 1 of case 1 found by 1 of 3", "lesion 2 of case 1 found by 2 of 3",
        "lesion 1 of case 2 found by 1 of 2"]
    assert "wafroc" in next(wb["Trainees"].iter_rows(values_only=True))
