"""Instructor > Prepare teaching images: de-identified copies of the open dataset.

Shows one view before and after (everything outside the body silhouette blacked out,
inside the view's crop too), says which images may show patient details and that text
lying on the body cannot be removed, and writes the copies into a folder the
instructor picks (``datasets.deidentify.write_teaching_copy``).
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.cases import Dataset, Projection
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.datasets.capture_report import summarize
from bonescan_tutor.datasets.deidentify import OVERLAP_NOTE, deidentify_view, write_teaching_copy

PREVIEW_HEIGHT = 400


def _grey_pixmap(image: np.ndarray, top: float, height: int = PREVIEW_HEIGHT) -> QPixmap:
    """Uptake bright on black, scaled so ``top`` is white."""
    scaled = np.clip(image.astype(np.float32) * (255.0 / max(top, 1.0)), 0, 255)
    grey = np.ascontiguousarray(scaled.astype(np.uint8))
    h, w = grey.shape
    qimage = QImage(grey.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(qimage).scaledToHeight(
        height, Qt.TransformationMode.SmoothTransformation)


class DeidentifyDialog(QDialog):
    def __init__(self, dataset: Dataset, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset = dataset
        self.setWindowTitle("Prepare teaching images")
        column = QVBoxLayout(self)
        # Never smaller than the previews: a view is shown whole or not at all.
        column.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        intro = QLabel(
            "De-identified copies keep each view's body and black out everything else: "
            "names, numbers, dates and markers around the body, inside each view too. "
            "No file metadata is copied.")
        intro.setWordWrap(True)
        column.addWidget(intro)
        self.warning = QLabel(f"<b>{html.escape(OVERLAP_NOTE)}</b>")
        self.warning.setWordWrap(True)
        column.addWidget(self.warning)
        choose = QHBoxLayout()
        self.case_box = QComboBox()
        self.case_box.addItems(list(dataset.keys))
        self.view_box = QComboBox()
        self.view_box.addItems([p.value for p in Projection])
        choose.addWidget(QLabel("Case:"))
        choose.addWidget(self.case_box)
        choose.addWidget(QLabel("View:"))
        choose.addWidget(self.view_box)
        choose.addStretch(1)
        column.addLayout(choose)
        grid = QGridLayout()
        grid.addWidget(QLabel("Before (as read, uptake bright)"), 0, 0)
        grid.addWidget(QLabel("After (the copy written)"), 0, 1)
        self.before = QLabel()
        self.after = QLabel()
        for label in (self.before, self.after):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.before, 1, 0)
        grid.addWidget(self.after, 1, 1)
        column.addLayout(grid)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.write_button = QPushButton("Write copies to a folder…")
        buttons.addButton(self.write_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.write_button.clicked.connect(self.choose_folder)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.case_box.currentIndexChanged.connect(self.show_preview)
        self.view_box.currentIndexChanged.connect(self.show_preview)
        self.show_preview()
        self.setMinimumWidth(560)
        self.resize(self.sizeHint().expandedTo(self.minimumSizeHint()))

    def show_preview(self) -> None:
        case = self.dataset.get(self.case_box.currentText())
        projection = Projection(self.view_box.currentText() or "anterior")
        view = case.view(projection) if case is not None else None
        if view is None:
            self.before.clear()
            self.after.clear()
            self.status.setText("This case has no such view.")
            return
        try:
            result = deidentify_view(view)
        except BonescanError as exc:
            self.before.clear()
            self.after.clear()
            self.status.setText(f"This view cannot be read: {exc}")
            return
        top = float(np.percentile(result.before, 99.5)) or float(result.before.max())
        for label, pixels in ((self.before, result.before), (self.after, result.after)):
            pixmap = _grey_pixmap(pixels, top)
            label.setPixmap(pixmap)
            label.setFixedSize(pixmap.size())  # the whole view, never clipped by the layout
        lines = [f"{result.removed} pixels outside the body blacked out in this view."]
        found = summarize(self.dataset).lines()
        # The counts only (the files are in File > Dataset report), so the preview fits.
        lines += [line.split(": ", 1)[0] + "." for line in found]
        self.status.setText("\n".join(lines))
        self.status.setToolTip("\n".join(found))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the teaching copies (new or empty)")
        if folder:
            self.write_to(Path(folder))

    def write_to(self, folder: Path) -> bool:
        """Write the copies; the outcome (or the reason it failed) is shown below."""
        try:
            copy = write_teaching_copy(self.dataset, folder)
        except BonescanError as exc:
            self.status.setText(str(exc))
            return False
        text = f"Wrote {len(copy.files)} files for {copy.cases} cases into {copy.folder}."
        if copy.skipped:
            text += " Left out: " + "; ".join(copy.skipped)
        self.status.setText(text + " " + OVERLAP_NOTE)
        return True
