"""The main window's quiz side: the app session's view, starting, leaving, resuming
and abandoning quizzes, and writing their results (the decisions are ``AppSession``'s)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.quiz import QuizSpec, Tool
from bonescan_tutor.gui.session import AppMode, ResultsJob

if TYPE_CHECKING:  # the quiz modules load with the first quiz, not at start-up
    from bonescan_tutor.gui.quiz.launcher import QuizLauncher
    from bonescan_tutor.gui.quiz.presenter import QuizPresenter
    from bonescan_tutor.gui.quiz.screen import QuizScreen

log = logging.getLogger(__name__)


class _Silent:
    """The view of an exam ended away from its screen: nothing to show."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


class QuizCommands:
    """Mixed into ``MainWindow``: the quiz commands and the session's view."""

    # --- the session's view -----------------------------------------------------------------
    @property
    def quiz(self) -> QuizPresenter | None:
        return self.app.quiz

    @property
    def dataset(self) -> Dataset | None:
        return self.app.dataset

    @dataset.setter
    def dataset(self, dataset: Dataset | None) -> None:
        self.app.dataset = dataset

    @property
    def _trainee_name(self) -> str | None:
        return self.app.trainee_name

    @_trainee_name.setter
    def _trainee_name(self, name: str | None) -> None:
        self.app.trainee_name = name

    @property
    def on_quiz_page(self) -> bool:
        return self.pages.currentWidget() is self.quiz_page

    def refresh_commands(self) -> None:
        """Enable exactly the commands the session's mode allows (keys and menus alike)."""
        self.app.refresh([spec.id for spec in self.actions])
        self._show_status()

    def show_mode(self, mode: AppMode) -> None:
        if mode is AppMode.EXAM and not self.on_quiz_page:
            self.pages.setCurrentWidget(self.paused_page)
        elif self.pages.currentWidget() is self.paused_page:
            self.pages.setCurrentWidget(self.study_page)
        self.library.setEnabled(mode is AppMode.LIBRARY)

    def set_command_enabled(self, command: str, enabled: bool) -> None:
        self.actions[command].setEnabled(enabled)
        if command == "open":
            self.recent_menu.setEnabled(enabled and bool(self._recent()))

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def ask_resume(self, title: str, answered: int, total: int, exam: bool) -> bool:
        from bonescan_tutor.gui.quiz import launcher

        return launcher.ask_resume(self, title, answered, total, exam)

    def confirm_abandon(self, title: str, unanswered: int) -> bool:
        from bonescan_tutor.gui.quiz import launcher

        return launcher.confirm_abandon(self, title, unanswered)

    def save_results(self, job: ResultsJob) -> Path | None:
        from bonescan_tutor.gui.quiz import launcher

        return launcher.save_results(self, job.quiz_set, job.trainee, job.attempts, job.status)

    # --- commands ------------------------------------------------------------------------
    @property
    def quiz_screen(self) -> QuizScreen:
        """The quiz page, built the first time a quiz starts (it costs start-up time)."""
        if self._quiz_screen is None:
            from bonescan_tutor.gui.quiz.screen import QuizScreen

            self._quiz_screen = QuizScreen(self.settings, self.cache)
            self._quiz_screen.finished.connect(self.leave_quiz)
            self._quiz_screen.reviewRequested.connect(self._review_missed)
            self._quiz_screen.set_annotations(self.annotations)
            self.quiz_page.layout().addWidget(self._quiz_screen)
        return self._quiz_screen

    def _on_quiz_screen(self, do) -> None:
        if self._quiz_screen is not None and self.on_quiz_page:
            do(self._quiz_screen)

    def active_viewer(self):
        if self.on_quiz_page and self._quiz_screen is not None:
            return self._quiz_screen.viewer
        return self.viewer

    def _tool(self, tool: Tool | None, do) -> None:
        """Run a viewer command on the active viewer, if the running quiz allows the tool."""
        if tool is not None and not self.app.allows_tool(tool):
            return  # its menu entry and key are disabled too
        if self.on_quiz_page and self.quiz is not None and tool is not None:
            self.quiz.note_tool(tool)
        do(self.active_viewer().presenter)

    def _study(self, do) -> None:
        if self.pages.currentWidget() is self.study_page:
            do()

    def _certainty(self, do) -> None:
        if self.quiz is not None and self.quiz.session is not None and self.on_quiz_page:
            do(self.quiz)

    # --- quizzes --------------------------------------------------------------------------
    def _launcher(self) -> QuizLauncher | None:
        from bonescan_tutor.gui.quiz.launcher import QuizLauncher

        store, trainee = self.store(), self.trainee()
        if store is None or trainee is None:
            return None
        return QuizLauncher(self, store, trainee, self.start_quiz)

    def quick_quiz(self) -> None:
        launcher = self._launcher()
        if launcher is not None and self.dataset is not None and not self._blocked("quick_quiz"):
            launcher.quick_quiz(self.dataset)

    def review_due(self) -> None:
        launcher = self._launcher()
        if launcher is not None and self.dataset is not None and not self._blocked("review_due"):
            launcher.review_due(self.dataset)

    def _review_missed(self, keys: list[str]) -> None:
        launcher = self._launcher()
        if launcher is not None and self.dataset is not None:
            launcher.review_cases(self.dataset, keys, f"Review: {len(keys)} missed case(s)")

    def _blocked(self, command: str) -> bool:
        """The session's rule for ``command`` (its menu entry and key are disabled too)."""
        if self.app.allows(command):
            return False
        from bonescan_tutor.gui.session import WAIT_FOR_CHECK

        self.statusBar().showMessage(
            "Not available yet: the dataset's images are still being checked (see the bar "
            "under the case list)." if self.app.checking and command in WAIT_FOR_CHECK
            else "Not available now: finish, submit or leave the quiz first.", 4000)
        return True

    def choose_quiz_set(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open quiz set", "",
                                              "Quiz sets (*.bstquiz);;All files (*)")
        if path:
            self.open_quiz_set(Path(path))

    def open_quiz_set(self, path: Path) -> None:
        from bonescan_tutor.gui.main_lrs import propose_endpoint
        from bonescan_tutor.gui.quiz.launcher import load_quiz_set

        if self.dataset is None:
            self.pending_quiz_set = path
            return
        if self._blocked("open_quiz_set"):
            return
        loaded = load_quiz_set(self, path, self.dataset)
        if loaded is not None:
            quiz_set, spec = loaded
            propose_endpoint(self, quiz_set)
            self.start_quiz(spec, quiz_set=quiz_set)

    def _quiz_finished(self) -> None:
        if self.quiz is not None and self.quiz.session_id is not None:
            self.app.quiz_finished(self.quiz.session_id)
        if self.dashboard is not None:
            self.dashboard.invalidate()
        self.refresh_commands()

    def _presenter(self, store, trainee):
        from bonescan_tutor.gui.quiz import launcher
        from bonescan_tutor.gui.quiz.presenter import QuizPresenter

        quiz = QuizPresenter(self.quiz_screen, store, self.dataset, trainee)
        quiz.on_finished.append(self._quiz_finished)
        quiz.on_write_failure = lambda text: launcher.write_failed(self, text)
        return quiz

    def start_quiz(self, spec: QuizSpec, resume=None, quiz_set=None) -> None:
        store, trainee = self.store(), self.trainee()
        if store is None or trainee is None or self.dataset is None:
            return
        # A quiz straight away (--quiz-set, a resumed quiz) covers the library before its
        # first case is painted: what waited for that case comes now.
        self.first_case_done()
        self.app.quiz = quiz = self._presenter(store, trainee)
        self.app.quiz_on_screen = True
        self.quiz_screen.attach(quiz)
        self.pages.setCurrentWidget(self.quiz_page)
        if resume is not None:
            quiz.resume(resume)
        else:
            quiz.start(spec, quizset_json=self.app.quizset_json(quiz_set))
        title = quiz.session.spec.title if quiz.session else ""
        self.quiz_screen.title.setText(title)
        # Qt adds " — bonescan-tutor" (the application's display name) itself.
        self.setWindowTitle(f"Quiz: {title}")
        self.quiz_screen.viewer.scans.setFocus()
        self.refresh_commands()

    def leave_quiz(self) -> None:
        if not self.on_quiz_page or self._quiz_screen is None:
            return
        self.app.leave()
        self.quiz_screen.detach()
        if self.dashboard is not None:
            self.dashboard.invalidate()
        self.pages.setCurrentWidget(self.study_page)
        self.setWindowTitle("bonescan-tutor")
        self.refresh_commands()

    def resume_exam(self) -> None:
        record = self.app.open_exam()
        if record is not None:
            self.start_quiz(record.spec, resume=record)

    def abandon_exam(self) -> None:
        store, trainee = self.store(), self.trainee()
        if store is None or trainee is None:
            return
        on_screen = self.on_quiz_page
        if self.app.abandon(lambda record: self._left_exam(store, trainee, record)):
            if on_screen:
                self.leave_quiz()
            self.refresh_commands()

    def _left_exam(self, store, trainee, record):
        """A left exam's quiz, rebuilt off screen so it can be abandoned."""
        from bonescan_tutor.gui.quiz import launcher
        from bonescan_tutor.gui.quiz.presenter import QuizPresenter

        quiz = QuizPresenter(_Silent(), store, self.dataset, trainee)
        quiz.on_write_failure = lambda text: launcher.write_failed(self, text)
        quiz.resume(record)
        quiz.on_finished.append(lambda: self.app.quiz_finished(record.id))
        return quiz

    def write_results_again(self) -> None:
        from bonescan_tutor.gui.quiz import launcher

        self.app.write_results_again(lambda records: launcher.choose_session(self, records))

    def offer_resume(self) -> None:
        if self.dataset is None or self.app.quiz_on_screen or self.store() is None:
            return
        record = self.app.resumable()
        if record is not None:
            self.start_quiz(record.spec, resume=record)
        else:
            self.refresh_commands()

