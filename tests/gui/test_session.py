"""The app session with a fake view: modes, the exam lock, resuming, abandoning, results."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bonescan_tutor.core.cases import ClinicalInfo, Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.quiz.presenter import QuizPresenter, quiz_clinical_lines
from bonescan_tutor.gui.session import REVEALING, AppMode, AppSession, ResultsJob
from bonescan_tutor.storage.progress import ProgressStore
from bonescan_tutor.storage.quizsets import QuizSet
from bonescan_tutor.storage.results import ResultStatus, write_results
from tests.builders import Spec, build


class FakeView:
    """Records what the session shows and answers its questions as told."""

    def __init__(self) -> None:
        self.mode: AppMode | None = None
        self.enabled: dict[str, bool] = {}
        self.status: list[str] = []
        self.resume_answer = True
        self.abandon_answer = True
        self.asked: list[tuple[str, ...]] = []
        self.results_folder: Path | None = None

    def show_mode(self, mode: AppMode) -> None:
        self.mode = mode

    def set_command_enabled(self, command: str, enabled: bool) -> None:
        self.enabled[command] = enabled

    def show_status(self, text: str) -> None:
        self.status.append(text)

    def ask_resume(self, title: str, answered: int, total: int, exam: bool) -> bool:
        self.asked.append(("resume", title, str(answered), str(total), str(exam)))
        return self.resume_answer

    def confirm_abandon(self, title: str, unanswered: int) -> bool:
        self.asked.append(("abandon", title, str(unanswered)))
        return self.abandon_answer

    def save_results(self, job: ResultsJob) -> Path | None:
        return write_results(job.quiz_set, job.trainee, job.attempts, self.results_folder,
                             status=job.status)


class QuizView:
    def __getattr__(self, name: str):
        return lambda *a, **k: None


COMMANDS = sorted(REVEALING | {"answer_yes", "submit", "resume_exam", "abandon_exam", "theme"})


@pytest.fixture
def setup(tmp_path: Path):
    dataset, _ = open_dataset(build(tmp_path / "data", Spec(n_met=2, n_normal=2)))
    store = ProgressStore.open(tmp_path / "progress.sqlite3")
    view = FakeView()
    view.results_folder = tmp_path / "results"
    app = AppSession(view, lambda: store)
    app.dataset = dataset
    app.trainee_name = "Ana"
    yield app, view, store, dataset
    store.close()


def start(app: AppSession, store: ProgressStore, mode: QuizMode, quiz_set: QuizSet | None = None
          ) -> QuizPresenter:
    assert app.dataset is not None
    trainee = app.trainee()
    assert trainee is not None
    quiz = QuizPresenter(QuizView(), store, app.dataset, trainee)
    spec = quiz_set.spec if quiz_set else QuizSpec.create(
        "Q", tuple(c.key for c in app.dataset.quiz_cases), mode, seed=1)
    quiz.start(spec, quizset_json=app.quizset_json(quiz_set))
    app.quiz, app.quiz_on_screen = quiz, True
    return quiz


def test_the_library_allows_everything_but_quiz_keys(setup) -> None:
    app, view, _store, _ = setup
    app.refresh(COMMANDS)
    assert view.mode is AppMode.LIBRARY
    assert all(view.enabled[c] for c in REVEALING)
    assert not view.enabled["answer_yes"] and not view.enabled["abandon_exam"]


def test_an_exam_locks_every_revealing_command_until_abandoned(setup) -> None:
    app, view, store, dataset = setup
    qs = QuizSet.for_dataset(QuizSpec.create("Exam", tuple(c.key for c in dataset.quiz_cases),
                                             QuizMode.EXAM, seed=2), dataset)
    quiz = start(app, store, QuizMode.EXAM, qs)
    quiz.set_certainty(70)
    quiz.answer(Diagnosis.METASTASES)
    app.refresh(COMMANDS)
    assert view.mode is AppMode.EXAM and app.labels_hidden
    assert not any(view.enabled[c] for c in REVEALING)
    assert view.enabled["answer_yes"] and view.enabled["submit"]
    app.leave()  # paused and left: still locked
    app.refresh(COMMANDS)
    assert view.mode is AppMode.EXAM and not any(view.enabled[c] for c in REVEALING)
    assert view.enabled["resume_exam"] and view.enabled["abandon_exam"]
    assert store.session(quiz.session_id).clock is not None
    view.abandon_answer = False  # the trainee says no: nothing changes
    assert not app.abandon(lambda record: pytest.fail("not rebuilt without a yes"))
    assert app.exam_locked
    view.abandon_answer = True

    def rebuilt(record):
        q = QuizPresenter(QuizView(), store, dataset, app.trainee())
        q.resume(record)
        q.on_finished.append(lambda: app.quiz_finished(record.id))
        return q

    assert app.abandon(rebuilt)
    assert ("abandon", "Exam", str(len(dataset.quiz_cases) - 1)) in view.asked
    app.refresh(COMMANDS)
    assert view.mode is AppMode.LIBRARY and all(view.enabled[c] for c in REVEALING)
    (written,) = view.results_folder.glob("*.bstresult")
    assert json.loads(written.read_text())["status"] == ResultStatus.INCOMPLETE.value


def test_a_practice_quiz_on_screen_blocks_the_library_but_not_after(setup) -> None:
    app, view, store, _ = setup
    start(app, store, QuizMode.PRACTICE)
    app.refresh(COMMANDS)
    assert view.mode is AppMode.PRACTICE and not view.enabled["library"]
    app.leave()
    app.refresh(COMMANDS)
    assert view.mode is AppMode.LIBRARY and view.enabled["library"]


def test_resume_is_offered_once_and_declining_keeps_the_quiz(setup) -> None:
    app, view, store, _ = setup
    quiz = start(app, store, QuizMode.PRACTICE)
    app.leave()
    view.resume_answer = False
    assert app.resumable() is None
    view.resume_answer = True
    record = app.resumable()
    assert record is not None and record.id == quiz.session_id
    assert view.asked[-1][0] == "resume" and view.asked[-1][-1] == "False"


def test_results_are_written_again_from_the_progress_file(setup) -> None:
    app, view, store, dataset = setup
    qs = QuizSet.for_dataset(QuizSpec.create("Set", tuple(c.key for c in dataset.quiz_cases)[:2],
                                             QuizMode.EXAM, seed=2), dataset)
    quiz = start(app, store, QuizMode.EXAM, qs)
    quiz.on_finished.append(lambda: app.quiz_finished(quiz.session_id))
    quiz.set_certainty(90)
    quiz.answer(Diagnosis.NO_METASTASES)
    quiz.submit()
    assert len(list(view.results_folder.glob("*.bstresult"))) == 1
    app.write_results_again(lambda records: pytest.fail("one set: no choice asked"))
    files = sorted(view.results_folder.glob("*.bstresult"))
    assert len(files) == 2
    assert json.loads(files[-1].read_text())["status"] == ResultStatus.COMPLETE.value


def test_a_quiz_shows_age_and_sex_only() -> None:
    import datetime as dt

    info = ClinicalInfo(age=71, sex="M", weight_kg=80.0, height_cm=172.0,
                        acquisition_date=dt.date(2021, 3, 4))
    assert quiz_clinical_lines(info) == ("Age: 71 years", "Sex: M")


def test_pillow_debug_lines_stay_quiet_even_with_verbose(tmp_path: Path, caplog,
                                                         capsys) -> None:
    from PIL import Image

    from bonescan_tutor import cli

    data = build(tmp_path / "data", Spec(n_met=1, n_normal=1))
    before = {name: logging.getLogger(name).level for name in cli.QUIET_LOGGERS}
    try:
        cli.run(["-v", "validate", str(data)])
        caplog.set_level(logging.DEBUG)
        png = next(data.rglob("*.png"))  # its folder names its label
        with Image.open(png) as im:
            im.load()
        assert caplog.records == [] or not [r for r in caplog.records
                                            if r.name.startswith("PIL")]
        assert png.name not in capsys.readouterr().err
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


def test_tool_commands_follow_the_quiz_set(setup) -> None:
    from bonescan_tutor.core.quiz import Tool

    app, view, store, dataset = setup
    tools = ["invert", "midline", "preset_3", "hotspots"]
    app.refresh(tools)
    assert all(view.enabled[c] for c in tools)  # the library keeps every tool
    trainee = app.trainee()
    quiz = QuizPresenter(QuizView(), store, dataset, trainee)
    quiz.start(QuizSpec.create("Plain", tuple(c.key for c in dataset.quiz_cases),
                               QuizMode.PRACTICE, tools_allowed=frozenset({Tool.INVERT})))
    app.quiz, app.quiz_on_screen = quiz, True
    app.refresh(tools)
    assert view.enabled == {"invert": True, "midline": False, "preset_3": False,
                            "hotspots": False}
