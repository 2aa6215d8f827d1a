"""The annotation editor's rules with a fake view: place, size, kind, note, undo, save."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bonescan_tutor.core.annotations import CaseAnnotations, Mark
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.instructor.annotate_model import (
    DEFAULT_RADIUS,
    AnnotationEditor,
    Change,
    Selection,
)
from bonescan_tutor.storage.annotations import annotations_beside, read_annotations
from tests.builders import Spec, build

A, P = Projection.ANTERIOR, Projection.POSTERIOR


class FakeView:
    def __init__(self) -> None:
        self.case = None
        self.marks: CaseAnnotations | None = None
        self.selected: Selection | None = None
        self.status = ""

    def show_case(self, case, annotations) -> None:
        self.case = case

    def show_marks(self, annotations, selected) -> None:
        self.marks, self.selected = annotations, selected

    def show_status(self, text: str) -> None:
        self.status = text


class Undo:
    """A plain undo stack, as the widget's QUndoStack drives the editor."""

    def __init__(self) -> None:
        self.done: list[Change] = []
        self.editor: AnnotationEditor | None = None

    def push(self, change: Change) -> None:
        self.done.append(change)
        self.editor.apply(change)

    def undo(self) -> None:
        self.editor.apply(self.done.pop(), undo=True)


@pytest.fixture
def dataset(tmp_path: Path):
    return open_dataset(build(tmp_path / "data", Spec(n_met=2, n_normal=2)))[0]


def editor_for(dataset) -> tuple[AnnotationEditor, FakeView, Undo]:
    view, undo = FakeView(), Undo()
    editor = AnnotationEditor(view, dataset, undo.push)
    undo.editor = editor
    return editor, view, undo


def keys(dataset):
    met = next(c.key for c in dataset.cases if c.diagnosis.is_positive)
    normal = next(c.key for c in dataset.cases if not c.diagnosis.is_positive)
    return met, normal


def test_place_size_kind_note_and_undo(dataset) -> None:
    editor, view, undo = editor_for(dataset)
    met, _ = keys(dataset)
    editor.open_case(met)
    editor.place(A, 50.4, 100.0)
    assert view.marks.lesions == (Mark(A, 50.4, 100.0, DEFAULT_RADIUS),)
    assert view.selected == Selection("lesions", 0)
    editor.resize(14.0)
    editor.set_note("hot vertebra")
    editor.set_region("spine")
    assert editor.current().lesions == (Mark(A, 50.4, 100.0, 14.0, "spine", "hot vertebra"),)
    editor.set_kind("fracture")  # the selected mark moves to the findings
    assert editor.current().lesions == ()
    assert editor.current().findings[0].kind == "fracture"
    assert editor.current().findings[0].note == "hot vertebra"
    editor.set_teaching_point("  Ribs in a row: fracture.  ")
    assert editor.current().teaching_point == "Ribs in a row: fracture."
    assert [c.text for c in undo.done] == ["Place lesion", "Resize", "Note", "Region", "Kind",
                                          "Teaching point"]
    for _ in range(5):
        undo.undo()
    assert editor.current().lesions == (Mark(A, 50.4, 100.0, DEFAULT_RADIUS),)
    undo.undo()
    assert editor.current() == CaseAnnotations() and not editor.dirty


def test_a_click_on_a_mark_finds_it_and_delete_removes_it(dataset) -> None:
    editor, _view, _undo = editor_for(dataset)
    met, _ = keys(dataset)
    editor.open_case(met)
    editor.place(A, 50, 100, 20)
    editor.place(A, 55, 100, 5)
    assert editor.hit(A, 56, 101) == Selection("lesions", 1)  # the smaller one on top
    assert editor.hit(A, 40, 100) == Selection("lesions", 0)
    assert editor.hit(P, 50, 100) is None
    editor.set_kind("fracture")  # the selected small lesion becomes a fracture ...
    editor.select(Selection("lesions", 0))
    assert editor.kind == "lesion"  # ... but selecting a lesion makes the next mark one
    editor.delete_selected()
    assert editor.current().lesions == ()
    assert editor.current().findings == (Mark(A, 55, 100, 5, kind="fracture"),)


def test_a_normal_case_takes_findings_only(dataset) -> None:
    editor, view, _undo = editor_for(dataset)
    _, normal = keys(dataset)
    editor.open_case(normal)
    editor.place(A, 50, 100)
    assert editor.current().lesions == () and "without metastases" in view.status
    editor.set_kind("degenerative joint")
    editor.place(A, 50, 100)
    assert editor.current().findings[0].kind == "degenerative joint"


def test_save_writes_the_file_beside_the_dataset_and_a_reload_reads_the_same(dataset) -> None:
    editor, _view, _undo = editor_for(dataset)
    met, normal = keys(dataset)
    editor.open_case(met)
    editor.place(A, 50, 100, 12)
    editor.set_note("spine")
    editor.set_teaching_point("Count the vertebrae.")
    editor.open_case(normal)
    editor.set_kind("bladder")
    editor.place(P, 60, 200, 30)
    assert editor.dirty
    path = editor.save()
    assert path == annotations_beside(dataset.root) and not editor.dirty
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o666 & ~_umask())
    saved = read_annotations(path)
    assert saved.dataset_fingerprint == dataset.fingerprint
    assert dict(saved.cases) == {met: editor.cases[met], normal: editor.cases[normal]}
    again, _, _ = editor_for(dataset)
    assert again.annotation_set() == saved


def test_a_mark_outside_the_image_is_not_saved(dataset) -> None:
    editor, view, _undo = editor_for(dataset)
    met, _ = keys(dataset)
    editor.open_case(met)
    editor.place(A, 5000, 100)
    with pytest.raises(BonescanError, match="outside the image"):
        editor.save()
    assert "Not saved" in view.status and annotations_beside(dataset.root) is None


def test_a_broken_file_is_named_and_kept_until_saved_over(dataset) -> None:
    path = Path(dataset.root) / "annotations.bstann"
    path.write_text("not json", encoding="utf-8")
    editor, view, _ = editor_for(dataset)
    assert "annotations.bstann" in view.status and editor.cases == {}
    assert path.read_text(encoding="utf-8") == "not json"


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old
