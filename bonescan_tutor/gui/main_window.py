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
from bonescan_tutor.core.annotations import AnnotationSet
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
STUDY, QUIZ, PROGRESS = 0, 1, 2


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings, store: ProgressStore | None = None,
                 trainee: str | None = None) -> None:
        super().__init__()
        self.settings = settings
        self._store = store
        self._trainee_name = trainee
        self.quiz: QuizPresenter | None = None
        self.quiz_set = None  # the storage.quizsets.QuizSet being taken, if any
        self.pending_quiz_set: Path | None = None  # --quiz-set, opened with the dataset
        self.dashboard = None
        self.dataset: Dataset | None = None
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
        #: the open dataset's expert annotations (annotations.bstann beside it), or None
        self.annotations: AnnotationSet | None = None
        self.quiz_page = QWidget()
        QVBoxLayout(self.quiz_page).setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        self.pages.addWidget(splitter)
        self.pages.addWidget(self.quiz_page)
        self.progress_page = QWidget()
        QVBoxLayout(self.progress_page).setContentsMargins(0, 0, 0, 0)
        self.pages.addWidget(self.progress_page)
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
        file_menu, quit_action = self.menuBar().actions()[0].menu(), self.actions["quit"]
        self.recent_menu = file_menu.addMenu("Recent datasets")
        file_menu.removeAction(quit_action)  # Quit stays last, below the recent datasets
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self._refresh_recent()
        self.statusBar().showMessage("No dataset open")
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
        if self._quiz_screen is not None and self.pages.currentIndex() == QUIZ:
            do(self._quiz_screen)

    def active_viewer(self):
        if self.pages.currentIndex() == QUIZ and self._quiz_screen is not None:
            return self._quiz_screen.viewer
        return self.viewer

    def _tool(self, tool: Tool | None, do) -> None:
        """Run a viewer command on the active viewer, if the running quiz allows the tool."""
        if self.pages.currentIndex() == QUIZ and self.quiz is not None and tool is not None:
            if not self.quiz.allows(tool):
                self.statusBar().showMessage("This quiz does not allow that tool.", 4000)
                return
            self.quiz.note_tool(tool)
        do(self.active_viewer().presenter)

    def _study(self, do) -> None:
        if self.pages.currentIndex() == STUDY:
            do()

    def _certainty(self, do) -> None:
        if self.quiz is not None and self.quiz.session is not None and self.pages.currentIndex() == QUIZ:
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
        if store is None or (self.quiz is not None and self.quiz.hides_labels):
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
        if launcher is not None and self.dataset is not None and not self._quiz_running():
            launcher.quick_quiz(self.dataset)

    def review_due(self) -> None:
        launcher = self._launcher()
        if launcher is not None and self.dataset is not None and not self._quiz_running():
            launcher.review_due(self.dataset)

    def _review_missed(self, keys: list[str]) -> None:
        launcher = self._launcher()
        if launcher is not None and self.dataset is not None:
            launcher.review_cases(self.dataset, keys, f"Review: {len(keys)} missed case(s)")

    def _quiz_running(self) -> bool:
        if self.quiz is not None and self.quiz.active:
            self.statusBar().showMessage("Finish or leave the quiz first.", 4000)
            return True
        return False

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
        if self._quiz_running():
            return
        loaded = load_quiz_set(self, path, self.dataset)
        if loaded is not None:
            quiz_set, spec = loaded
            self.start_quiz(spec)
            self.quiz_set = quiz_set

    def _quiz_finished(self) -> None:
        from bonescan_tutor.gui.quiz.launcher import save_results

        quiz, quiz_set = self.quiz, self.quiz_set
        if quiz is None or quiz_set is None or quiz.session_id is None:
            return
        attempts = quiz.store.attempts(session_id=quiz.session_id)
        written = save_results(self, quiz_set, quiz.trainee.name, attempts)
        if written is not None:
            self.statusBar().showMessage(f"Results saved for your instructor: {written}", 10000)
        if self.dashboard is not None:
            self.dashboard.invalidate()

    def start_quiz(self, spec: QuizSpec, resume=None) -> None:
        store, trainee = self.store(), self.trainee()
        if store is None or trainee is None or self.dataset is None:
            return
        from bonescan_tutor.gui.quiz.presenter import QuizPresenter

        self.quiz_set = None
        self.quiz = QuizPresenter(self.quiz_screen, store, self.dataset, trainee)
        self.quiz.on_finished.append(self._quiz_finished)
        self.quiz_screen.attach(self.quiz)
        self.pages.setCurrentIndex(QUIZ)
        self.library.setEnabled(False)
        if resume is not None:
            self.quiz.resume(resume)
        else:
            self.quiz.start(spec)
        self.quiz_screen.title.setText(self.quiz.session.spec.title if self.quiz.session else "")
        # Qt adds " — bonescan-tutor" (the application's display name) itself.
        self.setWindowTitle(f"Quiz: {self.quiz.session.spec.title}"
                            if self.quiz.session else "bonescan-tutor")
        self.quiz_screen.viewer.scans.setFocus()
        self._show_status()

    def leave_quiz(self) -> None:
        if self.pages.currentIndex() != QUIZ or self._quiz_screen is None:
            return
        self.quiz_screen.detach()
        self.quiz = None
        self.quiz_set = None
        if self.dashboard is not None:
            self.dashboard.invalidate()
        self.pages.setCurrentIndex(STUDY)
        self.library.setEnabled(True)
        self.setWindowTitle("bonescan-tutor")
        self._show_status()

    # --- instructor ---------------------------------------------------------------------------
    def new_quiz_set(self) -> None:
        from bonescan_tutor.gui.instructor.builder import QuizSetBuilder

        if self.dataset is None:
            self.statusBar().showMessage("Open a dataset first.", 4000)
            return
        if not self._quiz_running():
            QuizSetBuilder(self.dataset, self.settings, self.cache, self).exec()

    def cohort_results(self) -> None:
        from bonescan_tutor.gui.instructor.cohort_view import CohortDialog

        if not self._quiz_running():
            CohortDialog(self.settings, self.dataset, self).exec()

    def annotate_cases(self) -> None:
        """Instructor > Annotate cases: mark lesions and findings on the open dataset."""
        from bonescan_tutor.gui.instructor.annotate_view import AnnotateDialog

        if self.dataset is None:
            self.statusBar().showMessage("Open a dataset first.", 4000)
            return
        if not self._quiz_running():
            AnnotateDialog(self.settings, self.cache, self.dataset, self).exec()
            self._load_annotations()

    def _load_annotations(self) -> None:
        from bonescan_tutor.gui.viewer.annotation_feedback import load_annotations

        self.annotations, message = load_annotations(self.dataset.root if self.dataset else None)
        if message:
            self.statusBar().showMessage(message, 8000)
        if self._quiz_screen is not None:
            self._quiz_screen.set_annotations(self.annotations)
        if self.dashboard is not None:
            self.dashboard.invalidate()

    # --- pages ------------------------------------------------------------------------------
    def show_library(self) -> None:
        if self.pages.currentIndex() == PROGRESS:
            self.pages.setCurrentIndex(STUDY)

    def show_progress(self) -> None:
        if self.pages.currentIndex() == QUIZ and self.quiz is not None and self.quiz.hides_labels:
            self.statusBar().showMessage("The dashboard opens after the quiz.", 4000)
            return
        store, trainee = self.store(), self.trainee()
        if store is None or trainee is None:
            return
        if self.pages.currentIndex() == QUIZ:
            self.leave_quiz()
        if self.dashboard is None or self.dashboard.property("trainee") != trainee.name:
            from bonescan_tutor.gui.results.localization import localization_loader
            from bonescan_tutor.gui.results.presenter import due_loader, progress_loader
            from bonescan_tutor.gui.results.view import DashboardScreen

            if self.dashboard is not None:
                self.dashboard.setParent(None)
                self.dashboard.deleteLater()
            self.dashboard = DashboardScreen(progress_loader(store, trainee),
                                             self.dataset.fingerprint if self.dataset else None,
                                             due_today=due_loader(store, trainee),
                                             current_layout=self.dataset.layout if self.dataset
                                             else None,
                                             load_localization=localization_loader(
                                                 store, trainee, lambda: self.annotations))
            self.dashboard.setProperty("trainee", trainee.name)
            self.dashboard.openCase.connect(self._open_case_from_dashboard)
            self.dashboard.exportRequested.connect(self.export_results)
            self.progress_page.layout().addWidget(self.dashboard)
        else:
            self.dashboard.invalidate()
        self.pages.setCurrentIndex(PROGRESS)

    def _open_case_from_dashboard(self, key: str) -> None:
        if self.dataset is None or key not in self.dataset:
            self.statusBar().showMessage(f"Case {key} is not in the open dataset.", 6000)
            return
        self.pages.setCurrentIndex(STUDY)
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
                           self.dataset.fingerprint if self.dataset else None,
                           self.dataset.layout if self.dataset else None)

    def offer_resume(self) -> None:
        launcher = self._launcher()
        if launcher is None or self.dataset is None or self._quiz_running():
            return
        record = launcher.offer_resume(self.dataset)
        if record is not None:
            self.start_quiz(record.spec, resume=record)

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

        if self._quiz_running():
            return
        path = download_dataset(self, self.settings)
        if path is not None:
            self.open_dataset(path)

    def open_demo(self) -> None:
        self.open_dataset(str(paths.demo_dataset_dir()))

    def open_dataset(self, path: str | Path) -> None:
        from bonescan_tutor.datasets.detect import open_dataset

        if self._quiz_running():
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
        self._load_annotations()
        self.banner.setVisible(dataset.synthetic)
        self.settings.setValue("dataset/last", dataset.root)
        self._remember_recent(dataset.root)
        self._show_status()
        if self.dashboard is not None:
            self.dashboard.set_current_fingerprint(dataset.fingerprint, dataset.layout)
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
        if self.quiz is not None and self.quiz.hides_labels:
            # During a quiz: nothing about labels, not even the dataset's counts.
            self.statusBar().showMessage(f"{who}{dataset.name}")
            return
        problems = f" — {len(report)} problem(s), see File > Dataset report" if report else ""
        counts = dataset.counts()
        self.statusBar().showMessage(
            f"{who}{dataset.name} [{dataset.layout.value}]: {len(dataset)} cases "
            f"({' / '.join(f'{n} {dataset.label(d).lower()}' for d, n in counts.items())}){problems}")

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

        if self.dataset is not None:
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
