"""Exams an instructor can trust, driven through the real main window by keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.core.quiz_session import SessionState
from bonescan_tutor.storage.progress import ProgressFileError, ProgressStore
from tests.builders import Spec, build
from tests.gui.windows import main_window, press, quiz_keys

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def dataset_path(tmp_path: Path) -> Path:
    return build(tmp_path / "data", Spec(n_met=3, n_normal=3, first_number=801))


class Clock:
    """A clock the test moves; it starts at the real time the quiz started with."""

    def __init__(self) -> None:
        import time

        self.t = time.time()

    def __call__(self) -> float:
        return self.t


def test_submitting_an_exam_twice_changes_nothing(qtbot, settings, store, dataset_path,
                                                  monkeypatch) -> None:
    asked: list[str] = []

    def question(parent, title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Exam", quiz_keys(w)[:2], QuizMode.EXAM, seed=1))
    press(qtbot, w, Qt.Key.Key_7, ALT)
    press(qtbot, w, Qt.Key.Key_P)
    press(qtbot, w, Qt.Key.Key_Return, CTRL)
    assert w.quiz.session.state is SessionState.SUBMITTED and len(asked) == 1
    w.actions["submit"].trigger()  # Quiz > Submit on the result screen
    press(qtbot, w, Qt.Key.Key_Return, CTRL)
    assert len(asked) == 1 and w.quiz.session.state is SessionState.SUBMITTED


def test_a_failed_write_keeps_the_case_and_stores_the_answer_after_retry(
        qtbot, settings, store, dataset_path, monkeypatch) -> None:
    from bonescan_tutor.gui.quiz import launcher

    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Practice", quiz_keys(w)[:3], QuizMode.PRACTICE, seed=2))
    quiz = w.quiz
    real = store.record_attempt
    failures = iter([True])

    def full_disk(*args, **kwargs):
        if next(failures, False):
            raise ProgressFileError(f"Cannot use the progress file {store.path}: database or "
                                    "disk is full.")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "record_attempt", full_disk)
    prompts: list[str] = []
    choices = iter([None, "retry"])

    def prompt(parent, text):
        prompts.append(text)
        assert quiz.session.state is SessionState.SHOWING  # nothing moved on meanwhile
        return next(choices)

    monkeypatch.setattr(launcher, "write_failed", prompt)
    w.quiz_screen.note.setText("left rib")
    press(qtbot, w, Qt.Key.Key_9, ALT)
    press(qtbot, w, Qt.Key.Key_P)  # the write fails, the trainee cancels
    assert len(prompts) == 1 and "disk is full" in prompts[0]
    assert quiz.session.state is SessionState.SHOWING and quiz.session.position == 1
    assert quiz.certainty == 90 and w.quiz_screen.note.text() == "left rib"
    assert "NOT saved" in w.quiz_screen.message.text()
    assert store.attempts(session_id=quiz.session_id) == []
    failures = iter([True])
    press(qtbot, w, Qt.Key.Key_P)  # fails again; this time the trainee retries
    assert len(prompts) == 2
    (saved,) = store.attempts(session_id=quiz.session_id)
    assert saved.answer.decision is Diagnosis.METASTASES and saved.answer.certainty == 90
    assert saved.answer.note == "left rib"
    assert quiz.session.state is SessionState.FEEDBACK


def test_a_failed_write_can_move_the_progress_file_to_another_folder(
        qtbot, settings, tmp_path, dataset_path, monkeypatch) -> None:
    from bonescan_tutor.gui.quiz import launcher

    store = ProgressStore.open(tmp_path / "full" / "progress.sqlite3")
    w = main_window(qtbot, settings, store, dataset_path)
    w.start_quiz(QuizSpec.create("Exam", quiz_keys(w)[:3], QuizMode.EXAM, seed=2))
    press(qtbot, w, Qt.Key.Key_6, ALT)
    press(qtbot, w, Qt.Key.Key_N)
    press(qtbot, w, Qt.Key.Key_Right)
    real = store.record_attempt
    calls = {"n": 0}

    def full_disk(*args, **kwargs):
        calls["n"] += 1
        if store.path.parent.name == "full":
            raise ProgressFileError("Cannot use the progress file: database or disk is full.")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "record_attempt", full_disk)
    roomy = tmp_path / "roomy"
    monkeypatch.setattr(launcher, "write_failed", lambda parent, text: roomy)
    press(qtbot, w, Qt.Key.Key_8, ALT)
    press(qtbot, w, Qt.Key.Key_P)
    assert store.path == roomy / "progress.sqlite3"
    assert (tmp_path / "full" / "progress.sqlite3").exists()  # the old file is kept
    saved = store.attempts(session_id=w.quiz.session_id)
    assert [(a.answer.decision, a.answer.certainty) for a in saved] == [
        (Diagnosis.NO_METASTASES, 60), (Diagnosis.METASTASES, 80)]
    w.close()
    store.close()


def test_an_answer_after_the_case_limit_is_a_timeout_for_the_case_on_screen(
        qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    clock = Clock()
    spec = QuizSpec.create("Timed exam", quiz_keys(w)[:3], QuizMode.EXAM, seed=4,
                           time_limit_per_case_s=60.0)
    w.start_quiz(spec)
    quiz = w.quiz
    quiz.clock = clock
    w.quiz_screen.timer.stop()  # the screen's tick has not come yet
    quiz.session.tick(clock())
    on_screen = quiz.session.current_case_key
    assert w.quiz_screen.alias.text() == "Case 1 of 3"
    clock.t += 60.4  # the key comes 0.4 s after the limit, before the tick
    press(qtbot, w, Qt.Key.Key_7, ALT)
    press(qtbot, w, Qt.Key.Key_P)
    saved = store.attempts(session_id=quiz.session_id)
    assert [(a.answer.case_key, a.answer.timed_out, a.answer.decision) for a in saved] == [
        (on_screen, True, None)]
    assert quiz.session.position == 2 and quiz.session.attempt_at(2) is None
    assert w.quiz_screen.alias.text() == "Case 2 of 3"
    assert "ran out before your answer" in w.quiz_screen.message.text()


def test_a_late_practice_answer_shows_the_timeout_instead_of_an_error(
        qtbot, settings, store, dataset_path) -> None:
    w = main_window(qtbot, settings, store, dataset_path)
    clock = Clock()
    w.start_quiz(QuizSpec.create("Timed", quiz_keys(w)[:2], QuizMode.PRACTICE, seed=4,
                                 time_limit_per_case_s=30.0))
    w.quiz.clock = clock
    w.quiz_screen.timer.stop()
    w.quiz.session.tick(clock())
    clock.t += w.quiz.session.remaining_case_s(clock()) + 1
    press(qtbot, w, Qt.Key.Key_7, ALT)
    press(qtbot, w, Qt.Key.Key_N)
    assert w.quiz.session.state is SessionState.FEEDBACK
    assert "Time ran out" in w.quiz_screen.feedback.text()
    (saved,) = store.attempts(session_id=w.quiz.session_id)
    assert saved.answer.timed_out


KILLED_MID_EXAM = r"""
import os, signal, sys, json
from pathlib import Path
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.quiz.presenter import QuizPresenter
from bonescan_tutor.storage.progress import ProgressStore
from bonescan_tutor.storage.quizsets import QuizSet

