"""The start as a trainee meets it: the first case is drawn first; the tools beside the
scans, the expert annotations and every screen not on view come after, and still work
when first opened by their keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from bonescan_tutor import paths
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.gui.app import start
from bonescan_tutor.gui.main_window import MainWindow
from tests.builders import build

CTRL = Qt.KeyboardModifier.ControlModifier


def _started(qtbot, settings, dataset: Path | None) -> MainWindow:
    """The window as ``run_app`` starts it, once its first case is painted."""
    window = MainWindow(settings, trainee="Ana")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    start(window, str(dataset) if dataset else None, ask_trainee=False)
    qtbot.waitUntil(lambda: window.scans.drawn, timeout=20_000)
    return window


def _press(qtbot, window: MainWindow, key: Qt.Key, mod=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(window.focusWidget() or window, key, mod)
    qtbot.wait(1)


def test_the_tools_and_the_annotations_follow_the_first_case(qtbot, settings) -> None:
    window = _started(qtbot, settings, None)  # the demo, as at a first start
    assert all(window.displayed(p) is not None for p in Projection)
    qtbot.waitUntil(lambda: window.viewer.controls_holder.layout().count() == 1)
    qtbot.waitUntil(lambda: window.annotations is not None)
    assert window.annotations.cases  # the demo's annotations.bstann, beside it
    controls = window.viewer.controls
    qtbot.waitUntil(controls.isVisible)
    assert controls.preset.currentData() == window.viewer.presenter.state.preset
    assert "24 cases" in window.statusBar().currentMessage()


def test_a_tool_key_works_before_the_tools_are_built_and_they_show_its_state(
        qtbot, settings, tmp_path: Path) -> None:
    window = MainWindow(settings, trainee="Ana")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.wait(10)
    assert window.viewer.controls_holder.layout().count() == 0  # no case yet: not built
    inverted = window.viewer.presenter.state.invert
    window.scans.setFocus()  # as a click on the scans would (not the search box)
    _press(qtbot, window, Qt.Key.Key_I)
    assert window.viewer.presenter.state.invert is not inverted
    window.open_dataset(build(tmp_path / "d"))
    qtbot.waitUntil(lambda: window.viewer.controls_holder.layout().count() == 1,
                    timeout=20_000)
    assert window.viewer.controls.invert.isChecked() is not inverted


def test_a_dataset_with_problems_still_tells_them_in_the_status_bar(
        qtbot, settings, tmp_path: Path, monkeypatch) -> None:
    from bonescan_tutor.gui.dialogs.validation_report import ValidationReportDialog

    reports: list[ValidationReportDialog] = []
    monkeypatch.setattr(ValidationReportDialog, "exec", lambda dialog: reports.append(dialog) or 0)
    top = build(tmp_path / "d")
    (top / "No bone metastases" / "Posterior" / "P5.png").unlink()
    window = _started(qtbot, settings, top)
    qtbot.waitUntil(lambda: window.dataset is not None and len(reports) == 1)
    assert "problem(s), see File > Dataset report" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.viewer.controls_holder.layout().count() == 1)


def test_a_dataset_that_cannot_be_opened_still_gets_the_tools(
        qtbot, settings, tmp_path: Path, monkeypatch) -> None:
    from bonescan_tutor.gui.main_pages import PageCommands

    failed: list[str] = []
    monkeypatch.setattr(PageCommands, "_failed", lambda self, title, exc: failed.append(title))
    window = MainWindow(settings, trainee="Ana")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    (tmp_path / "empty").mkdir()
    start(window, str(tmp_path / "empty"), ask_trainee=False)
    qtbot.waitUntil(lambda: failed != [], timeout=20_000)
    qtbot.waitUntil(lambda: window.viewer.controls_holder.layout().count() == 1)
    assert not window.scans.drawn


def test_a_first_case_whose_views_cannot_be_read_still_gets_the_tools(
        qtbot, settings, tmp_path: Path) -> None:
    """Both views' reasons are shown in place of the scans: that is what comes first."""
    top = build(tmp_path / "d")
    for png in (top / "Bone metastases").rglob("*1.png"):
        data = png.read_bytes()  # header and end marker intact, compressed pixels garbage
        png.write_bytes(data[:60] + b"\xff" * (len(data) - 72) + data[-12:])
    window = _started(qtbot, settings, top)
    assert all(window.displayed(p) is None for p in Projection)
    assert all(v.error.isVisible() for v in window.scans.views.values())
    qtbot.waitUntil(lambda: window.viewer.controls_holder.layout().count() == 1)


def test_the_dashboard_is_built_when_its_key_is_first_pressed(qtbot, settings) -> None:
    window = _started(qtbot, settings, None)
    assert window.dashboard is None
    _press(qtbot, window, Qt.Key.Key_D, CTRL)
    assert window.pages.currentWidget() is window.progress_page
    assert window.dashboard is not None and window.dashboard.isVisible()
    _press(qtbot, window, Qt.Key.Key_L, CTRL)
    assert window.pages.currentWidget() is window.study_page


