"""Lesion-level feedback on screen: the end screen's figures (when the quiz's cases are
annotated) and the practice feedback's list of the expert's marks on a 1366 x 768 screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.localization import ReadCase
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.gui.viewer.annotation_feedback import quiz_localization

A = Projection.ANTERIOR
LESION = Mark(A, 50.0, 100.0, 10.0, "spine")


def test_quiz_figures_only_when_a_quiz_case_is_annotated() -> None:
    ann = AnnotationSet("d", "fp", {"1": CaseAnnotations((LESION,))})
    reads = [ReadCase("1", True, 70.0, ((A, 52.0, 100.0),)), ReadCase("2", True, 70.0, ()),
             ReadCase("3", False, 30.0, ((A, 5.0, 5.0),))]
    assert quiz_localization(None, ["1", "2", "3"], reads) is None
    assert quiz_localization(ann, ["2", "3"], reads[1:]) is None  # none of its cases
    loc = quiz_localization(ann, ["1", "2", "3"], reads)
    assert loc is not None and (loc.lesions_hit, loc.lesions, loc.nl_marks) == (1, 1, 1)
    assert loc.unannotated == ("2",) and loc.wafroc == 1.0  # 70 beats the normal's 30
    # an annotated case never answered (time ran out): figures over nothing, still shown
    empty = quiz_localization(ann, ["1"], [])
    assert empty is not None and empty.cases == 0


@pytest.fixture
def window(qtbot, settings, store, tmp_path: Path):
    from tests.builders import Spec, build
    from tests.gui.windows import main_window

    return main_window(qtbot, settings, store,
                       build(tmp_path / "data", Spec(n_met=2, n_normal=2, first_number=801)))


def _answer_all(w, mode: QuizMode) -> None:
    """Every case answered 'metastases' at 70 % with one mark on lesion 1's spot."""
    keys = tuple(c.key for c in w.dataset.quiz_cases)
    w.start_quiz(QuizSpec.create("Lesions", keys, mode, seed=5))
    screen = w.quiz_screen
    for _ in keys:
        assert not screen.answer_block.isHidden()  # back for each case to answer
        screen._clicked(A, 55.0, 101.0)
        w.quiz.set_certainty(70)
        screen.answer(Diagnosis.METASTASES)
        screen.next_case()
    if mode is QuizMode.EXAM:
        w.quiz.submit()


@pytest.mark.parametrize("mode", [QuizMode.PRACTICE, QuizMode.EXAM])
def test_the_end_screen_shows_llf_nlf_wafroc_and_the_cases_left_out(window, mode) -> None:
    w = window
    first, second = (c.key for c in w.dataset.quiz_cases if c.diagnosis.is_positive)
    w.quiz_screen.set_annotations(AnnotationSet(w.dataset.name, w.dataset.fingerprint, {
        first: CaseAnnotations((LESION,))}))
    _answer_all(w, mode)
    end = w.quiz_screen.end
    assert w.quiz_screen.pages.currentIndex() == 1 and not end.localization.isHidden()
    text = end.localization.text()
    # scored: the annotated metastatic case and the two normal cases (each with a false
    # mark); every mark rated 70, so the lesion ties with both normals' marks: wAFROC =
    # (0.5 + 0.5) / (2 normal x 1 metastatic) = 0.5
    assert "Lesions found (LLF): 1 of 1 = 100 %" in text
    assert "false marks per case (NLF): 0.67" in text
    assert "wAFROC figure of merit: 0.50" in text
    assert text.endswith("Left out for lacking annotated lesions (still counted in the "
                         f"score above): metastatic case(s) {second}.")


def test_without_annotations_the_end_screen_says_nothing_of_lesions(window) -> None:
    _answer_all(window, QuizMode.PRACTICE)
    end = window.quiz_screen.end
    assert window.quiz_screen.pages.currentIndex() == 1
    assert end.localization.isHidden() and end.figures is None


def test_practice_feedback_gives_the_expert_list_room_on_a_768_pixel_screen(window) -> None:
    w = window
    w.resize(1366, 768)
    w.show()
    first = next(c.key for c in w.dataset.quiz_cases if c.diagnosis.is_positive)
    many = tuple(Mark(A, 40.0 + 5 * i, 100.0 + 60 * i, 8.0, "ribs", "a focal spot")
                 for i in range(12))
    w.quiz_screen.set_annotations(AnnotationSet(w.dataset.name, w.dataset.fingerprint, {
        first: CaseAnnotations(many, teaching_point="Count the ribs one by one.")}))
    w.start_quiz(QuizSpec.create("Ribs", (first,), QuizMode.PRACTICE, seed=5))
    screen = w.quiz_screen
    assert not screen.answer_block.isHidden()
    screen._clicked(A, 40.0, 100.0)
    w.quiz.set_certainty(80)
    screen.answer(Diagnosis.METASTASES)
    panel = screen.lesion_panel
    assert panel.isVisible() and panel.list.count() == 13  # 12 lesions and the mark
    # the answer controls, disabled now and repeated in the feedback, make way for the list
    assert screen.answer_block.isHidden()
    # all twelve lesions and the mark in view at once, no scrolling (before, at 768 px,
    # the list had room for a few rows)
    assert panel.list.viewport().height() >= panel.list.count() * panel.list.sizeHintForRow(0)
    assert screen.feedback.isVisible() and screen.next_button.isVisible()
