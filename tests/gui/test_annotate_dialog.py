"""Instructor > Annotate cases driven with the mouse and keys: click, drag, kind, note,
undo, save, and a reload that reads back what was drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.instructor.annotate_dialog import AnnotateDialog
from bonescan_tutor.gui.instructor.annotate_model import DEFAULT_RADIUS
from bonescan_tutor.storage.annotations import annotations_beside, read_annotations
from tests.builders import Spec, build

A = Projection.ANTERIOR


@pytest.fixture(autouse=True)
def no_close_prompt(monkeypatch):
    """Closing with unsaved edits asks; the tests answer Discard (and count the asks)."""
    asked: list[str] = []

    def question(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


@pytest.fixture
def dataset(tmp_path: Path):
    return open_dataset(build(tmp_path / "data", Spec(n_met=2, n_normal=1)))[0]


def open_dialog(qtbot, settings, dataset) -> AnnotateDialog:
    dialog = AnnotateDialog(settings, ImageCache(), dataset)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    qtbot.waitExposed(dialog)
    view = dialog.scans.views[A]
    qtbot.waitUntil(view.image.isVisible)
    dialog.scans.fit()
    return dialog


def screen_pos(dialog: AnnotateDialog, x: float, y: float) -> QPoint:
    """Where image pixel (x, y) of the anterior view is in the scans' viewport."""
    box = dialog.scans.views[A].box
    scene = box.mapViewToScene(QPointF(x, y))
    return dialog.scans.mapFromScene(scene)


def click(dialog, qtbot, x: float, y: float) -> None:
    QTest.mouseClick(dialog.scans.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, screen_pos(dialog, x, y))
    qtbot.wait(5)


def test_click_drag_kind_note_undo_save_and_reload(qtbot, settings, dataset) -> None:
    dialog = open_dialog(qtbot, settings, dataset)
    editor = dialog.editor
    met = next(i for i, c in enumerate(dataset.cases) if c.diagnosis.is_positive)
    dialog.cases.setCurrentRow(met)
    key = dataset.cases[met].key
    h, w = dialog.scans.views[A].shape
    cx, cy = w / 2, h / 3

    click(dialog, qtbot, cx, cy)
    (mark,) = editor.current().lesions
    assert mark.radius == DEFAULT_RADIUS
    assert abs(mark.x - cx) < 3 and abs(mark.y - cy) < 3
    assert dialog.overlay.layers[A].tips() == ["Lesion 1 (anterior)"]

    # a drag from a free spot places a mark sized by how far it went
    viewport = dialog.scans.viewport()
    start, end = screen_pos(dialog, cx, cy + 60), screen_pos(dialog, cx + 20, cy + 60)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 11):
        QTest.mouseMove(viewport, start + (end - start) * step / 10)
        qtbot.wait(2)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    qtbot.wait(5)
    assert len(editor.current().lesions) == 2
    dragged = editor.current().lesions[1]
    assert 15 < dragged.radius < 25 and abs(dragged.y - (cy + 60)) < 3

    # the selected (dragged) mark becomes a fracture, with a note typed and Enter
    dialog.kind.setCurrentText("fracture")
    assert len(editor.current().lesions) == 1 and editor.current().findings[0].kind == "fracture"
    qtbot.keyClicks(dialog.note, "rib fracture, healing")
    QTest.keyClick(dialog.note, Qt.Key.Key_Return)
    assert editor.current().findings[0].note == "rib fracture, healing"
    qtbot.keyClicks(dialog.teaching, "Fractures line up; metastases do not.")
    QTest.keyClick(dialog.teaching, Qt.Key.Key_Return)

    # a click on the first mark selects it instead of placing another
    click(dialog, qtbot, cx + 2, cy)
    assert editor.selected_mark() == editor.current().lesions[0]
    assert len(editor.current().lesions) == 1
    assert dialog.kind.currentText() == "lesion"

    before_undo = editor.current()
    click(dialog, qtbot, cx, cy + 150)  # a third mark ...
    assert len(editor.current().lesions) == 2
    QTest.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # ... undone
    assert editor.current() == before_undo

    QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    path = annotations_beside(dataset.root)
    assert path is not None and "Saved 1 annotated case" in dialog.status.text()
    saved = read_annotations(path)
    assert saved.cases[key] == before_undo
    assert saved.cases[key].teaching_point == "Fractures line up; metastases do not."
    assert dialog.cases.item(met).text().endswith(": 1 L, 1 F")

    dialog.close()
    again = open_dialog(qtbot, settings, dataset)
    assert again.editor.annotation_set() == saved
    again.cases.setCurrentRow(met)
    assert sorted(again.overlay.layers[A].tips()) == sorted(
        ["Lesion 1 (anterior)", "Finding 1: fracture, benign (anterior)\nrib fracture, healing"])


def test_a_lesion_cannot_be_placed_on_a_normal_case(qtbot, settings, dataset) -> None:
    dialog = open_dialog(qtbot, settings, dataset)
    normal = next(i for i, c in enumerate(dataset.cases) if not c.diagnosis.is_positive)
    dialog.cases.setCurrentRow(normal)
    h, w = dialog.scans.views[A].shape
    click(dialog, qtbot, w / 2, h / 3)
    assert dialog.editor.current().lesions == ()
    assert "without metastases" in dialog.status.text()
