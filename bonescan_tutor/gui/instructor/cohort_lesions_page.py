"""The cohort view's Lesions tab: each annotated lesion and how many trainees found it.

One row per lesion of the answered cases ("lesion 2 of case 41 found by 3 of 12"),
sortable by every column, fewest found first; above it, where the annotations come
from and the metastatic cases left out of the localization figures for lacking them.
"Choose annotations…" asks for ``.bstann`` files (merged) and says so with
``annotationsChosen``; reading them is the dialog's business.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.cases import natural_key
from bonescan_tutor.gui.instructor.cohort_model import CohortReport, lesion_headline, percent
from bonescan_tutor.gui.instructor.sort_table import SortItem, read_only_table

LESION_COLUMNS = ("Lesion", "Case", "No.", "View", "Region", "Found by", "Trainees",
                  "Found (%)", "Note")
SHARE_COLUMN = LESION_COLUMNS.index("Found (%)")


class LesionsPage(QWidget):
    """The per-lesion table with its headline and the annotations chooser."""

    annotationsChosen = Signal(list)  # list[Path]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = QLabel("")
        self.source.setWordWrap(True)
        self.choose_button = QPushButton("Choose annotations…")
        self.choose_button.setAutoDefault(False)
        self.choose_button.setToolTip("Case annotations (.bstann) to score the trainees' "
                                      "marks against; several files are merged.")
        self.choose_button.clicked.connect(self._choose)
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        self.table = read_only_table(LESION_COLUMNS)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.setToolTip("Found by: trainees whose mark fell within the lesion's radius "
                              "plus the tolerance, of the trainees who answered its case.")
        top = QHBoxLayout()
        top.addWidget(self.source, 1)
        top.addWidget(self.choose_button)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.headline)
        column.addWidget(self.table, 1)
        self.folder = ""

    def set_source(self, text: str) -> None:
        self.source.setText(text)

    def _choose(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Choose case annotations", self.folder,
            "Case annotations (*.bstann);;All files (*)")
        if names:
            self.annotationsChosen.emit([Path(n) for n in names])

    def show_report(self, report: CohortReport) -> None:
        self.headline.setText(lesion_headline(report))
        rows = sorted(report.lesions or [], key=lambda r: (natural_key(r.case_key), r.lesion))
        t = self.table
        t.setSortingEnabled(False)
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            note = QTableWidgetItem(r.note)
            note.setToolTip(r.note)
            text = SortItem(r.text, i, right=False)  # case and lesion order
            text.setToolTip(r.text + (f" ({r.region})" if r.region else ""))
            cells = (text, SortItem(r.case_key, i, right=False), SortItem(str(r.lesion), r.lesion),
                     QTableWidgetItem(r.view), QTableWidgetItem(r.region),
                     SortItem(str(r.found_by), r.found_by), SortItem(str(r.readers), r.readers),
                     SortItem(percent(r.share_found), r.share_found), note)
            for col, item in enumerate(cells):
                t.setItem(i, col, item)
        t.resizeColumnToContents(0)
        # fewest found first; the sort is stable, so ties stay in case and lesion order
        t.horizontalHeader().setSortIndicator(SHARE_COLUMN, Qt.SortOrder.AscendingOrder)
        t.setSortingEnabled(True)

    def count_text(self, report: CohortReport | None) -> str:
        """The tab's title."""
        n = None if report is None or report.lesions is None else len(report.lesions)
        return "Lesions" if n is None else f"Lesions ({n})"
