"""``bonescan-tutor --self-test``: build the window offscreen on the demo, show a case
(then the tools beside it and the demo's expert annotations), run a short scripted
practice quiz, check what was drawn and saved, export the answers to xlsx and read them
back, check that the libraries loaded only later (the LRS client, Qt's collation data)
are there, exit 0 (1 with the reasons otherwise). The progress and xlsx files are
temporary ones, never the user's."""

from __future__ import annotations

import importlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QSettings
from PySide6.QtWidgets import QApplication

from bonescan_tutor import STARTED, paths
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.quiz import QuizMode, QuizSpec


def _check_views(window, failures: list[str], where: str) -> None:
    for projection in Projection:
        shown = window.displayed(projection) if where == "library" else (
            window.quiz_screen.viewer.scans.views[projection].image.image)
        if shown is None or float(np.std(shown)) < 1.0:
            failures.append(f"the {where} {projection.value} view shows no image")


def _check_export(saved, path: Path, failures: list[str]) -> None:
    """The quiz's answers written as the dashboard's xlsx export and read back (pandas
    and openpyxl load only for exports, so a start-up alone never tries them)."""
    from openpyxl import load_workbook

    from bonescan_tutor.storage.export import export_workbook

    export_workbook(saved, {}, path)
    book = load_workbook(path, read_only=True)
    try:
        rows = sum(1 for _ in book["Attempts"].iter_rows(min_row=2, values_only=True))
    finally:
        book.close()
    if rows != len(saved):
        failures.append(f"the xlsx export holds {rows} of {len(saved)} answers")


def _check_late_libraries(failures: list[str]) -> None:
    """What loads long after start-up: the LRS client (requests; keyring with, on Linux,
    its Secret Service back end) and Qt's ICU collation data (the file dialogs' order)."""
    from PySide6.QtCore import QCollator, QLocale

    modules = ["requests", "keyring", "keyring.backends.SecretService"]
    if sys.platform.startswith("linux"):
        modules.append("secretstorage")
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            failures.append(f"the LRS client cannot load {name}: {exc}")
    if QCollator(QLocale("en_US")).compare("a", "B") >= 0:
        failures.append("Qt's collation data (ICU) is missing: names sort by code point")


def _events_until(app: QApplication, done, rounds: int = 100) -> None:
    """Let Qt work (paint, run what waits) until ``done()``, at most ``rounds`` turns."""
    for _ in range(rounds):
        if done():
            return
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _check_first_case(app: QApplication, window, dataset, failures: list[str]) -> None:
    """The first case painted, then what waited for it: the tools beside the scans and
    the expert annotations beside the demo."""
    if not window.scans.drawn:
        failures.append("the first case was not painted")
    _events_until(app, lambda: window.annotations is not None
                  and window.viewer.controls_holder.layout().count() > 0)
    if window.viewer.controls_holder.layout().count() == 0:
        failures.append("the tools beside the scans were not built")
    if window.annotations is None or not window.annotations.cases:
        failures.append("the demo's expert annotations were not loaded")
    _check_views(window, failures, "library")
    grab = window.scans.grab().toImage()
    if grab.isNull() or grab.width() < 100:
        failures.append("the scan view did not render")
    if not dataset.synthetic or not window.banner.isVisible():
        failures.append("the synthetic-demo banner is not shown")


def _check_saved_answers(store, quiz, keys: tuple[str, ...], failures: list[str]) -> list:
    saved = store.attempts(session_id=quiz.session_id)
    if sorted(a.answer.case_key for a in saved) != sorted(keys):
        failures.append(f"{len(saved)} of {len(keys)} answers were saved")
    if not all(a.label_shown and a.answer.certainty == 80 for a in saved):
        failures.append("a saved answer lost its certainty or feedback flag")
    if store.session(quiz.session_id).finished is None:
        failures.append("the finished quiz was not closed in the progress file")
    return saved


def _check_practice_quiz(app: QApplication, window, dataset, store, tmp: Path,
                         failures: list[str]) -> None:
    """A 3-case practice quiz answered by the screen's own calls, saved and exported."""
    keys = tuple(c.key for c in dataset.quiz_cases[:3])
    window.start_quiz(QuizSpec.create("Self-test", keys, QuizMode.PRACTICE, seed=1))
    quiz = window.quiz
    if quiz is None or quiz.session is None:
        failures.append("the practice quiz did not start")
        return
    app.processEvents()
    _check_views(window, failures, "quiz")
    if any(k in window.windowTitle() for k in keys if len(k) > 1):
        failures.append("the window title names a hidden case")
    for _ in keys:
        quiz.set_certainty(80)
        window.quiz_screen.answer(Diagnosis.METASTASES)
        app.processEvents()
        window.quiz_screen.next_case()
        app.processEvents()
    saved = _check_saved_answers(store, quiz, keys, failures)
    _check_export(saved, tmp / "answers.xlsx", failures)


def run_self_test(app: QApplication, settings: QSettings) -> int:
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.gui.main_window import MainWindow
    from bonescan_tutor.storage.progress import ProgressStore

    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bonescan-self-test-") as tmp:
        t0 = time.perf_counter()
        # The app opens the progress file when a quiz needs it; so does the self-test.
        window = MainWindow(settings, trainee="self-test")
        window.resize(1366, 768)  # a lab PC's screen, whatever the offscreen one is
        window.show()
        dataset, report = open_dataset(paths.demo_dataset_dir())
        window.set_dataset(dataset, report)
        _events_until(app, lambda: window.scans.drawn)  # the first case is painted: "shown"
        shown = time.perf_counter() - t0
        since_start = time.perf_counter() - STARTED
        _check_first_case(app, window, dataset, failures)
        store = ProgressStore.open(Path(tmp) / "progress.sqlite3")
        window.use_store(store)
        _check_practice_quiz(app, window, dataset, store, Path(tmp), failures)
        _check_late_libraries(failures)
        window.close()
        store.close()
    if failures:
        print("self-test: FAILED: " + "; ".join(failures), file=sys.stderr)
        return 1
    print(f"self-test: ok. {dataset.name}: {len(dataset)} cases; first case shown "
          f"{since_start * 1000:.0f} ms after start, {shown * 1000:.0f} ms after the window; "
          "a 3-case practice quiz answered, saved and exported.")
    return 0
