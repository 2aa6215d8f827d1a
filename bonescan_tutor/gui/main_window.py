"""The main window: assembles the screens and the commands, nothing more."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor import paths
from bonescan_tutor.core.cases import Case, Dataset, Projection
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.quiz import QuizSpec, Tool
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui import theme
from bonescan_tutor.gui.actions import ActionRegistry
from bonescan_tutor.gui.dialogs.error import show_error
from bonescan_tutor.gui.library.panel import LibraryPanel
from bonescan_tutor.gui.main_commands import MENUS, register_commands
from bonescan_tutor.gui.session import AppMode, AppSession, ResultsJob
from bonescan_tutor.gui.tasks import run_in_background
from bonescan_tutor.gui.viewer.screen import ViewerScreen

if TYPE_CHECKING:  # the quiz modules load with the first quiz, not at start-up
    from bonescan_tutor.gui.quiz.launcher import QuizLauncher
    from bonescan_tutor.gui.quiz.presenter import QuizPresenter
    from bonescan_tutor.gui.quiz.screen import QuizScreen
    from bonescan_tutor.storage.progress import ProgressStore

log = logging.getLogger(__name__)

DEMO_BANNER = (
    "Synthetic demo: these scans are generated, not real patients, and not for clinical "
    "learning. Get the real IICS-UNA dataset (Zenodo record 13900966) and open it with "
    "File > Open dataset."
)
MAX_RECENT = 8
PAUSED_TEXT = ("<h2>The exam is paused</h2><p>Its clock is stopped. Until it is submitted or "
               "abandoned, the library, the dataset report and the dashboard stay closed.</p>"
               "<p>Quiz &gt; Resume the exam (Ctrl+Shift+E) continues at the first unanswered "
               "case; Quiz &gt; Abandon the exam… ends it with the answers given.</p>")


class _Silent:
    """The view of an exam ended away from its screen: nothing to show."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings, store: ProgressStore | None = None,
                 trainee: str | None = None) -> None:
        super().__init__()
        self.settings = settings
        self._store = store
        self.app = AppSession(self, self.store)
        self.app.trainee_name = trainee
        self.pending_quiz_set: Path | None = None  # --quiz-set, opened with the dataset
        self.dashboard = None
        self.report = ValidationReport()
        self.cache = ImageCache()
        # The style sheet goes on before any widget exists: polishing them all afterwards
        # costs a fifth of a second at start-up.
        self.theme_name = str(settings.value("ui/theme", "dark"))
        theme.apply(self.theme_name)
        self.setWindowTitle("bonescan-tutor")
        self.setAcceptDrops(True)
        self.banner = QLabel(DEMO_BANNER)
        self.banner.setObjectName("demoBanner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.library = LibraryPanel()
        self.viewer = ViewerScreen(settings, self.cache)
        self.scans = self.viewer.scans
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.library)
        splitter.addWidget(self.viewer)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 1000])
        self._quiz_screen: QuizScreen | None = None  # built on the first quiz
        self.quiz_page = QWidget()
        QVBoxLayout(self.quiz_page).setContentsMargins(0, 0, 0, 0)
        self.study_page = splitter
        self.pages = QStackedWidget()
        self.pages.addWidget(splitter)
        self.pages.addWidget(self.quiz_page)
        self.progress_page = QWidget()
        QVBoxLayout(self.progress_page).setContentsMargins(0, 0, 0, 0)
        self.pages.addWidget(self.progress_page)
        self.paused_page = QLabel(PAUSED_TEXT)
        self.paused_page.setObjectName("examPaused")
        self.paused_page.setWordWrap(True)
        self.paused_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.paused_page)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(body)
        self.library.caseChosen.connect(self.show_case)
        self.actions = ActionRegistry(self)
        register_commands(self)
        self.actions.build_menus(self.menuBar(), MENUS)
        self.recent_menu = self.menuBar().actions()[0].menu().addMenu("Recent datasets")
        self._refresh_recent()
        self.statusBar().showMessage("No dataset open")
        self.refresh_commands()
        theme.apply(self.theme_name, self)  # now the scan background too
        geometry = settings.value("ui/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._fit_to_screen()

    def _fit_to_screen(self) -> None:
        """First start: 1280 x 800, or 90 % of a smaller screen (a 1366 x 768 laptop)."""
        screen = self.screen() or QApplication.primaryScreen()
        width, height = 1280, 800
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.95))
            height = min(height, int(available.height() * 0.9))
        self.resize(width, height)

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
        if self.on_quiz_page and self.quiz is not None and tool is not None:
            if not self.quiz.allows(tool):
                self.statusBar().showMessage("This quiz does not allow that tool.", 4000)
                return
            self.quiz.note_tool(tool)
        do(self.active_viewer().presenter)

    def _study(self, do) -> None:
        if self.pages.currentWidget() is self.study_page:
            do()

    def _certainty(self, do) -> None:
        if self.quiz is not None and self.quiz.session is not None and self.on_quiz_page:
            do(self.quiz)

    # --- the trainee and the progress file ------------------------------------------------
    def use_store(self, store: ProgressStore) -> None:
        """Keep progress in ``store`` (a lab's shared folder, or a test's temporary file)."""
        self._store = store

    def store(self) -> ProgressStore | None:
        if self._store is None:
            from bonescan_tutor.gui.quiz.launcher import open_progress

            self._store = open_progress(self)
        return self._store

    def trainee(self):
        store = self.store()
        if store is None:
            return None
        name = self._trainee_name or str(self.settings.value("trainee/last", "")) or \
            store.default_trainee_name()
        self._trainee_name = name
        return store.get_or_create_trainee(name)

    def switch_trainee(self) -> None:
        from bonescan_tutor.gui.dialogs.trainee import pick_trainee

        store = self.store()
        if store is None or not self.app.allows("trainee"):
            return
        name = pick_trainee([t.name for t in store.trainees()],
                            self._trainee_name or store.default_trainee_name(), self)
        if name:
            self._trainee_name = name
            self.settings.setValue("trainee/last", name)
            self._show_status()

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
        self.statusBar().showMessage("Not available now: finish, submit or leave the quiz first.",
                                     4000)
        return True

    def choose_quiz_set(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open quiz set", "",
                                              "Quiz sets (*.bstquiz);;All files (*)")
        if path:
            self.open_quiz_set(Path(path))

    def open_quiz_set(self, path: Path) -> None:
        from bonescan_tutor.gui.quiz.launcher import load_quiz_set

        if self.dataset is None:
            self.pending_quiz_set = path
            return
        if self._blocked("open_quiz_set"):
            return
        loaded = load_quiz_set(self, path, self.dataset)
        if loaded is not None:
            quiz_set, spec = loaded
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
        self.setWindowTitle(f"bonescan-tutor — Quiz: {title}")
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

    # --- instructor ---------------------------------------------------------------------------
    def new_quiz_set(self) -> None:
        from bonescan_tutor.gui.instructor.builder import QuizSetBuilder

        if self.dataset is None:
            self.statusBar().showMessage("Open a dataset first.", 4000)
            return
        if not self._blocked("new_quizset"):
            QuizSetBuilder(self.dataset, self.settings, self.cache, self).exec()

    def cohort_results(self) -> None:
        from bonescan_tutor.gui.instructor.cohort_view import CohortDialog

        if not self._blocked("cohort"):
            CohortDialog(self.settings, self.dataset, self).exec()

    # --- pages ------------------------------------------------------------------------------
    def show_library(self) -> None:
        if not self._blocked("library") and self.pages.currentWidget() is self.progress_page:
            self.pages.setCurrentWidget(self.study_page)
            self.app.mode = AppMode.LIBRARY
            self.refresh_commands()

    def show_progress(self) -> None:
        if self._blocked("progress"):
            return
        store, trainee = self.store(), self.trainee()
        if store is None or trainee is None:
            return
        if self.on_quiz_page:
            self.leave_quiz()
        if self.dashboard is None or self.dashboard.property("trainee") != trainee.name:
            from bonescan_tutor.gui.results.presenter import progress_loader
            from bonescan_tutor.gui.results.view import DashboardScreen

            if self.dashboard is not None:
                self.dashboard.setParent(None)
                self.dashboard.deleteLater()
            self.dashboard = DashboardScreen(progress_loader(store, trainee),
                                             self.dataset.fingerprint if self.dataset else None)
            self.dashboard.setProperty("trainee", trainee.name)
            self.dashboard.openCase.connect(self._open_case_from_dashboard)
            self.dashboard.exportRequested.connect(self.export_results)
            self.progress_page.layout().addWidget(self.dashboard)
        else:
            self.dashboard.invalidate()
        self.pages.setCurrentWidget(self.progress_page)
        self.app.mode = AppMode.REVIEW
        self.refresh_commands()

    def _open_case_from_dashboard(self, key: str) -> None:
        if self.dataset is None or key not in self.dataset:
            self.statusBar().showMessage(f"Case {key} is not in the open dataset.", 6000)
            return
        self.pages.setCurrentWidget(self.study_page)
        self.app.mode = AppMode.LIBRARY
        self.refresh_commands()
        case = self.dataset.case(key)
        if case not in self.library.shown:
            self.library.search.clear()
            self.library.diagnosis.setCurrentIndex(0)
        self.library.select(case)

    def export_results(self, kind: str) -> None:
        from bonescan_tutor.gui.results_export import export_results

        store, trainee = self.store(), self.trainee()
        if store is not None and trainee is not None:
            export_results(self, store, trainee, kind,
                           self.dataset.fingerprint if self.dataset else None)

    def offer_resume(self) -> None:
        if self.dataset is None or self.app.quiz_on_screen or self.store() is None:
            return
        record = self.app.resumable()
        if record is not None:
            self.start_quiz(record.spec, resume=record)
        else:
            self.refresh_commands()

    # --- opening data -------------------------------------------------------------------
    def choose_dataset(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open dataset folder")
        if path:
            self.open_dataset(path)

    def choose_dataset_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open dataset zip or case manifest", "",
            "Datasets (*.zip *.csv *.xlsx);;All files (*)")
        if path:
            self.open_dataset(path)

    def download_dataset(self) -> None:
        from bonescan_tutor.gui.dialogs.download import download_dataset

        if self._blocked("download"):
            return
        path = download_dataset(self, self.settings)
        if path is not None:
            self.open_dataset(path)

    def open_demo(self) -> None:
        self.open_dataset(str(paths.demo_dataset_dir()))

    def open_dataset(self, path: str | Path) -> None:
        from bonescan_tutor.datasets.detect import open_dataset

        if self._blocked("open"):
            return
        self.statusBar().showMessage(f"Opening {path}…")
        run_in_background(lambda: open_dataset(path), self._dataset_opened,
                          lambda exc: self._failed(f"Could not open {path}", exc))

    def _dataset_opened(self, result: tuple[Dataset, ValidationReport]) -> None:
        self.set_dataset(*result)
        if self.report.errors or self.report.warnings:
            self.show_report()
        if self.pending_quiz_set is not None:
            path, self.pending_quiz_set = self.pending_quiz_set, None
            self.open_quiz_set(path)
        else:
            self.offer_resume()

    def set_dataset(self, dataset: Dataset, report: ValidationReport) -> None:
        self.dataset, self.report = dataset, report
        self.cache.clear()
        self.banner.setVisible(dataset.synthetic)
        self.settings.setValue("dataset/last", dataset.root)
        self._remember_recent(dataset.root)
        self._show_status()
        if self.dashboard is not None:
            self.dashboard.set_current_fingerprint(dataset.fingerprint)
        self.refresh_commands()
        if not self.app.allows("library"):
            return  # an exam is open on this dataset: the library stays empty
        self.library.set_dataset(dataset)
        self.library.table.setCurrentCell(-1, -1)
        if self.library.shown:
            self.library.table.setCurrentCell(0, 0)
        else:
            self.viewer.clear()

    def _show_status(self) -> None:
        dataset, report = self.dataset, self.report
        if dataset is None:
            return
        who = f"Trainee: {self._trainee_name}  ·  " if self._trainee_name else ""
        if self.app.labels_hidden:
            # During a quiz: nothing about labels, not even the dataset's counts.
            self.statusBar().showMessage(f"{who}{dataset.name}")
            return
        problems = f" — {len(report)} problem(s), see File > Dataset report" if report else ""
        counts = dataset.counts()
        self.statusBar().showMessage(
            f"{who}{dataset.name} [{dataset.layout.value}]: {len(dataset)} cases "
            f"({' / '.join(f'{n} {d.label.lower()}' for d, n in counts.items())}){problems}")

    def show_case(self, case: Case) -> None:
        shown = self.library.shown
        i = shown.index(case) if case in shown else -1
        neighbours = [shown[j] for j in (i + 1, i - 1, i + 2) if 0 <= j < len(shown)] if i >= 0 else []
        self.viewer.show_case(case, neighbours)

    def reset_view(self) -> None:
        viewer = self.active_viewer()
        viewer.presenter.apply_preset(viewer.presenter.state.preset or "bone-35")
        viewer.scans.fit()

    # --- recent datasets ----------------------------------------------------------------
    def _recent(self) -> list[str]:
        value = self.settings.value("dataset/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(v) for v in items if v]

    def _remember_recent(self, root: str) -> None:
        items = [root, *[r for r in self._recent() if r != root]][:MAX_RECENT]
        self.settings.setValue("dataset/recent", items)
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for root in self._recent():
            action = self.recent_menu.addAction(root)
            action.triggered.connect(lambda _=False, r=root: self.open_dataset(r))
        self.recent_menu.setEnabled(bool(self._recent()))

    # --- drag and drop ------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.open_dataset(urls[0].toLocalFile())
            event.acceptProposedAction()

    # --- dialogs ------------------------------------------------------------------------
    def show_report(self) -> None:
        from bonescan_tutor.gui.dialogs.report import ReportDialog

        if self.dataset is not None and not self._blocked("report"):
            ReportDialog(self.dataset, self.report, self).exec()

    def show_shortcuts(self) -> None:
        from bonescan_tutor.gui.dialogs.shortcuts import ShortcutsDialog

        ShortcutsDialog(self.actions.shortcuts(), self).exec()

    def show_about(self) -> None:
        from bonescan_tutor import __version__

        QMessageBox.about(self, "About bonescan-tutor",
                          f"<b>bonescan-tutor {__version__}</b><br>Teaching quizzes on whole-body "
                          "bone scans. Symmetry tools are teaching aids, not a diagnosis.<br>"
                          "IICS-UNA dataset: doi 10.5281/zenodo.13900966 (CC-BY-4.0).")

    def toggle_theme(self) -> None:
        self.theme_name = "light" if self.theme_name == "dark" else "dark"
        self.settings.setValue("ui/theme", self.theme_name)
        theme.apply(self.theme_name, self)

    def _failed(self, title: str, exc: BaseException) -> None:
        self.statusBar().showMessage(title)
        if isinstance(exc, BonescanError):
            show_error(self, title, str(exc))
        else:
            raise exc

    def displayed(self, projection: Projection) -> np.ndarray | None:
        """What a view shows now (for the self-test and tests)."""
        item = self.scans.views[projection].image
        return None if item.image is None or not item.isVisible() else np.asarray(item.image)

    def closeEvent(self, event) -> None:
        if self.quiz is not None:
            self.quiz.leave()  # the clock stops and the time used is saved
        for viewer in (self.viewer, self.quiz_screen.viewer, self.quiz_screen.end.viewer):
            if viewer.has_unsaved_state:
                viewer.save_state_now()
        self.settings.setValue("ui/geometry", self.saveGeometry())
        if self._trainee_name:
            self.settings.setValue("trainee/last", self._trainee_name)
        self.settings.sync()
        if self._quiz_screen is not None:
            self._quiz_screen.timer.stop()
        self.cache.close()
        super().closeEvent(event)