def test_the_quiz_screen_is_built_when_a_quick_quiz_first_starts_by_its_key(
        qtbot, settings, monkeypatch) -> None:
    from bonescan_tutor.gui.dialogs.quick_quiz import QuickQuizDialog

    monkeypatch.setattr(QuickQuizDialog, "exec",
                        lambda dialog: QuickQuizDialog.DialogCode.Accepted)
    window = _started(qtbot, settings, None)
    assert window._quiz_screen is None
    _press(qtbot, window, Qt.Key.Key_N, CTRL)
    assert window.on_quiz_page and window.quiz is not None
    viewer = window.quiz_screen.viewer
    qtbot.waitUntil(lambda: viewer.scans.views[Projection.ANTERIOR].image.image is not None)
    qtbot.waitUntil(lambda: viewer.controls_holder.layout().count() == 1)


@pytest.mark.parametrize("command", ["new_quizset", "annotate", "cohort", "teaching_images"])
def test_each_instructor_screen_opens_on_first_use(qtbot, settings, monkeypatch,
                                                   command: str) -> None:
    """Instructor > New quiz set (Ctrl+Shift+N), Annotate cases, Cohort results and
    Prepare teaching images are built on first use, on the open dataset."""
    from PySide6.QtWidgets import QDialog

    opened: list[QDialog] = []
    monkeypatch.setattr(QDialog, "exec", lambda dialog: opened.append(dialog) or 0)
    window = _started(qtbot, settings, None)
    if command == "new_quizset":
        _press(qtbot, window, Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.ShiftModifier)
    else:
        window.actions[command].trigger()
    assert len(opened) == 1 and opened[0].parent() is window
    names = {"new_quizset": "QuizSetDialog", "annotate": "AnnotateDialog",
             "cohort": "CohortDialog", "teaching_images": "DeidentifyDialog"}
    assert type(opened[0]).__name__ == names[command]


def test_on_a_shared_pc_the_lrs_sender_starts_before_the_trainee_is_asked(
        qtbot, settings, monkeypatch) -> None:
    """Asking who reads waits for a person: the sender tries at once meanwhile."""
    from bonescan_tutor.storage import lrs_config

    monkeypatch.setenv(lrs_config.ENV_URL, "http://127.0.0.1:9/xAPI/")
    monkeypatch.setenv(lrs_config.ENV_USER, "lab")
    monkeypatch.setenv(lrs_config.ENV_PASSWORD, "pw")
    window = MainWindow(settings)
    qtbot.addWidget(window)
    store = window.store()
    for name in ("Ana", "Ben"):
        store.get_or_create_trainee(name)
    asked: list[bool] = []
    monkeypatch.setattr(window, "switch_trainee", lambda: asked.append(window.lrs.sender is not None))
    monkeypatch.setattr(window, "open_demo", lambda: None)
    window.show()
    start(window, None, ask_trainee=True)
    assert asked == [True]


def test_a_quiz_set_taken_at_start_still_gets_the_annotations_and_the_lrs_sender(
        qtbot, settings, tmp_path: Path, monkeypatch) -> None:
    """``--quiz-set``: the quiz covers the library before its first case is painted; the
    expert annotations (the quiz's lesion feedback) and the sender still come."""
    import shutil

    from bonescan_tutor.core.quiz import QuizMode, QuizSpec
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.storage import lrs_config
    from bonescan_tutor.storage.quizsets import QuizSet, write_quizset

    monkeypatch.setenv(lrs_config.ENV_URL, "http://127.0.0.1:9/xAPI/")
    monkeypatch.setenv(lrs_config.ENV_USER, "lab")
    monkeypatch.setenv(lrs_config.ENV_PASSWORD, "pw")
    demo = shutil.copytree(paths.demo_dataset_dir(), tmp_path / "demo")
    dataset, _ = open_dataset(demo)
    keys = tuple(c.key for c in dataset.quiz_cases)[:2]
    quiz_set = tmp_path / "week1.bstquiz"
    write_quizset(QuizSet.for_dataset(QuizSpec.create("Week 1", keys, QuizMode.PRACTICE,
                                                      seed=1), dataset), quiz_set)
    window = MainWindow(settings, trainee="Ana")
    qtbot.addWidget(window)
    window.pending_quiz_set = quiz_set
    window.show()
    qtbot.waitExposed(window)
    start(window, str(demo), ask_trainee=False)
    qtbot.waitUntil(lambda: window.quiz is not None, timeout=20_000)
    assert window.on_quiz_page and not window.scans.drawn
    qtbot.waitUntil(lambda: window.annotations is not None and window.lrs.sender is not None)
    assert window.quiz_screen.end.annotations is window.annotations