data, progress, results = map(Path, sys.argv[1:4])
dataset, _ = open_dataset(data)

class View:
    def __getattr__(self, name):
        return lambda *a, **k: None

store = ProgressStore.open(progress)
trainee = store.get_or_create_trainee("Ana")
keys = tuple(c.key for c in dataset.quiz_cases)[:4]
spec = QuizSpec.create("Final exam", keys, QuizMode.EXAM, seed=7, time_limit_per_case_s=600.0)
qs = QuizSet.for_dataset(spec, dataset, results_folder=str(results))
quiz = QuizPresenter(View(), store, dataset, trainee)
quiz.start(spec, quizset_json=json.dumps(qs.to_dict()))
for decision in (Diagnosis.METASTASES, Diagnosis.NO_METASTASES):
    quiz.set_certainty(80)
    quiz.answer(decision)
    quiz.next()
print("answered", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_9_mid_exam_then_resume_and_submit_writes_every_answer(
        qtbot, settings, tmp_path, dataset_path, monkeypatch) -> None:
    import os
    import subprocess
    import sys

    from bonescan_tutor.storage.results import ResultStatus, read_results

    results = tmp_path / "instructor"
    results.mkdir()
    progress = tmp_path / "progress.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    run = subprocess.run([sys.executable, "-c", KILLED_MID_EXAM, str(dataset_path), str(progress),
                          str(results)], capture_output=True, text=True, env=env)
    assert run.returncode == -9 and "answered" in run.stdout, run.stderr
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    store = ProgressStore.open(progress)
    w = main_window(qtbot, settings, store, dataset_path)
    assert not w.actions["library"].isEnabled()  # the killed exam still locks the labels
    w.offer_resume()
    quiz = w.quiz
    assert w.on_quiz_page and quiz.session.position == 3
    for _ in range(2):
        press(qtbot, w, Qt.Key.Key_9, ALT)
        press(qtbot, w, Qt.Key.Key_P)
        press(qtbot, w, Qt.Key.Key_Right)
    press(qtbot, w, Qt.Key.Key_Return, CTRL)
    assert quiz.session.state is SessionState.SUBMITTED
    (written,) = results.glob("*.bstresult")
    got = read_results(written)
    assert got.status is ResultStatus.COMPLETE and got.trainee == "Ana"
    assert len(got.attempts) == 4 and all(a.decision is not None for a in got.attempts)
    assert sorted(a.certainty for a in got.attempts) == [80, 80, 90, 90]
    assert w.actions["library"].isEnabled() and w.actions["report"].isEnabled()
    w.close()
    store.close()


