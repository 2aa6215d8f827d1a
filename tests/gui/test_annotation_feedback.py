"""The expert's marks beside the trainee's: labels (no Qt), and the quiz feedback and exam
review drawing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.viewer.annotation_feedback import (
    FALSE_MARK,
    HIT,
    UNSCORED,
    case_feedback,
    load_annotations,
)
from bonescan_tutor.storage.annotations import write_annotations
from tests.gui.windows import main_window, quiz_keys

A, P = Projection.ANTERIOR, Projection.POSTERIOR
LESION = Mark(A, 50.0, 100.0, 10.0, "spine", "a hot vertebra")
OTHER = Mark(P, 40.0, 300.0, 6.0, "rib")
KNEE = Mark(A, 30.0, 400.0, 8.0, "knee", "arthritis, both knees", kind="degenerative joint")
CASE = CaseAnnotations((LESION, OTHER), (KNEE,), "Look at the spine first.")


def test_marks_are_labelled_by_the_scoring_hit_rule() -> None:
    marks = [(A, 64.0, 100.0),  # radius 10 + 5 px reach: a hit
             (A, 66.0, 100.0),  # 16 px away: outside the reach, a false mark
             (A, 52.0, 100.0),  # a second mark on lesion 1 counts once: a false mark
             (P, 50.0, 100.0),  # the other view: no lesion there
             (A, 31.0, 401.0)]  # on the benign knee
    fb = case_feedback("7", True, marks, CASE)
    assert [m.label for m in fb.marks] == [HIT, FALSE_MARK, FALSE_MARK, FALSE_MARK, FALSE_MARK]
    assert fb.marks[0].text == "hit (lesion 1)"
    assert fb.marks[4].text == "false mark (on a degenerative joint)"
    assert [les.label for les in fb.lesions] == ["found", "miss"]
    assert fb.summary == "1 of 2 lesion(s) found, 4 false mark(s)"
    lines = [text for _, text in fb.entries()]
    assert lines[0] == "Lesion 1 (spine, anterior): found — a hot vertebra"
    assert lines[2] == "Finding 1: degenerative joint (knee, anterior), benign — arthritis, both knees"
    assert fb.teaching_point == "Look at the spine first."


def test_a_normal_case_has_no_lesion_to_hit() -> None:
    fb = case_feedback("7", False, [(A, 50.0, 100.0)], CASE)
    assert fb.lesions == () and [m.label for m in fb.marks] == [FALSE_MARK]
    assert fb.findings == (KNEE,)


def test_a_metastatic_case_without_lesions_is_not_scored() -> None:
    fb = case_feedback("7", True, [(A, 50.0, 100.0)], CaseAnnotations((), (KNEE,), ""))
    assert [m.label for m in fb.marks] == [UNSCORED]


def test_the_loader_finds_the_file_beside_the_dataset_and_names_a_broken_one(
        tmp_path: Path) -> None:
    assert load_annotations(tmp_path) == (None, "")
    ann = AnnotationSet("d", "f", {"7": CASE})
    write_annotations(tmp_path / "annotations.bstann", ann)
    assert load_annotations(tmp_path) == (ann, "")
    got, message = load_annotations(tmp_path, "f")  # the version it was made on
    assert (got, message) == (ann, "")
    got, message = load_annotations(tmp_path, "newer")  # another version: used, and named
    assert got == ann and message.startswith(f"{tmp_path / 'annotations.bstann'}: made on "
                                             "dataset version f, the open dataset is "
                                             "version newer")
    (tmp_path / "annotations.bstann").write_text("{}", encoding="utf-8")
    got, message = load_annotations(tmp_path)
    assert got is None and "annotations.bstann" in message


# --- on screen --------------------------------------------------------------------------

@pytest.fixture
def dataset_path(tmp_path: Path) -> Path:
    from tests.builders import Spec, build

    return build(tmp_path / "data", Spec(n_met=2, n_normal=2, first_number=801))


def _annotate(dataset) -> AnnotationSet:
    cases = {}
    for c in dataset.quiz_cases:
        lesions = (LESION,) if c.diagnosis.is_positive else ()
        cases[c.key] = CaseAnnotations(lesions, (KNEE,), f"Point of {c.key}")
    return AnnotationSet(dataset.name, dataset.fingerprint, cases)


def test_practice_feedback_and_the_end_review_draw_the_expert_marks(
        qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    screen = w.quiz_screen
    screen.set_annotations(_annotate(w.dataset))
    keys = quiz_keys(w)
    w.start_quiz(QuizSpec.create("Lesions", keys, QuizMode.PRACTICE, seed=5))
    layer = screen.overlay.layers[A]
    seen_positive = False
    for _ in keys:
        case = screen.case
        assert not layer.targets.isVisible() and not screen.lesion_panel.isVisible()
        screen._clicked(A, 55.0, 101.0)
        w.quiz.set_certainty(70)
        screen.answer(Diagnosis.METASTASES)
        if case.diagnosis.is_positive:
            seen_positive = True
            assert layer.label_texts() == ["hit (lesion 1)"]
            assert layer.tips()[0] == "Lesion 1: found (spine, anterior)\na hot vertebra"
        else:
            assert layer.label_texts() == ["false mark"]
        assert any("Finding 1: degenerative joint" in t for t in layer.tips())
        assert screen.lesion_panel.isVisible()
        assert screen.lesion_panel.teaching.text() == f"Teaching point: Point of {case.key}"
        assert screen.lesion_panel.list.count() >= 2
        screen.next_case()
    assert seen_positive
    end = screen.end
    assert screen.pages.currentIndex() == 1 and end.lesion_panel.isVisible()
    for row, f in enumerate(end.end.feedback):
        end.cases.setCurrentRow(row)
        expected = "hit (lesion 1)" if f.truth.is_positive else "false mark"
        assert end.overlay.layers[A].label_texts() == [expected]


def test_without_annotations_feedback_draws_no_expert_marks(
        qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Plain", quiz_keys(w)[:1], QuizMode.PRACTICE, seed=5))
    w.quiz_screen._clicked(A, 55.0, 101.0)
    w.quiz.set_certainty(70)
    w.quiz_screen.answer(Diagnosis.METASTASES)
    assert w.quiz_screen.overlay.layers[A].label_texts() == []
    assert not w.quiz_screen.lesion_panel.isVisible()
    assert "the blue crosses" in w.quiz_screen.feedback.text()


def test_the_window_reads_the_annotations_beside_the_dataset(
        qtbot, settings, store, dataset_path) -> None:
    dataset, report = open_dataset(dataset_path)
    ann = _annotate(dataset)
    write_annotations(dataset_path / "annotations.bstann", ann)
    w = main_window(qtbot, settings, store)
    w.set_dataset(dataset, report)
    qtbot.waitUntil(lambda: w.annotations is not None)  # they follow the first case drawn
    assert w.annotations == ann and w.quiz_screen.annotations == ann
    assert w.actions["annotate"].text() == "&Annotate cases…"
