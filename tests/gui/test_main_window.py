"""The first window: a dataset opens in the background and the first case's views show."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.gui.main_window import MainWindow
from tests.builders import build


def _open(qtbot, settings, path: Path) -> MainWindow:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.open_dataset(path)
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=10_000)
    return window


def test_opening_a_dataset_shows_the_first_case(qtbot, settings, tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    window = _open(qtbot, settings, top)
    for projection in Projection:
        shown = window.displayed(projection)
        assert shown is not None and shown.shape[:2] == (1024, 256) and np.std(shown) > 1
    assert "5 cases" in window.statusBar().currentMessage()
    assert not window.banner.isVisible()
    assert settings.value("dataset/last") == str(top)


def test_a_broken_view_shows_its_reason_and_the_other_still_shows(qtbot, settings, tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    png = top / "Bone metastases" / "Posterior" / "P1.png"
    data = png.read_bytes()  # header and end marker intact, compressed pixels garbage
    png.write_bytes(data[:60] + b"\xff" * (len(data) - 72) + data[-12:])
    window = _open(qtbot, settings, top)
    post = window.scans.views[Projection.POSTERIOR]
    assert window.displayed(Projection.POSTERIOR) is None
    assert post.error.isVisible() and "P1.png" in post.error.toPlainText()
    assert window.displayed(Projection.ANTERIOR) is not None


def test_synthetic_dataset_shows_the_banner(qtbot, settings, tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    (top / "SYNTHETIC_DEMO.txt").write_text("synthetic")
    window = _open(qtbot, settings, top)
    assert window.banner.isVisible() and "not for clinical" in window.banner.text()


def test_the_keys_keep_working_around_an_exam(qtbot, settings, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox

    from bonescan_tutor.core.quiz import QuizMode, QuizSpec
    from bonescan_tutor.core.quiz_session import SessionState
    from bonescan_tutor.gui.dialogs.shortcuts import ShortcutsDialog
    from bonescan_tutor.storage.progress import ProgressStore

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    shown: list[int] = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda self: shown.append(1) or 0)
    store = ProgressStore.open(tmp_path / "p.sqlite3")
    window = MainWindow(settings, store=store, trainee="Ana")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.open_dataset(build(tmp_path / "d"))
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=10_000)

    def press(k, mod=Qt.KeyboardModifier.NoModifier) -> None:
        QTest.keyClick(window.focusWidget() or window, k, mod)
        qtbot.wait(1)

    ctrl = Qt.KeyboardModifier.ControlModifier
    press(Qt.Key.Key_F1)
    assert shown == [1]
    press(Qt.Key.Key_D, ctrl)  # dashboard, then Ctrl+L back to the library
    assert window.pages.currentWidget() is window.progress_page
    press(Qt.Key.Key_L, ctrl)
    assert window.pages.currentWidget() is window.study_page
    keys = tuple(c.key for c in window.dataset.quiz_cases)[:3]
    window.start_quiz(QuizSpec.create("Exam", keys, QuizMode.EXAM, seed=1))
    quiz = window.quiz
    press(Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    assert quiz.certainty == 50
    press(Qt.Key.Key_0, Qt.KeyboardModifier.AltModifier)
    assert quiz.certainty == 100
    press(Qt.Key.Key_N)
    press(Qt.Key.Key_Return)  # next case
    assert quiz.session.position == 2
    press(Qt.Key.Key_Left)
    assert quiz.session.position == 1
    press(Qt.Key.Key_Right)
    press(Qt.Key.Key_F1)
    assert shown == [1, 1]
    press(Qt.Key.Key_Return, ctrl)
    assert quiz.session.state is SessionState.SUBMITTED
    window.close()
    store.close()
