"""A quiz set naming another LRS: the app proposes it; accepted it is saved and the
credentials asked for, declined it is not proposed again for that quiz set. The
Settings menu opens the dialog, also while an exam is locked (it shows no label)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.gui.dialogs.lrs_settings import LrsSettingsDialog
from bonescan_tutor.gui.main_window import MainWindow
from bonescan_tutor.storage.lrs_config import ENV_URL, KEYRING_SERVICE, SETTING_URL, SETTING_USER
from bonescan_tutor.storage.quizsets import QuizSet, write_quizset
from tests.builders import Spec, build
from tests.gui.windows import main_window, quiz_keys

ALT = Qt.KeyboardModifier.AltModifier
PROPOSED = "https://lrs.program.example.org/xAPI/"


@pytest.fixture
def window(qtbot, settings, store, tmp_path: Path) -> MainWindow:
    return main_window(qtbot, settings, store, build(tmp_path / "data", Spec(n_met=2, n_normal=2)),
                       active=False)


def quiz_file(w: MainWindow, tmp_path: Path, title: str, endpoint: str | None) -> Path:
    keys = quiz_keys(w)[:2]
    qs = QuizSet.for_dataset(QuizSpec.create(title, keys, QuizMode.PRACTICE, seed=1), w.dataset,
                             lrs_endpoint=endpoint)
    path = tmp_path / f"{title}.bstquiz"
    write_quizset(qs, path)
    return path


class Robot:
    """Answers the modal dialogs as they open, by keys; records what it saw."""

    def __init__(self, steps: list[Callable[[QWidget], bool]]) -> None:
        self.steps, self.seen = steps, []
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(20)

    def _tick(self) -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or not self.steps or (self.seen and self.seen[-1] is modal):
            return
        if self.steps[0](modal):
            self.seen.append(modal)
            self.steps.pop(0)

    def stop(self) -> None:
        self.timer.stop()


def proposal(key: Qt.Key, mod=Qt.KeyboardModifier.NoModifier, texts: list[str] | None = None):
    def step(modal: QWidget) -> bool:
        if not isinstance(modal, QMessageBox) or modal.objectName() != "lrsProposal":
            return False
        if texts is not None:
            texts.append(modal.text())
        QTest.keyClick(modal, key, mod)
        return True
    return step


def credentials(user: str, password: str):
    def step(modal: QWidget) -> bool:
        if not isinstance(modal, LrsSettingsDialog):
            return False
        assert modal.url.text() == PROPOSED
        QTest.keyClicks(modal.user, user)
        QTest.keyClicks(modal.password, password)
        QTest.keyClick(modal.password, Qt.Key.Key_Return)
        return True
    return step


def test_accepting_saves_the_endpoint_and_asks_for_the_credentials(
        qtbot, window, settings, tmp_path: Path, ring) -> None:
    settings.setValue(SETTING_URL, "https://old.example.org/xAPI/")
    texts: list[str] = []
    # a message box takes its buttons' mnemonics without Alt: U = "&Use this LRS"
    robot = Robot([proposal(Qt.Key.Key_U, texts=texts), credentials("site-b", "b-pass")])
    try:
        window.open_quiz_set(quiz_file(window, tmp_path, "Week 3", PROPOSED))
    finally:
        robot.stop()
    assert len(robot.seen) == 2
    assert "“Week 3”" in texts[0] and PROPOSED in texts[0]
    assert "https://old.example.org/xAPI/" in texts[0]
    assert settings.value(SETTING_URL) == PROPOSED and settings.value(SETTING_USER) == "site-b"
    assert ring.kept == {(KEYRING_SERVICE, f"site-b@{PROPOSED}"): "b-pass"}
    assert window.quiz is not None  # the quiz starts after the question


def test_declining_is_remembered_for_that_quiz_set(qtbot, window, settings, tmp_path: Path,
                                                   ring) -> None:
    settings.setValue(SETTING_URL, "https://mine.example.org/xAPI/")
    path = quiz_file(window, tmp_path, "Week 4", PROPOSED)
    robot = Robot([proposal(Qt.Key.Key_Escape)])
    try:
        window.open_quiz_set(path)
    finally:
        robot.stop()
    assert len(robot.seen) == 1
    assert settings.value(SETTING_URL) == "https://mine.example.org/xAPI/"
    window.leave_quiz()
    asked: list[QWidget] = []
    robot = Robot([lambda modal: asked.append(modal) or True])
    try:
        window.open_quiz_set(path)  # the same set again: not asked
    finally:
        robot.stop()
    assert asked == [] and window.quiz is not None
    window.leave_quiz()
    other = quiz_file(window, tmp_path, "Week 5", PROPOSED)
    robot = Robot([proposal(Qt.Key.Key_K)])  # another set naming it: asked once
    try:
        window.open_quiz_set(other)
    finally:
        robot.stop()
    assert len(robot.seen) == 1


@pytest.mark.parametrize("case", ["same", "none", "env"])
def test_nothing_is_proposed_when_there_is_nothing_to_change(
        qtbot, window, settings, tmp_path: Path, ring, monkeypatch, case: str) -> None:
    if case == "same":
        settings.setValue(SETTING_URL, PROPOSED.rstrip("/"))
    if case == "env":
        monkeypatch.setenv(ENV_URL, "http://lab:8100/xAPI/")
    path = quiz_file(window, tmp_path, "Week 6", None if case == "none" else PROPOSED)
    asked: list[QWidget] = []
    robot = Robot([lambda modal: asked.append(modal) or True])
    try:
        window.open_quiz_set(path)
    finally:
        robot.stop()
    assert asked == [] and window.quiz is not None


def test_the_settings_menu_opens_the_dialog_also_during_an_exam(
        qtbot, window, settings, ring) -> None:
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&Settings" in menus
    action = window.actions["lrs_settings"]
    assert action.text() == "&Learning Record Store…"
    keys = tuple(c.key for c in window.dataset.quiz_cases)[:2]
    window.start_quiz(QuizSpec.create("Exam", keys, QuizMode.EXAM, seed=1))
    assert window.app.exam_locked and action.isEnabled()
    shown: list[QWidget] = []

    def look(modal: QWidget) -> bool:
        if not isinstance(modal, LrsSettingsDialog):
            return False
        shown.append(modal)
        QTest.keyClick(modal, Qt.Key.Key_Escape)
        return True

    robot = Robot([look])
    try:
        action.trigger()
    finally:
        robot.stop()
    assert len(shown) == 1


def test_ok_in_the_settings_dialog_reconfigures_the_running_sender(
        qtbot, window, settings, ring) -> None:
    from bonescan_tutor.storage.lrs_config import LrsConfig

    assert window.lrs.config is None
    url = "http://127.0.0.1:9/xAPI/"

    def fill(modal: QWidget) -> bool:
        if not isinstance(modal, LrsSettingsDialog):
            return False
        QTest.keyClicks(modal.url, url)
        QTest.keyClicks(modal.user, "site-c")
        QTest.keyClicks(modal.password, "c-pass")
        QTest.keyClick(modal.password, Qt.Key.Key_Return)
        return True

    robot = Robot([fill])
    try:
        window.actions["lrs_settings"].trigger()
    finally:
        robot.stop()
    assert window.lrs.config == LrsConfig(url, "site-c", "c-pass")
