"""File > Open annotations: expert marks from .bstann files beside or away from the dataset."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from bonescan_tutor import paths
from bonescan_tutor.gui.main_window import MainWindow
from tests.gui.windows import main_window


@pytest.fixture
def demo_copy(tmp_path: Path) -> tuple[Path, Path]:
    """The shipped demo without its annotations beside it, and those annotations apart."""
    data = tmp_path / "demo"
    shutil.copytree(paths.resources_dir() / "demo", data)
    apart = tmp_path / "expert.bstann"
    (data / "annotations.bstann").rename(apart)
    return data, apart


@pytest.fixture
def window(qtbot, settings, store, demo_copy, monkeypatch) -> MainWindow:
    """The main window on the demo copy; message boxes record their text in ``w.told``."""
    w = main_window(qtbot, settings, store, demo_copy[0])
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: told.append(text))
    w.told = told  # type: ignore[attr-defined]
    return w


def test_opened_annotation_files_are_used_and_a_broken_one_keeps_those_in_use(
        window: MainWindow, tmp_path: Path, demo_copy, monkeypatch) -> None:
    w, (_, apart), told = window, demo_copy, window.told  # type: ignore[attr-defined]
    assert w.annotations is None and w.actions["open_annotations"].isEnabled()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(apart)], ""))
    w.actions["open_annotations"].trigger()
    assert w.annotations is not None and len(w.annotations.cases) > 0
    assert "case(s) from 1 file(s) in use" in w.statusBar().currentMessage()
    assert told == []  # the demo's own truth fits it: nothing to warn about
    in_use = w.annotations
    broken = tmp_path / "broken.bstann"
    broken.write_text("{ not json", encoding="utf-8")
    assert w.add_annotation_files([broken]) is False
    assert str(broken) in told[-1] and "kept" in told[-1]
    assert w.annotations is in_use


def test_open_annotations_is_closed_during_an_exam(window: MainWindow) -> None:
    from bonescan_tutor.core.quiz import QuizMode, QuizSpec

    w = window
    keys = [c.key for c in w.dataset.quiz_cases][:3]
    w.start_quiz(QuizSpec.create("Exam", keys, QuizMode.EXAM, seed=1))
    assert not w.actions["open_annotations"].isEnabled()


def test_the_dashboard_exports_marks_as_an_rjafroc_workbook_only_with_annotations(
        window: MainWindow, tmp_path: Path, demo_copy, monkeypatch) -> None:
    import openpyxl

    from bonescan_tutor.core.cases import Diagnosis, Projection
    from bonescan_tutor.core.quiz import QuizMode, QuizSpec

    w, (_, apart), told = window, demo_copy, window.told  # type: ignore[attr-defined]
    keys = tuple(c.key for c in w.dataset.quiz_cases)[:4]
    w.start_quiz(QuizSpec.create("Lesions", keys, QuizMode.PRACTICE, seed=2))
    screen = w.quiz_screen
    for _ in keys:
        screen._clicked(Projection.ANTERIOR, 120.0, 300.0)
        w.quiz.set_certainty(80)
        screen.answer(Diagnosis.METASTASES)
        screen.next_case()
    target = tmp_path / "marks.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    w.export_results("rjafroc")  # no annotations yet: said, nothing written
    assert "Open annotations" in told[-1] and not target.exists()
    assert w.add_annotation_files([apart])
    w.export_results("rjafroc")
    assert target.exists() and "marks.readers.csv" in told[-1]
    book = openpyxl.load_workbook(target)
    assert sorted(s.upper() for s in book.sheetnames) == ["FP", "TP", "TRUTH"]
    truth_cases = {row[0] for row in book["TRUTH"].iter_rows(min_row=2, values_only=True)}
    assert len(truth_cases) == len(keys)  # exactly the answered cases


def test_cohort_results_score_marks_against_the_annotations_in_use(
    window: MainWindow, demo_copy, monkeypatch
) -> None:
    from bonescan_tutor.gui.instructor.cohort_dialog import CohortDialog

    seen = []
    monkeypatch.setattr(CohortDialog, "exec", lambda d: seen.append(d.annotations) or 0)
    window.cohort_results()
    assert seen == [None]  # the demo copy has none beside it
    assert window.add_annotation_files([demo_copy[1]])
    window.cohort_results()
    assert seen[1] is window.annotations and seen[1] is not None


def test_annotations_beside_a_changed_dataset_are_used_with_a_warning(
    qtbot, settings, store, demo_copy
) -> None:
    from bonescan_tutor.core.annotations import AnnotationSet
    from bonescan_tutor.storage.annotations import read_annotations, write_annotations

    data, apart = demo_copy
    ann = read_annotations(apart)
    write_annotations(data / "annotations.bstann",
                      AnnotationSet(ann.dataset_name, "0123456789abcdef", ann.cases))
    w = main_window(qtbot, settings, store, data)
    assert w.annotations is not None and w.annotations.cases == ann.cases
    said = w.statusBar().currentMessage()
    assert "made on dataset version 0123456789abcdef" in said and "check the marks" in said
