"""Study mode: the case list with labels visible, filters, and the selected case's details.

Filtering is done by ``CaseFilter`` (plain values, tested without Qt); the widget shows
the result and reports the chosen case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.cases import Case, Dataset, Diagnosis, natural_key


@dataclass(frozen=True)
class CaseFilter:
    diagnosis: Diagnosis | None = None
    age_min: int = 0
    age_max: int = 120
    sex: str | None = None
    year: int | None = None
    text: str = ""

    def accepts(self, case: Case) -> bool:
        c = case.clinical
        if self.diagnosis is not None and case.diagnosis is not self.diagnosis:
            return False
        if c.age is not None and not (self.age_min <= c.age <= self.age_max):
            return False
        if c.age is None and (self.age_min > 0 or self.age_max < 120):
            return False
        if self.sex and (c.sex or "").lower() != self.sex.lower():
            return False
        if self.year is not None and (c.acquisition_date is None or c.acquisition_date.year != self.year):
            return False
        return not self.text or self.text.strip().lower() in case.key.lower()

    def apply(self, cases: Sequence[Case]) -> list[Case]:
        return [c for c in cases if self.accepts(c)]


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
        form = QFormLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("case key")
        self.search.setClearButtonEnabled(True)
        form.addRow("Search", self.search)
        self.diagnosis = QComboBox()
        self.diagnosis.addItem("All", None)
        for d in Diagnosis:
            self.diagnosis.addItem(d.label, d)
        form.addRow("Diagnosis", self.diagnosis)
        ages = QHBoxLayout()
        self.age_min, self.age_max = QSpinBox(), QSpinBox()
        for box, value in ((self.age_min, 0), (self.age_max, 120)):
            box.setRange(0, 120)
            box.setValue(value)
            ages.addWidget(box)
        form.addRow("Age from/to", ages)
        self.sex = QComboBox()
        self.sex.addItem("All", None)
        form.addRow("Sex", self.sex)
        self.year = QComboBox()
        self.year.addItem("All", None)
        form.addRow("Year", self.year)
        column.addLayout(form)
        self.count = QLabel("")
        column.addWidget(self.count)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
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
        for w in (self.diagnosis, self.sex, self.year):
            w.currentIndexChanged.connect(self.refilter)
        for s in (self.age_min, self.age_max):
            s.valueChanged.connect(self.refilter)
        self.search.textChanged.connect(self.refilter)

    def set_dataset(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.layout_label.setText(f"<b>{dataset.name}</b> — {dataset.layout.value} layout")
        sexes = sorted({c.clinical.sex for c in dataset.cases if c.clinical.sex})
        years = sorted({c.clinical.acquisition_date.year for c in dataset.cases
                        if c.clinical.acquisition_date})
        for combo, values in ((self.sex, sexes), (self.year, years)):
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItem("All", None)
                for v in values:
                    combo.addItem(str(v), v)
        self.refilter()

    def current_filter(self) -> CaseFilter:
        return CaseFilter(
            diagnosis=self.diagnosis.currentData(),
            age_min=self.age_min.value(),
            age_max=self.age_max.value(),
            sex=self.sex.currentData(),
            year=self.year.currentData(),
            text=self.search.text(),
        )

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
                label = case.diagnosis.label + (" (doubtful)" if case.label_doubtful else "")
                values = (case.key, label, "" if c.age is None else str(c.age), c.sex or "",
                          c.acquisition_date.isoformat() if c.acquisition_date else "")
                for col, text in enumerate(values):
                    self.table.setItem(row, col, QTableWidgetItem(text))
        self.count.setText(f"{len(self.shown)} of {len(self.dataset)} cases")
        if chosen in self.shown:
            self.select(chosen)

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
            lines = [f"<b>Case {case.key}</b>: {case.diagnosis.label}"]
            if case.label_doubtful:
                lines.append("<i>Sources disagree on this label; never used in quizzes.</i>")
            lines += case.clinical.lines()
            if case.clinical.note:
                lines.append(f"Teaching note: {case.clinical.note}")
            self.details.setText("<br>".join(lines))
            self.caseChosen.emit(case)
