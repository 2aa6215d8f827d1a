"""Quizzes as a resident takes them: keyboard only, exams, resuming, and label hiding."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QTableWidget,
    QWidget,
)

from bonescan_tutor.core import review
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.core.quiz_session import SessionState
from bonescan_tutor.gui.main_window import MainWindow
from bonescan_tutor.storage.progress import ProgressStore
from tests.builders import Spec, build
from tests.gui.windows import main_window, press, quiz_keys

FIRST = 701  # distinctive patient numbers, so a leaked key is found by plain search


@pytest.fixture
def dataset_path(tmp_path: Path) -> Path:
    return build(tmp_path / "data", Spec(n_met=3, n_normal=4, first_number=FIRST))


def test_a_practice_quiz_can_be_done_with_the_keyboard_alone(qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Keys", quiz_keys(w), QuizMode.PRACTICE, seed=3))
    quiz = w.quiz
    assert w.on_quiz_page and not w.library.isEnabled()
    for i in range(quiz.session.total):
        press(qtbot, w, Qt.Key.Key_8, Qt.KeyboardModifier.AltModifier)
        assert quiz.certainty == 80
        press(qtbot, w, Qt.Key.Key_BracketRight)
        assert quiz.certainty == 90
        press(qtbot, w, Qt.Key.Key_P if i % 2 else Qt.Key.Key_N)
        assert quiz.session.state is SessionState.FEEDBACK
        assert "Physician's label" in w.quiz_screen.feedback.text()
        press(qtbot, w, Qt.Key.Key_Return)
    assert quiz.session.state is SessionState.FINISHED
    assert w.quiz_screen.pages.currentIndex() == 1  # the end screen
    saved = store.attempts(session_id=quiz.session_id)
    assert len(saved) == 7 and all(a.label_shown and a.answer.certainty == 90 for a in saved)
    assert store.session(quiz.session_id).finished is not None
    assert "of 7 correct" in w.quiz_screen.end.headline.text()
    # Only the missed cases enter spaced review (the certainty was 90 %, so no right
    # answer was unsure), each due a day later, not within the session.
    missed = {a.answer.case_key for a in saved if a.answer.decision is not a.truth}
    assert 0 < len(missed) < 7
    cards = store.review_cards(quiz.trainee)
    assert set(cards) == missed
    answered = {a.answer.case_key: a.answer.answered_at for a in saved}
    for case_key, card in cards.items():
        wait = review.due_at(card).timestamp() - answered[case_key]
        assert 12 * 3600 <= wait <= 3 * 86400


def test_an_answer_needs_a_certainty_first(qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Certainty", quiz_keys(w)[:3], QuizMode.PRACTICE))
    w.quiz_screen.answer(Diagnosis.METASTASES)
    assert w.quiz.session.state is SessionState.SHOWING
    assert "certain" in w.quiz_screen.message.text()
    assert store.attempts(session_id=w.quiz.session_id) == []


def test_an_exam_hides_labels_until_submitted_and_then_locks(qtbot, settings, store, dataset_path,
                                                          monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Exam", quiz_keys(w)[:4], QuizMode.EXAM, seed=5))
    quiz, screen = w.quiz, w.quiz_screen
    for _ in range(4):
        quiz.set_certainty(70)
        screen.answer(Diagnosis.NO_METASTASES)
        assert screen.feedback.text() == ""  # no feedback in an exam
        if quiz.session.position < 4:
            screen.next_case()
    screen.go(-1)
    assert quiz.session.position == 3
    quiz.set_certainty(100)
    screen.answer(Diagnosis.METASTASES)  # a changed answer replaces the old one
    saved = store.attempts(session_id=quiz.session_id)
    assert len(saved) == 4 and not any(a.label_shown for a in saved)
    assert [a.answer.certainty for a in saved if a.answer.position == 3] == [100]
    screen.submit()
    assert quiz.session.state is SessionState.SUBMITTED
    assert all(a.label_shown for a in store.attempts(session_id=quiz.session_id))
    assert screen.pages.currentIndex() == 1
    screen.answer(Diagnosis.NO_METASTASES)  # locked: nothing changes
    assert [a.answer.certainty for a in store.attempts(session_id=quiz.session_id)
            if a.answer.position == 3] == [100]


def test_closing_mid_quiz_loses_nothing_and_the_next_start_resumes(qtbot, settings, tmp_path,
                                                                 dataset_path, monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    path = tmp_path / "p.sqlite3"
    first = ProgressStore.open(path)
    w = main_window(qtbot, settings, first, dataset_path)
    w.start_quiz(QuizSpec.create("Resume me", quiz_keys(w)[:5], QuizMode.PRACTICE, seed=9))
    order = w.quiz.session.order
    for _ in range(2):
        w.quiz.set_certainty(60)
        w.quiz_screen.answer(Diagnosis.METASTASES)
        w.quiz_screen.next_case()
    w.close()
    first.close()

    again = ProgressStore.open(path)
    w2 = main_window(qtbot, settings, again, dataset_path)
    w2.offer_resume()
    assert w2.on_quiz_page
    s = w2.quiz.session
    assert s.position == 3 and s.order == order
    assert [a.case_key for a in s.attempts] == list(order[:2])
    assert w2.quiz_screen.alias.text() == "Case 3 of 5"
    w2.close()  # saves the time used, so before the file is closed
    again.close()


def _visible_texts(root: QWidget) -> list[str]:
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        texts += [widget.toolTip(), widget.accessibleName(), widget.statusTip(), widget.whatsThis()]
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            texts.append(widget.text())
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QListWidget):
            texts += [widget.item(i).text() for i in range(widget.count())]
        if isinstance(widget, QTableWidget):
            texts += [widget.item(r, c).text() for r in range(widget.rowCount())
                      for c in range(widget.columnCount()) if widget.item(r, c)]
    return texts


def _scene_texts(w: MainWindow) -> list[str]:
    out = []
    for view in w.quiz_screen.viewer.scans.views.values():
        for item in view.box.addedItems:
            if hasattr(item, "toPlainText"):
                out.append(item.toPlainText())
    return out


def test_nothing_on_screen_or_in_the_log_reveals_a_hidden_case(qtbot, settings, store, dataset_path,
                                                             caplog) -> None:
    caplog.set_level(logging.DEBUG)
    w = main_window(qtbot, settings, store, dataset_path)
    # One damaged image: its error must not name the file (whose folder holds the label).
    png = next(dataset_path.rglob(f"P{FIRST + 1}.png"))
    data = png.read_bytes()
    png.write_bytes(data[:60] + b"\xff" * (len(data) - 72) + data[-12:])
    keys = quiz_keys(w)
    w.start_quiz(QuizSpec.create("Leak check", keys, QuizMode.EXAM, seed=11))
    quiz = w.quiz
    forbidden = [re.compile(rf"(?<!\d){k}(?!\d)") for k in keys]
    forbidden += [re.compile(p, re.I) for p in (r"bone metastases", r"no bone metastases",
                                                 r"[AP]\d{3}\.png", r"anterior/", r"posterior/")]
    for position in range(1, quiz.session.total + 1):
        if position > 1:
            w.quiz_screen.go(1)
        assert quiz.session.position == position
        quiz.set_certainty(80)
        w.quiz_screen.answer(Diagnosis.METASTASES)
        qtbot.wait(5)
        seen = [*_visible_texts(w), *_scene_texts(w), w.statusBar().currentMessage(),
                *(r.getMessage() for r in caplog.records)]
        for text in seen:
            for pattern in forbidden:
                assert not pattern.search(text or ""), f"{pattern.pattern!r} leaked in {text!r}"
    assert w.library.isEnabled() is False and w.pages.currentWidget() is not w.study_page
    orders = {QuizSpec.create("x", keys, QuizMode.EXAM, seed=11).case_keys}
    assert quiz.session.order != keys and quiz.session.order not in orders


def test_each_trainee_gets_their_own_order(qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    spec = QuizSpec.create("Orders", quiz_keys(w), QuizMode.PRACTICE, seed=21)
    orders = []
    for name in ("Ana", "Ben", "Carla"):
        w._trainee_name = name
        w.start_quiz(spec)
        orders.append(w.quiz.session.order)
        w.leave_quiz()
    assert len(set(orders)) == 3 and all(o != spec.case_keys for o in orders)


def test_a_quiz_offers_only_the_tools_its_spec_allows(qtbot, settings, store, dataset_path) -> None:
    from bonescan_tutor.core.cases import Projection
    from bonescan_tutor.core.overlays import HOTSPOTS, MIDLINE
    from bonescan_tutor.core.quiz import Tool

    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Plain reading", quiz_keys(w)[:2], QuizMode.PRACTICE,
                                 tools_allowed=frozenset({Tool.INVERT})))
    viewer = w.quiz_screen.viewer
    controls = viewer.controls
    before = dict(viewer.presenter.state.windows)
    viewer.scans.windowDragged.emit(Projection.ANTERIOR, 40.0, -20.0)  # a drag: not allowed
    assert viewer.presenter.state.windows == before
    assert not controls.overlay_checks[HOTSPOTS].isEnabled()
    assert not controls.range.isEnabled() and controls.invert.isEnabled()
    press(qtbot, w, Qt.Key.Key_M)  # the midline key: not allowed either
    assert MIDLINE not in viewer.presenter.state.overlays
    controls.invert.click()  # allowed, and recorded with the answer
    assert viewer.presenter.state.invert is False
    w.quiz.set_certainty(60)
    attempt = w.quiz.answer(Diagnosis.METASTASES)
    assert attempt.tools_used == frozenset({Tool.INVERT})
    w.leave_quiz()
    assert w.viewer.controls.range.isEnabled()  # the library's viewer keeps every tool


def _checked_certainty(w: MainWindow) -> int:
    return w.quiz_screen.certainty_group.checkedId()


def test_each_case_starts_without_the_last_certainty(qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Reset", quiz_keys(w)[:3], QuizMode.PRACTICE, seed=2))
    quiz, screen = w.quiz, w.quiz_screen
    press(qtbot, w, Qt.Key.Key_7, Qt.KeyboardModifier.AltModifier)
    assert _checked_certainty(w) == 70
    press(qtbot, w, Qt.Key.Key_P)
    press(qtbot, w, Qt.Key.Key_Return)
    assert quiz.session.position == 2 and quiz.certainty is None
    assert _checked_certainty(w) == -1  # no button shows a certainty that is not set
    press(qtbot, w, Qt.Key.Key_P)
    assert quiz.session.state is SessionState.SHOWING
    assert "certain" in screen.message.text()


def test_an_unanswered_exam_case_does_not_show_another_cases_answer(
        qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Exam", quiz_keys(w)[:3], QuizMode.EXAM, seed=5))
    quiz, screen = w.quiz, w.quiz_screen
    quiz.set_certainty(70)
    screen.answer(Diagnosis.NO_METASTASES)
    assert screen.message.text().startswith("Your answer so far: No metastases at 70 %")
    screen.next_case()
    assert quiz.session.position == 2
    assert "Your answer so far" not in screen.message.text()
    assert _checked_certainty(w) == -1
    screen.go(-1)  # back to the answered case: its own answer and certainty
    assert screen.message.text().startswith("Your answer so far: No metastases at 70 %")
    assert _checked_certainty(w) == 70


def test_a_quick_quiz_that_cannot_meet_its_mix_says_so_before_it_starts(
        qtbot, settings, store, dataset_path, monkeypatch) -> None:
    from bonescan_tutor.gui.dialogs.quick_quiz import QuickQuizDialog

    w = main_window(qtbot, settings, store, dataset_path)
    positives = tuple(c.key for c in w.dataset.quiz_cases if c.diagnosis is Diagnosis.METASTASES)
    w.start_quiz(QuizSpec.create("Positives", positives, QuizMode.PRACTICE, seed=1))
    for _ in positives:  # every case with metastases has now been read
        w.quiz.set_certainty(90)
        w.quiz_screen.answer(Diagnosis.METASTASES)
        w.quiz_screen.next_case()
    w.quiz_screen.end.closed.emit()
    assert w.quiz is None

    def accept_four(dialog: QuickQuizDialog) -> int:
        dialog.cases.setValue(4)  # natural mix (3 of 7): 2 with metastases wanted
        assert dialog.new_only.isChecked() and not dialog.prevalence.currentData()
        return QuickQuizDialog.DialogCode.Accepted

    warned: list[str] = []
    monkeypatch.setattr(QuickQuizDialog, "exec", accept_four)
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text, *a: warned.append(text)))
    w.quick_quiz()
    assert w.quiz is None  # nothing started
    assert len(warned) == 1 and "natural mix (43 % with metastases)" in warned[0]
    assert "0 with metastases and 4 without are left" in warned[0]


def test_the_window_title_names_the_app_once(qtbot, settings, store, dataset_path) -> None:
    # Qt adds the application's display name (" — bonescan-tutor") to every title itself.
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Week 3", quiz_keys(w)[:2], QuizMode.PRACTICE))
    assert w.windowTitle() == "Quiz: Week 3"


def test_quit_is_last_in_the_file_menu(qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    texts = [a.text().replace("&", "") for a in w.menuBar().actions()[0].menu().actions()
             if not a.isSeparator()]
    assert texts[-1] == "Quit"
    assert texts.index("Switch trainee…") < texts.index("Recent datasets") < texts.index("Quit")


@pytest.mark.parametrize("theme_name", ["light", "dark"])
def test_paused_answer_buttons_look_disabled(qtbot, settings, store, dataset_path,
                                             theme_name) -> None:
    import numpy as np
    from PySide6.QtGui import QImage

    from bonescan_tutor.gui import theme

    def pixels(widget: QWidget) -> np.ndarray:
        image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
        rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(),
                                                                   image.bytesPerLine())
        return rows[:, : image.width() * 3].astype(np.int16)

    settings.setValue("ui/theme", theme_name)
    w = main_window(qtbot, settings, store, dataset_path)
    try:
        w.start_quiz(QuizSpec.create("Pause", quiz_keys(w)[:2], QuizMode.PRACTICE))
        button = w.quiz_screen.answer_buttons[Diagnosis.METASTASES]
        active = pixels(button)
        w.quiz_screen.toggle_pause()
        assert not button.isEnabled()
        paused = pixels(button)
        assert active.shape == paused.shape
        assert float(np.abs(active - paused).mean()) > 8  # greyed out, visibly
    finally:
        theme.apply("dark")


def test_the_end_screen_shows_the_hot_spots_only(qtbot, settings, store, dataset_path) -> None:
    from bonescan_tutor.core.overlays import HOTSPOTS

    settings.setValue("viewer/overlays", "asymmetry,midline")  # the trainee's reading choices
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("End", quiz_keys(w)[:2], QuizMode.PRACTICE, seed=4))
    for _ in range(2):
        w.quiz.set_certainty(60)
        w.quiz_screen.answer(Diagnosis.NO_METASTASES)
        w.quiz_screen.next_case()
    assert w.quiz_screen.pages.currentIndex() == 1
    assert w.quiz_screen.end.viewer.presenter.state.overlays == frozenset({HOTSPOTS})


def test_a_bs80k_dataset_shows_its_own_class_names(qtbot, settings, store, tmp_path) -> None:
    """BS-80K's abnormal class is not only metastases: the library, the buttons, the
    feedback and the end screen say "Abnormal"/"Normal"; storage keeps the codes."""
    from tests.datasets.test_bs80k import tree

    labels = {"a1.jpg": "1", "a2.jpg": "0", "a3.jpg": "1"}
    root = tree(tmp_path / "bs80k", labels, labels)
    w = main_window(qtbot, settings, store, root)
    model = w.library.table.model()
    column = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert sorted(set(column)) == ["Abnormal", "Normal"]
    combo = w.library.diagnosis
    assert [combo.itemText(i) for i in range(combo.count())] == ["All", "Abnormal", "Normal"]
    w.start_quiz(QuizSpec.create("BS", quiz_keys(w), QuizMode.PRACTICE, seed=1))
    screen = w.quiz_screen
    assert screen.answer_buttons[Diagnosis.METASTASES].text().startswith("Abnormal")
    assert screen.answer_buttons[Diagnosis.NO_METASTASES].text().startswith("Normal")
    for _ in range(w.quiz.session.total):
        press(qtbot, w, Qt.Key.Key_8, Qt.KeyboardModifier.AltModifier)
        press(qtbot, w, Qt.Key.Key_P)
        text = screen.feedback.text()
        assert re.search(r"Physician's label: <b>(Abnormal|Normal)</b>", text), text
        assert "Your answer: Abnormal at 80 %" in text and "metasta" not in text.lower()
        press(qtbot, w, Qt.Key.Key_Return)
    items = [screen.end.cases.item(i).text() for i in range(screen.end.cases.count())]
    assert all(t.endswith(("Abnormal", "Normal")) for t in items), items
    saved = store.attempts(session_id=w.quiz.session_id)
    assert {a.answer.decision for a in saved} == {Diagnosis.METASTASES}  # codes unchanged


def _controls(screen) -> dict[str, object]:
    """What the quiz screen offers right now (hidden = hidden on the screen itself)."""
    return {
        "answer": [b.isEnabled() for b in screen.answer_buttons.values()],
        "certainty": [b.isEnabled() for b in screen.certainty_group.buttons()],
        "note": screen.note.isEnabled(),
        "answer block": not screen.answer_block.isHidden(),
        "next": (screen.next_button.isEnabled(), screen.next_button.text()),
        "exam only": [not x.isHidden() for x in (screen.previous_button, screen.submit_button,
                                                  screen.case_list)],
        "marks hint": not screen.marks_hint.isHidden(),
    }


def test_practice_controls_follow_the_case_from_question_to_feedback_to_finish(
        qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Practice", quiz_keys(w)[:2], QuizMode.PRACTICE, seed=1))
    quiz, screen = w.quiz, w.quiz_screen
    n_answers, n_certainty = len(screen.answer_buttons), len(screen.certainty_group.buttons())
    asking = {"answer": [True] * n_answers, "certainty": [True] * n_certainty, "note": True,
              "answer block": True, "next": (False, "Next case ▶ (Enter)"),
              "exam only": [False] * 3, "marks hint": True}
    assert _controls(screen) == asking
    quiz.set_certainty(80)
    screen.answer(Diagnosis.METASTASES)
    told = {**asking, "answer": [False] * n_answers, "certainty": [False] * n_certainty,
            "note": False, "answer block": False, "next": (True, "Next case ▶ (Enter)"),
            "marks hint": False}
    assert _controls(screen) == told
    screen.next_case()
    assert _controls(screen) == asking and _checked_certainty(w) == -1
    quiz.set_certainty(60)
    assert _checked_certainty(w) == 60
    screen.answer(Diagnosis.NO_METASTASES)
    assert _controls(screen) == {**told, "next": (True, "Finish (Enter)")}


def test_exam_controls_offer_moving_on_and_say_the_answer_so_far(
        qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Exam", quiz_keys(w)[:2], QuizMode.EXAM, seed=5))
    quiz, screen = w.quiz, w.quiz_screen
    n_answers, n_certainty = len(screen.answer_buttons), len(screen.certainty_group.buttons())
    asking = {"answer": [True] * n_answers, "certainty": [True] * n_certainty, "note": True,
              "answer block": True, "next": (True, "Next case ▶ (Enter)"),
              "exam only": [True] * 3, "marks hint": True}
    assert _controls(screen) == asking and screen.message.text() == ""
    quiz.set_certainty(90)
    screen.answer(Diagnosis.METASTASES)
    assert _controls(screen) == asking  # an exam answer can be changed until submitted
    assert screen.message.text() == ("Your answer so far: Metastases at 90 %. "
                                     "Answer again to change it.")
    assert _checked_certainty(w) == 90
