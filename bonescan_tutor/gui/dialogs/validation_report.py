"""The dataset report: what was loaded, and every problem with its file and its fix."""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets.capture_report import summarize
from bonescan_tutor.gui.screen_fit import fit_to_screen


class ValidationReportDialog(QDialog):
    def __init__(self, dataset: Dataset, report: ValidationReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Dataset report")
        fit_to_screen(self, 900, 480, parent)
        column = QVBoxLayout(self)
        counts = dataset.counts()
        summary = (f"<b>{dataset.name}</b> ({dataset.layout.value} layout)<br>{dataset.root}<br>"
                   f"{len(dataset)} cases loaded, {len(dataset.quiz_cases)} usable in quizzes: "
                   + ", ".join(f"{n} {dataset.label(d).lower()}" for d, n in counts.items()))
        if report:
            notes = f"; {len(report.notes)} note(s) on how images were read" if report.notes else ""
            summary += (f"<br>{len(report.errors) + len(report.warnings)} problem(s): "
                        f"{len(report.errors)} error(s) (left out), {len(report.warnings)} "
                        f"warning(s) (loaded){notes}. The other cases load normally.")
        else:
            summary += "<br>No problems found."
        for line in summarize(dataset).lines():
            summary += "<br>" + html.escape(line)
        text = QLabel(summary)
        text.setWordWrap(True)
        column.addWidget(text)
        self.table = QTableWidget(len(report), 4)
        self.table.setHorizontalHeaderLabels(["Severity", "Kind", "File", "What to do"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for row, p in enumerate(report):
            for col, value in enumerate((p.severity.value, p.kind.value, p.file, p.message)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, col, item)
        self.table.setVisible(bool(report))
        column.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        column.addWidget(buttons)
