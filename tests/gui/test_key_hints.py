"""Key hints in labels come from the commands that own the keys: move a key in the
command specs and the quiz's buttons, the certainty hint, the dashboard's review line
and the window's shortcut all follow."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.core.quiz_session import SessionState
from bonescan_tutor.gui import action_specs
from bonescan_tutor.gui.main_window import MainWindow
from bonescan_tutor.gui.results.presenter import due_text
from tests.builders import Spec, build
from tests.gui.windows import main_window, press, quiz_keys


@pytest.fixture
def moved_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every quoted quiz command on another key than it ships with."""
    s = action_specs
    monkeypatch.setattr(s, "QUIZ_NEXT", replace(s.QUIZ_NEXT, key="Space"))
    monkeypatch.setattr(s, "SUBMIT", replace(s.SUBMIT, key="Ctrl+J"))
    monkeypatch.setattr(s, "REVIEW_DUE", replace(s.REVIEW_DUE, key="Ctrl+Shift+Y"))
    monkeypatch.setattr(s, "CERTAINTY_DOWN", replace(s.CERTAINTY_DOWN, key="-"))
    monkeypatch.setattr(s, "ANSWERS", {Diagnosis.METASTASES: replace(s.ANSWERS[Diagnosis.METASTASES], key="Y"),
                                       Diagnosis.NO_METASTASES: s.ANSWERS[Diagnosis.NO_METASTASES]})
    levels = dict(s.CERTAINTIES)
    levels[50] = replace(levels[50], key="Alt+J")
    monkeypatch.setattr(s, "CERTAINTIES", levels)


SHIPPED = ("Enter", "Ctrl+Enter", "P", "keys Alt+5 … Alt+0, or [ and ]", "Ctrl+Shift+R")
MOVED = ("Space", "Ctrl+J", "Y", "keys Alt+J … Alt+0, or - and ]", "Ctrl+Shift+Y")


@pytest.mark.parametrize("moved", [False, True], ids=["shipped keys", "moved keys"])
def test_labels_name_the_keys_of_the_command_specs(qtbot, settings, store, tmp_path: Path,
                                                   request, moved: bool) -> None:
    if moved:
        request.getfixturevalue("moved_keys")
    next_key, submit_key, answer_key, certainty, review_key = MOVED if moved else SHIPPED
    w = _quiz_window(qtbot, settings, store, tmp_path)
    screen = w.quiz_screen
    assert screen.next_button.text() == f"Next case ▶ ({next_key})"
    assert screen.submit_button.text() == f"Submit the exam ({submit_key})"
    assert screen.answer_buttons[Diagnosis.METASTASES].text().endswith(f"({answer_key})")
    assert certainty in _texts(screen)
    assert due_text(3).endswith(f"(Quiz > Review due cases, {review_key}).")
    assert w.actions.key_of("quiz_next") == next_key  # the label and the shortcut agree


def test_the_moved_keys_work(qtbot, settings, store, tmp_path: Path, moved_keys) -> None:
    w = _quiz_window(qtbot, settings, store, tmp_path)
    press(qtbot, w, Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)  # the moved keys work
    assert w.quiz.certainty == 50
    press(qtbot, w, Qt.Key.Key_Y)
    assert w.quiz.session.state is SessionState.FEEDBACK
    press(qtbot, w, Qt.Key.Key_Space)
    assert w.quiz.session.state is SessionState.SHOWING


def _quiz_window(qtbot, settings, store, tmp_path: Path) -> MainWindow:
    w = main_window(qtbot, settings, store, build(tmp_path / "data", Spec(n_met=2, n_normal=2)))
    w.start_quiz(QuizSpec.create("Keys", quiz_keys(w), QuizMode.PRACTICE, seed=3))
    return w


def _texts(widget) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in widget.findChildren(QLabel))
