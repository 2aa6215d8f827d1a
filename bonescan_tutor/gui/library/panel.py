"""Study mode: the case list with labels visible, filters, and the selected case's details.

Filtering is done by ``CaseFilter`` (plain values, tested without Qt); the widget shows
the result and reports the chosen case.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.cases import Case, Dataset, natural_key
from bonescan_tutor.gui.library.case_filter import CaseFilter
from bonescan_tutor.gui.library.filter_form import CaseFilterForm


class LibraryPanel(QWidget):
    """A filterable table of cases (labels visible) with the details of the chosen one."""

    caseChosen = Signal(object)  # Case

    COLUMNS = ("Case", "Diagnosis", "Age", "Sex", "Date")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset: Dataset | None = None
        self.shown: list[Case] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        self.layout_label = QLabel("")
        self.layout_label.setObjectName("layoutLabel")
        column.addWidget(self.layout_label)
        self.filters = CaseFilterForm()
        column.addWidget(self.filters)
        self.search = self.filters.search
        self.diagnosis = self.filters.diagnosis
        self.count = QLabel("")
        column.addWidget(self.count)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.currentCellChanged.connect(lambda row, *_: self._row_chosen(row))
        column.addWidget(self.table, 1)
        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.details)
        self.filters.changed.connect(self.refilter)

    def set_dataset(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.layout_label.setText(f"<b>{dataset.name}</b> — {dataset.layout.value} layout")
        self.filters.set_dataset(dataset)
        self.refilter()

    def current_filter(self) -> CaseFilter:
        return self.filters.current_filter()

    def refilter(self) -> None:
        if self.dataset is None:
            return
        chosen = self.current_case()
        self.shown = sorted(self.current_filter().apply(self.dataset.cases),
                            key=lambda c: natural_key(c.key))
        with QSignalBlocker(self.table):
            self.table.setRowCount(len(self.shown))
            for row, case in enumerate(self.shown):
                c = case.clinical
                label = self.dataset.label(case.diagnosis) + (" (doubtful)" if case.label_doubtful else "")
                values = (case.key, label, "" if c.age is None else str(c.age), c.sex or "",
                          c.acquisition_date.isoformat() if c.acquisition_date else "")
                for col, text in enumerate(values):
                    self.table.setItem(row, col, QTableWidgetItem(text))
        self._fit_columns()
        self.count.setText(f"{len(self.shown)} of {len(self.dataset)} cases")
        if chosen in self.shown:
            self.select(chosen)

    def _fit_columns(self) -> None:
        """Ask for the width the columns take, so the last one (Date) is not cut."""
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        self.table.setMinimumWidth(self.table.horizontalHeader().length() + frame)

    def current_case(self) -> Case | None:
        row = self.table.currentRow()
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def select(self, case: Case) -> None:
        if case in self.shown:
            self.table.setCurrentCell(self.shown.index(case), 0)

    def step(self, delta: int) -> None:
        """Move the selection by ``delta`` rows (Up/Down, PgUp/PgDn)."""
        if not self.shown:
            return
        row = min(max(self.table.currentRow() + delta, 0), len(self.shown) - 1)
        self.table.setCurrentCell(row, 0)

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(self.shown):
            case = self.shown[row]
            assert self.dataset is not None
            lines = [f"<b>Case {case.key}</b>: {self.dataset.label(case.diagnosis)}"]
            if case.label_doubtful:
                lines.append("<i>Sources disagree on this label; never used in quizzes.</i>")
            lines += case.clinical.lines()
            if case.clinical.note:
                lines.append(f"Teaching note: {case.clinical.note}")
            self.details.setText("<br>".join(lines))
            self.caseChosen.emit(case)
