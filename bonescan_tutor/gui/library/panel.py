"""Study mode: the case list with labels visible, filters, and the selected case's details.

Filtering is done by ``CaseFilter`` (plain values, tested without Qt); the rows are a
``CaseTableModel`` whose cells are formatted only when shown. While a large dataset's
images are still being checked, the cases checked so far are listed and a progress bar
under the list says how far the check has come.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.cases import Case, Dataset
from bonescan_tutor.gui.library.case_filter import CaseFilter
from bonescan_tutor.gui.library.filter_form import CaseFilterForm
from bonescan_tutor.gui.library.table import CaseTableModel


class CaseTable(QTableView):
    """The case list, one row selected at a time, addressed by row like a table widget."""

    def __init__(self, model: CaseTableModel) -> None:
        super().__init__()
        self.setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(50)  # the widest of the first rows, not 50,000
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def rowCount(self) -> int:
        return self.model().rowCount()

    def currentRow(self) -> int:
        return self.currentIndex().row()

    def setCurrentCell(self, row: int, column: int) -> None:
        if row < 0:
            self.selectionModel().clear()
        else:
            self.setCurrentIndex(self.model().index(row, column))


class LibraryPanel(QWidget):
    """A filterable table of cases (labels visible) with the details of the chosen one."""

    caseChosen = Signal(object)  # Case
    checksFinished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset: Dataset | None = None
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
        self.model = CaseTableModel(self)
        self.table = CaseTable(self.model)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._row_chosen(current.row()))
        column.addWidget(self.table, 1)
        self.checking = QProgressBar()
        self.checking.setObjectName("checkingImages")
        self.checking.setFormat("Checking images: %v of %m cases")
        self.checking.setVisible(False)
        column.addWidget(self.checking)
        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.details)
        self.filters.changed.connect(self.refilter)

    @property
    def shown(self) -> list[Case]:
        """The cases listed, in order."""
        return self.model.cases

    def set_dataset(self, dataset: Dataset, *, keep_choice: bool = False) -> None:
        """List ``dataset``'s cases; ``keep_choice`` keeps the chosen case (by key) when
        the dataset is a fuller version of the one listed."""
        chosen = self.current_case() if keep_choice else None
        if not keep_choice:
            self.table.setCurrentCell(-1, -1)
        self.dataset = dataset
        self.layout_label.setText(f"<b>{dataset.name}</b> — {dataset.layout.value} layout")
        self.filters.set_dataset(dataset)
        self.refilter()
        if chosen is not None and chosen not in self.shown and chosen.key in dataset:
            self.select(dataset.case(chosen.key))

    def clear(self) -> None:
        """List nothing (the dataset being opened was given up)."""
        self.dataset = None
        self.table.setCurrentCell(-1, -1)
        self.model.clear()
        self.layout_label.setText("")
        self.count.setText("")
        self.details.setText("")

    def current_filter(self) -> CaseFilter:
        return self.filters.current_filter()

    def refilter(self) -> None:
        if self.dataset is None:
            return
        chosen = self.current_case()
        self.model.show(self.dataset, self.current_filter().apply(self.dataset.cases))
        self._fit_columns()
        self._count()
        if chosen in self.shown and self.current_case() is not chosen:
            self.select(chosen)

    def _count(self) -> None:
        if self.dataset is None:
            return
        text = f"{len(self.shown)} of {len(self.dataset)} cases"
        if self.checking.isVisible():
            text += f"; checked so far: {len(self.dataset)} of {self.checking.maximum()}"
        self.count.setText(text)

    # --- a check under way ----------------------------------------------------------------
    def show_check_progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` cases checked (the bar shows while a check runs)."""
        self.checking.setMaximum(max(total, 1))
        self.checking.setValue(done)
        if not self.checking.isVisible():
            self.checking.setVisible(True)
            self._count()

    def finish_checks(self) -> None:
        """The check is over (done or given up): the bar goes."""
        was_checking = self.checking.isVisible()
        self.checking.setVisible(False)
        self.checking.reset()
        self._count()
        if was_checking:
            self.checksFinished.emit()

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


