"""The app's session: what is open, who is working, and what each mode allows. Qt-free.

``AppSession`` owns the open dataset, the trainee, the progress store and the app's
``AppMode``. Its rules decide, in one place, which commands can be used (menus and
keys read the same answer, and a command that cannot be used is disabled, never
refused after a dialog), and when labels may be shown. The exam lock lives here: from
the first case of an exam until it is submitted or abandoned, nothing that shows a
label or a class count is reachable, also while the exam is paused or left.

The quiz decisions also live here: which unfinished quiz to offer for resuming,
leaving (which pauses and saves the time), abandoning, and the results file that
every finished quiz-set quiz writes (``results_job``). The Qt side (``AppView``) only
asks the questions and shows the answers; tests drive this class with a fake view.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.overlays import specs
from bonescan_tutor.core.quiz import QuizMode, Tool
from bonescan_tutor.storage.progress import (
    ProgressStore,
    SessionRecord,
    SessionStatus,
    StoredAttempt,
    Trainee,
)

if TYPE_CHECKING:  # quiz sets and results files load with the first quiz
    from bonescan_tutor.gui.quiz.presenter import QuizPresenter
    from bonescan_tutor.storage.quizsets import QuizSet
    from bonescan_tutor.storage.results import ResultStatus


class AppMode(enum.Enum):
    LIBRARY = "library"  # browsing the labelled cases
    PRACTICE = "practice"  # a practice quiz: each label shown after its answer
    EXAM = "exam"  # an exam running, paused or left: no label anywhere
    REVIEW = "review"  # the progress dashboard
    INSTRUCTOR = "instructor"  # building quiz sets, merging results


#: Commands that show labels, class counts or let the dataset be browsed or changed.
REVEALING = frozenset({
    "open", "open_zip", "open_demo", "download", "report", "library", "progress",
    "new_quizset", "cohort", "annotate", "trainee", "next", "previous", "page_down", "page_up",
    "quick_quiz", "review_due", "open_quiz_set", "write_results_again", "teaching_images",
    "open_annotations",
})
#: Commands of the quiz screen: used only while a quiz is on screen.
QUIZ_ONLY = frozenset({
    "answer_yes", "answer_no", "certainty_50", "certainty_60", "certainty_70",
    "certainty_80", "certainty_90", "certainty_100", "certainty_down", "certainty_up",
    "quiz_next", "exam_previous", "exam_next", "submit", "pause", "leave_quiz",
})
#: Viewer commands and the quiz tool each one uses (presets: "preset_<n>", windowing;
#: the overlays: ``core.overlays``).
TOOL_COMMANDS = {
    "mirror": Tool.MIRROR_POSTERIOR, "invert": Tool.INVERT, "auto": Tool.WINDOWING,
}


def tool_of(command: str) -> Tool | None:
    """The quiz tool ``command`` uses; overlay commands come from ``core.overlays``."""
    if command.startswith("preset_"):
        return Tool.WINDOWING
    overlay = next((s for s in specs() if s.action == command), None)
    return overlay.tool if overlay is not None else TOOL_COMMANDS.get(command)


#: Exam commands that stay usable while an exam is paused away from its screen.
EXAM_AWAY = frozenset({"resume_exam", "abandon_exam"})
#: Commands that need the whole dataset: they wait while its images are still checked.
WAIT_FOR_CHECK = frozenset({
    "quick_quiz", "review_due", "open_quiz_set", "new_quizset", "teaching_images",
    "annotate", "open_annotations", "report", "progress", "cohort", "write_results_again",
})


@dataclass(frozen=True)
class ResultsJob:
    """A results file to write: for whom, which set, which answers, complete or not."""

    quiz_set: QuizSet
    trainee: str
    attempts: tuple[StoredAttempt, ...]
    status: ResultStatus


class AppView(Protocol):
    """What the session needs from the window (a fake in tests)."""

    def show_mode(self, mode: AppMode) -> None: ...
    def set_command_enabled(self, command: str, enabled: bool) -> None: ...
    def show_status(self, text: str) -> None: ...
    def ask_resume(self, title: str, answered: int, total: int, exam: bool) -> bool: ...
    def confirm_abandon(self, title: str, unanswered: int) -> bool: ...
    def save_results(self, job: ResultsJob) -> Path | None: ...


def results_job(store: ProgressStore, session_id: int) -> ResultsJob | None:
    """The results file a closed quiz-set session owes its instructor, or None."""
    record = store.session(session_id)
    if record.quizset_json is None or record.status is SessionStatus.ACTIVE:
        return None
    from bonescan_tutor.storage.quizsets import quizset_from_dict
    from bonescan_tutor.storage.results import ResultStatus

    quiz_set = quizset_from_dict(json.loads(record.quizset_json), "the stored quiz set")
    names = {t.id: t.name for t in store.trainees()}
    attempts = tuple(store.attempts(session_id=session_id))
    status = (ResultStatus.INCOMPLETE if record.status is SessionStatus.ABANDONED
              else ResultStatus.COMPLETE)
    return ResultsJob(quiz_set, names[record.trainee_id], attempts, status)


class AppSession:
    """The open dataset, the trainee, the progress store and the mode, with its rules."""

    def __init__(self, view: AppView, store: Callable[[], ProgressStore | None]) -> None:
        self.view = view
        self._store = store
        self.dataset: Dataset | None = None
        #: a dataset is being opened: its images are still being checked
        self.checking = False
        self.trainee_name: str | None = None
        self.quiz: QuizPresenter | None = None
        self.quiz_on_screen = False
        self.mode = AppMode.LIBRARY

    # --- what is open ------------------------------------------------------------------
    @property
    def store(self) -> ProgressStore | None:
        return self._store()

    def trainee(self) -> Trainee | None:
        store = self.store
        if store is None:
            return None
        if not self.trainee_name:
            self.trainee_name = store.default_trainee_name()
        return store.get_or_create_trainee(self.trainee_name)

    def open_exam(self) -> SessionRecord | None:
        """The trainee's unfinished exam on the open dataset (running, paused or left)."""
        store, trainee = self.store, self.trainee()
        if store is None or trainee is None or self.dataset is None:
            return None
        for record in store.unfinished_sessions(trainee):
            if record.mode is QuizMode.EXAM and \
                    record.dataset_fingerprint == self.dataset.fingerprint:
                return record
        return None

    # --- the rules -----------------------------------------------------------------------
    @property
    def exam_locked(self) -> bool:
        """True from an exam's first case until it is submitted or abandoned."""
        q = self.quiz
        if q is not None and q.session is not None and q.session.mode is QuizMode.EXAM \
                and not q.session.done:
            return True
        return self.open_exam() is not None

    @property
    def labels_hidden(self) -> bool:
        """No label or class count may be shown (an exam, or a practice case unanswered)."""
        return self._labels_hidden(self.exam_locked)

    def _labels_hidden(self, locked: bool) -> bool:
        return locked or (self.quiz is not None and self.quiz_on_screen
                          and self.quiz.hides_labels)

    def allows(self, command: str) -> bool:
        """The one check of every command, for its key and its menu entry alike."""
        return self._allows(command, self.exam_locked)

    def allows_tool(self, tool: Tool) -> bool:
        """A viewer tool: always in the library; in a quiz, when its set allows it (the
        quiz screen's widgets follow the same set)."""
        if not self.quiz_on_screen or self.quiz is None:
            return True
        return self.quiz.allows(tool)

    def _allows(self, command: str, locked: bool) -> bool:
        running = self.quiz_on_screen and self.quiz is not None and self.quiz.active
        tool = tool_of(command)
        if tool is not None:
            return self.allows_tool(tool)
        if self.checking and command in WAIT_FOR_CHECK:
            return False
        if command in QUIZ_ONLY:
            return self.quiz_on_screen and self.quiz is not None
        if command in EXAM_AWAY:
            return locked and not self.quiz_on_screen
        if command in REVEALING:
            return not (self._labels_hidden(locked) or running)
        return True

    def refresh(self, commands: list[str]) -> None:
        """Tell the view the mode and which of ``commands`` can be used now."""
        locked = self.exam_locked  # one look at the progress file for all commands
        self.mode = self._mode(locked)
        self.view.show_mode(self.mode)
        for command in commands:
            self.view.set_command_enabled(command, self._allows(command, locked))

    def _mode(self, locked: bool) -> AppMode:
        if locked:
            return AppMode.EXAM
        if self.quiz_on_screen and self.quiz is not None:
            return AppMode.PRACTICE
        if self.mode in (AppMode.REVIEW, AppMode.INSTRUCTOR):
            return self.mode
        return AppMode.LIBRARY

    # --- quiz decisions ------------------------------------------------------------------
    def resumable(self) -> SessionRecord | None:
        """The unfinished quiz to offer, if the trainee agrees to resume it."""
        store, trainee = self.store, self.trainee()
        if store is None or trainee is None or self.dataset is None:
            return None
        for record in store.unfinished_sessions(trainee):
            if record.dataset_fingerprint != self.dataset.fingerprint:
                continue
            answered = len(store.attempts(session_id=record.id))
            if self.view.ask_resume(record.quiz_title, answered, len(record.spec.case_keys),
                                    record.mode is QuizMode.EXAM):
                return record
            return None
        return None

    def leave(self) -> None:
        """Leave the quiz screen: the quiz pauses and its time is saved (an exam stays
        locked until it is submitted or abandoned)."""
        if self.quiz is not None:
            self.quiz.leave()
        self.quiz = None
        self.quiz_on_screen = False

    def abandon(self, presenter_for: Callable[[SessionRecord], QuizPresenter]) -> bool:
        """Abandon the open exam after an explicit yes: answers locked, results written
        marked incomplete. ``presenter_for`` rebuilds a left exam's quiz."""
        record = self.open_exam()
        if record is None:
            return False
        store = self.store
        assert store is not None
        unanswered = len(record.spec.case_keys) - len(store.attempts(session_id=record.id))
        if not self.view.confirm_abandon(record.quiz_title, unanswered):
            return False
        quiz = self.quiz if self.quiz is not None and self.quiz.session_id == record.id \
            else presenter_for(record)
        quiz.abandon()
        return True

    def quiz_finished(self, session_id: int) -> Path | None:
        """Every way a quiz-set quiz ends comes here: write its results file."""
        store = self.store
        if store is None:
            return None
        job = results_job(store, session_id)
        if job is None:
            return None
        written = self.view.save_results(job)
        if written is not None:
            self.view.show_status(f"Results saved for your instructor: {written}")
        else:
            self.view.show_status("The results file was NOT written; use Quiz > Write results "
                                  "file again.")
        return written

    def write_results_again(self, choose: Callable[[list[SessionRecord]], SessionRecord | None]
                            ) -> Path | None:
        """Re-create a finished quiz set's results file from the progress file."""
        store, trainee = self.store, self.trainee()
        if store is None or trainee is None:
            return None
        records = store.quizset_sessions(trainee)
        if not records:
            self.view.show_status("No finished quiz set to write results for.")
            return None
        record = records[0] if len(records) == 1 else choose(records)
        return None if record is None else self.quiz_finished(record.id)

    def quizset_json(self, quiz_set: QuizSet | None) -> str | None:
        return None if quiz_set is None else json.dumps(quiz_set.to_dict(), sort_keys=True)
