"""The main window: assembles the screens and the commands, nothing more.

The rules (which mode the app is in, which commands can be used, the exam lock,
starting, resuming, leaving, abandoning and results files) belong to the Qt-free
``gui.session.AppSession``; the window is its view. The quiz side of the window lives
in ``main_quiz``, the pages, data and dialogs in ``main_pages``, and the commands as
data in ``main_commands``. Pages are named by their widgets, never by an index.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui import theme
from bonescan_tutor.gui.action_specs import RESUME_EXAM, menu_path
from bonescan_tutor.gui.actions import ActionRegistry
from bonescan_tutor.gui.library.panel import LibraryPanel
from bonescan_tutor.gui.lrs_status import LrsLink
from bonescan_tutor.gui.main_commands import MENUS, register_commands
from bonescan_tutor.gui.main_pages import PageCommands
from bonescan_tutor.gui.main_quiz import QuizCommands
from bonescan_tutor.gui.session import AppSession
from bonescan_tutor.gui.viewer.screen import ViewerScreen

if TYPE_CHECKING:  # the quiz modules load with the first quiz, not at start-up
    from bonescan_tutor.gui.quiz.screen import QuizScreen
    from bonescan_tutor.storage.progress import ProgressStore

log = logging.getLogger(__name__)

DEMO_BANNER = (
    "Synthetic demo: these scans are generated, not real patients, and not for clinical "
    "learning. Get the real IICS-UNA dataset (Zenodo record 13900966) and open it with "
    "File > Open dataset."
)
PAUSED_TEXT = ("<h2>The exam is paused</h2><p>Its clock is stopped. Until it is submitted or "
               "abandoned, the library, the dataset report and the dashboard stay closed.</p>"
               f"<p>{html.escape(menu_path(RESUME_EXAM))} ({RESUME_EXAM.key}) continues at the "
               "first unanswered "
               "case; Quiz &gt; Abandon the exam… ends it with the answers given.</p>")


class MainWindow(QuizCommands, PageCommands, QMainWindow):
    def __init__(self, settings: QSettings, store: ProgressStore | None = None,
                 trainee: str | None = None) -> None:
        super().__init__()
        self.settings = settings
        self._store = store
        self.app = AppSession(self, self.store)
        self.app.trainee_name = trainee
        self.pending_quiz_set: Path | None = None  # --quiz-set, opened with the dataset
        self.opening = None  # the dataset being opened in the background, if any
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
        self.viewer = ViewerScreen(settings, self.cache, controls_soon=False)
        self.scans = self.viewer.scans
        #: what waits until the first case is on screen; None once it is
        self._after_first_case: list[Callable[[], None]] | None = [self.viewer.build_controls]
        self.scans.firstDrawn.connect(self.first_case_done)
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
        file_menu, quit_action = self.menuBar().actions()[0].menu(), self.actions["quit"]
        self.recent_menu = file_menu.addMenu("Recent datasets")
        file_menu.removeAction(quit_action)  # Quit stays last, below the recent datasets
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self._refresh_recent()
        self.statusBar().showMessage("No dataset open")
        #: The Learning Record Store link: ``lrs.start()`` once the progress file is open,
        #: ``lrs.reconfigure(config)`` after the settings change.
        self.lrs = LrsLink(settings, lambda: self._store, self.statusBar())
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

    def after_first_case(self, do: Callable[[], None]) -> None:
        """Run ``do`` once the first case is on screen (now, if it already is or the window
        is not shown): what the first case does not need (the tools beside the scans, the
        expert annotations) waits so the trainee sees the case sooner."""
        if self._after_first_case is None or not self.isVisible():
            do()
        elif do not in self._after_first_case:
            self._after_first_case.append(do)

    @property
    def waiting_for_first_case(self) -> bool:
        """Work waits for the first case to be painted (``after_first_case``)."""
        return self._after_first_case is not None

    def first_case_done(self) -> None:
        """The first case is painted, or the start ended without one (the dataset could not
        be opened, has no case to show, an exam keeps the library empty, or a quiz or the
        dashboard covers the library first): what waited runs now, each from the event
        loop so the paint is on screen first."""
        waiting, self._after_first_case = self._after_first_case, None
        for do in waiting or ():
            QTimer.singleShot(0, do)

    def displayed(self, projection: Projection) -> np.ndarray | None:
        """What a view shows now (for the self-test and tests)."""
        item = self.scans.views[projection].image
        return None if item.image is None or not item.isVisible() else np.asarray(item.image)

    def closeEvent(self, event) -> None:
        self.cancel_opening()
        if self.quiz is not None:
            self.quiz.leave()  # the clock stops and the time used is saved
        viewers = [self.viewer]
        if self._quiz_screen is not None:  # not built only to be closed
            viewers += [self._quiz_screen.viewer, self._quiz_screen.end.viewer]
        for viewer in viewers:
            if viewer.has_unsaved_state:
                viewer.save_state_now()
        self.settings.setValue("ui/geometry", self.saveGeometry())
        if self._trainee_name:
            self.settings.setValue("trainee/last", self._trainee_name)
        self.settings.sync()
        if self._quiz_screen is not None:
            self._quiz_screen.timer.stop()
        self.cache.close()
        self.lrs.close()  # at most 2 s; what is not sent waits for the next start
        super().closeEvent(event)
