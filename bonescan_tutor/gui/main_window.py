"""The main window: assembles the screens and the commands, nothing more."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor import paths
from bonescan_tutor.core.cases import Case, Dataset, Projection
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui import theme
from bonescan_tutor.gui.actions import ActionRegistry, ActionSpec
from bonescan_tutor.gui.dialogs.error import show_error
from bonescan_tutor.gui.library.panel import LibraryPanel
from bonescan_tutor.gui.tasks import run_in_background
from bonescan_tutor.gui.viewer.model import Overlay
from bonescan_tutor.gui.viewer.screen import ViewerScreen

log = logging.getLogger(__name__)

DEMO_BANNER = (
    "Synthetic demo: these scans are generated, not real patients, and not for clinical "
    "learning. Get the real IICS-UNA dataset (Zenodo record 13900966) and open it with "
    "File > Open dataset."
)
MAX_RECENT = 8
MENUS = ("&File", "&View", "&Window", "&Overlays", "&Help")


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.dataset: Dataset | None = None
        self.report = ValidationReport()
        self.cache = ImageCache()
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
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(splitter, 1)
        self.setCentralWidget(body)
        self.library.caseChosen.connect(self.show_case)
        self.actions = ActionRegistry(self)
        self._register_actions()
        self.actions.build_menus(self.menuBar(), MENUS)
        self.recent_menu = self.menuBar().actions()[0].menu().addMenu("Recent datasets")
        self._refresh_recent()
        self.statusBar().showMessage("No dataset open")
        self.theme_name = str(settings.value("ui/theme", "dark"))
        theme.apply(self.theme_name, self)
        geometry = settings.value("ui/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    # --- commands ------------------------------------------------------------------------
    def _register_actions(self) -> None:
        p = self.viewer.presenter
        add = self.actions.add
        add(ActionSpec("open", "&File", "&Open dataset folder…", "Ctrl+O"), self.choose_dataset)
        add(ActionSpec("open_zip", "&File", "Open dataset &zip or manifest…", "Ctrl+Shift+O"),
            self.choose_dataset_file)
        add(ActionSpec("open_demo", "&File", "Open the synthetic &demo"), self.open_demo)
        add(ActionSpec("report", "&File", "Dataset &report…", "Ctrl+R"), self.show_report)
        add(ActionSpec("quit", "&File", "&Quit", "Ctrl+Q"), self.close)
        add(ActionSpec("next", "&View", "Next case", "Down"), lambda: self.library.step(1))
        add(ActionSpec("previous", "&View", "Previous case", "Up"), lambda: self.library.step(-1))
        add(ActionSpec("page_down", "&View", "Ten cases on", "PgDown"), lambda: self.library.step(10))
        add(ActionSpec("page_up", "&View", "Ten cases back", "PgUp"), lambda: self.library.step(-10))
        add(ActionSpec("reset", "&View", "Reset zoom and window", "R"), self.reset_view)
        add(ActionSpec("mirror", "&View", "Mirror the posterior view", "H"), p.toggle_mirror_posterior)
        add(ActionSpec("theme", "&View", "Light/dark theme", "Ctrl+T"), self.toggle_theme)
        add(ActionSpec("invert", "&Window", "Invert gray", "I"), p.toggle_invert)
        add(ActionSpec("auto", "&Window", "Auto window (skeleton)", "0"), p.auto_window)
        from bonescan_tutor.core.windowing import PRESETS

        for preset in PRESETS.values():
            add(ActionSpec(f"preset_{preset.key}", "&Window", f"Preset {preset.name}",
                           str(preset.key), preset.description),
                lambda k=preset.key: p.apply_preset_key(k))
        add(ActionSpec("midline", "&Overlays", "Midline", "M"), lambda: p.toggle_overlay(Overlay.MIDLINE))
        add(ActionSpec("ghost", "&Overlays", "Mirrored ghost", "G"), lambda: p.toggle_overlay(Overlay.GHOST))
        add(ActionSpec("asymmetry", "&Overlays", "Asymmetry map", "A"),
            lambda: p.toggle_overlay(Overlay.ASYMMETRY))
        add(ActionSpec("hotspots", "&Overlays", "Hot spots and regional indices", "S"),
            lambda: p.toggle_overlay(Overlay.HOTSPOTS))
        add(ActionSpec("shortcuts", "&Help", "&Keyboard shortcuts", "F1"), self.show_shortcuts)
        add(ActionSpec("about", "&Help", "&About"), self.show_about)

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

    def open_demo(self) -> None:
        self.open_dataset(str(paths.demo_dataset_dir()))

    def open_dataset(self, path: str | Path) -> None:
        from bonescan_tutor.datasets.detect import open_dataset

        self.statusBar().showMessage(f"Opening {path}…")
        run_in_background(lambda: open_dataset(path), self._dataset_opened,
                          lambda exc: self._failed(f"Could not open {path}", exc))

    def _dataset_opened(self, result: tuple[Dataset, ValidationReport]) -> None:
        self.set_dataset(*result)
        if self.report.errors or self.report.warnings:
            self.show_report()

    def set_dataset(self, dataset: Dataset, report: ValidationReport) -> None:
        self.dataset, self.report = dataset, report
        self.cache.clear()
        self.banner.setVisible(dataset.synthetic)
        self.settings.setValue("dataset/last", dataset.root)
        self._remember_recent(dataset.root)
        problems = f" — {len(report)} problem(s), see File > Dataset report" if report else ""
        counts = dataset.counts()
        self.statusBar().showMessage(
            f"{dataset.name} [{dataset.layout.value}]: {len(dataset)} cases "
            f"({' / '.join(f'{n} {d.label.lower()}' for d, n in counts.items())}){problems}")
        self.library.set_dataset(dataset)
        self.library.table.setCurrentCell(-1, -1)
        if self.library.shown:
            self.library.table.setCurrentCell(0, 0)
        else:
            self.viewer.clear()

    def show_case(self, case: Case) -> None:
        shown = self.library.shown
        i = shown.index(case) if case in shown else -1
        neighbours = [shown[j] for j in (i + 1, i - 1, i + 2) if 0 <= j < len(shown)] if i >= 0 else []
        self.viewer.show_case(case, neighbours)

    def reset_view(self) -> None:
        self.viewer.presenter.apply_preset(self.viewer.presenter.state.preset or "bone-35")
        self.scans.fit()

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
        from PySide6.QtWidgets import QMessageBox

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
        self.settings.setValue("ui/geometry", self.saveGeometry())
        self.settings.sync()
        self.cache.close()
        super().closeEvent(event)