def test_a_left_exam_stays_locked_then_resumes_with_its_time(qtbot, settings, store,
                                                              dataset_path, monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    w = main_window(qtbot, settings, store, dataset_path)
    clock = Clock()
    w.start_quiz(QuizSpec.create("Exam", quiz_keys(w)[:3], QuizMode.EXAM, seed=3,
                                 time_limit_per_case_s=60.0, time_limit_total_s=600.0))
    w.quiz.clock = clock
    w.quiz_screen.timer.stop()
    w.quiz.session.tick(clock())
    press(qtbot, w, Qt.Key.Key_7, ALT)
    press(qtbot, w, Qt.Key.Key_N)
    press(qtbot, w, Qt.Key.Key_Right)
    clock.t += 55.0
    w.quiz.tick()
    press(qtbot, w, Qt.Key.Key_W, CTRL)  # leave: the exam pauses, labels stay locked
    assert w.pages.currentWidget() is w.paused_page
    for command in ("library", "report", "open", "open_zip", "progress", "trainee",
                    "quick_quiz", "new_quizset", "cohort", "open_quiz_set"):
        assert not w.actions[command].isEnabled(), command
    press(qtbot, w, Qt.Key.Key_L, CTRL)
    press(qtbot, w, Qt.Key.Key_D, CTRL)
    assert w.pages.currentWidget() is w.paused_page and not w.library.isEnabled()
    assert not w.study_page.isVisible()
    assert "metastases" not in w.statusBar().currentMessage().lower()
    record = store.unfinished_sessions(w.app.trainee())[0]
    assert record.clock is not None and record.clock.total_s == pytest.approx(55.0, abs=1.0)
    press(qtbot, w, Qt.Key.Key_E, CTRL | Qt.KeyboardModifier.ShiftModifier)  # resume
    quiz = w.quiz
    assert w.on_quiz_page and quiz.session.position == 2
    now = quiz.clock()  # the case has 5 s left, not 60; the quiz 545 s, not 600
    assert quiz.session.remaining_case_s(now) == pytest.approx(5.0, abs=1.0)
    assert quiz.session.remaining_total_s(now) == pytest.approx(545.0, abs=1.0)


def test_abandoning_a_left_exam_writes_results_marked_incomplete(
        qtbot, settings, store, tmp_path, dataset_path, monkeypatch) -> None:
    import json

    from bonescan_tutor.gui.quiz import launcher
    from bonescan_tutor.storage.quizsets import QuizSet
    from bonescan_tutor.storage.results import ResultStatus, read_results

    asked: list[str] = []
    monkeypatch.setattr(launcher, "confirm_abandon",
                        lambda parent, title, unanswered: asked.append(title) or True)
    w = main_window(qtbot, settings, store, dataset_path)
    results = tmp_path / "instructor"
    results.mkdir()
    spec = QuizSpec.create("Week 3 exam", quiz_keys(w)[:3], QuizMode.EXAM, seed=3)
    qs = QuizSet.for_dataset(spec, w.dataset, results_folder=str(results))
    w.start_quiz(spec, quiz_set=qs)
    press(qtbot, w, Qt.Key.Key_7, ALT)
    press(qtbot, w, Qt.Key.Key_N)
    session_id = w.quiz.session_id
    press(qtbot, w, Qt.Key.Key_W, CTRL)
    assert w.actions["abandon_exam"].isEnabled()
    w.actions["abandon_exam"].trigger()
    assert asked == ["Week 3 exam"]
    (written,) = results.glob("*.bstresult")
    got = read_results(written)
    assert got.status is ResultStatus.INCOMPLETE and len(got.attempts) == 1
    assert store.session(session_id).status.value == "abandoned"
    assert w.actions["library"].isEnabled() and w.pages.currentWidget() is w.study_page
    # Answers of an abandoned exam never change, and it is not offered again.
    assert w.app.resumable() is None
    # Quiz > Write results file again re-creates it from the progress file.
    w.actions["write_results_again"].trigger()
    assert len(list(results.glob("*.bstresult"))) == 2
    assert json.loads(sorted(results.glob("*.bstresult"))[-1].read_text())["status"] == \
        "incomplete"
