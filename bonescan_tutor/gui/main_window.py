"""The main window: assembles the screens, nothing more."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QVBoxLayout, QWidget

from bonescan_tutor import paths
from bonescan_tutor.core.cases import Case, Dataset, Projection
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.gui.dialogs.error import show_error
from bonescan_tutor.gui.tasks import run_in_background
from bonescan_tutor.gui.viewer.scan_view import INVERTED_GRAY, DualScanView

log = logging.getLogger(__name__)

DEMO_BANNER = (
    "Synthetic demo: these scans are generated, not real patients, and not for clinical "
    "learning. Get the real IICS-UNA dataset (Zenodo record 13900966) and open it with "
    "File > Open dataset."
)


def first_look(image: np.ndarray) -> np.ndarray:
    """Inverted gray, 0-35 % of the maximum: the skeleton visible, the bladder saturated."""
    top = max(float(image.max()) * 0.35, 1.0)
    scaled = np.clip(image.astype(np.float32) * (255.0 / top), 0, 255).astype(np.uint8)
    return INVERTED_GRAY[:, 0][scaled]


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.dataset: Dataset | None = None
        self.report = ValidationReport()
        self.setWindowTitle("bonescan-tutor")
        self.resize(1100, 860)
        self.banner = QLabel(DEMO_BANNER)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#5a4100;color:#fff3c4;padding:6px;font-weight:bold")
        self.banner.setVisible(False)
        self.scans = DualScanView()
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.banner)
        column.addWidget(self.scans, 1)
        self.setCentralWidget(body)
        self._build_menus()
        self.statusBar().showMessage("No dataset open")

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        for text, key, slot in (
            ("&Open dataset…", QKeySequence.StandardKey.Open, self.choose_dataset),
            ("Open the synthetic &demo", None, self.open_demo),
            ("&Quit", QKeySequence.StandardKey.Quit, self.close),
        ):
            action = QAction(text, self)
            if key is not None:
                action.setShortcut(key)
            action.triggered.connect(slot)
            file_menu.addAction(action)

    # --- opening data -------------------------------------------------------------------
    def choose_dataset(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open dataset folder")
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

    def set_dataset(self, dataset: Dataset, report: ValidationReport) -> None:
        self.dataset, self.report = dataset, report
        self.banner.setVisible(dataset.synthetic)
        self.settings.setValue("dataset/last", dataset.root)
        problems = f", {len(report)} problem(s) found" if report else ""
        self.statusBar().showMessage(
            f"{dataset.name} [{dataset.layout.value}]: {len(dataset)} cases{problems}")
        if dataset.cases:
            self.show_case(dataset.cases[0])

    def show_case(self, case: Case) -> None:
        from bonescan_tutor.datasets.images import load_view

        for projection, view in self.scans.views.items():
            ref = case.view(projection)
            if ref is None:
                view.show_error(f"No {projection.value} view for this case")
                continue
            try:
                view.show_image(first_look(load_view(ref)))
            except BonescanError as exc:
                view.show_error(str(exc))
        self.scans.fit()

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
