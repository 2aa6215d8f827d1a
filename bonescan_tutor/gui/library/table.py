"""The library's cases as a Qt model: each cell is formatted when the view asks for it,
so a dataset of 50,000 cases creates no per-row objects, and cases that arrive while a
large dataset is still being checked are appended without resetting the view."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from bonescan_tutor.core.cases import Case, Dataset

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Case", "Diagnosis", "Age", "Sex", "Date")
_DISPLAY = Qt.ItemDataRole.DisplayRole


def cell(dataset: Dataset, case: Case, column: int) -> str:
    """The text of one library cell."""
    if column == 0:
        return case.key
    c = case.clinical
    if column == 1:
        return dataset.label(case.diagnosis) + (" (doubtful)" if case.label_doubtful else "")
    if column == 2:
        return "" if c.age is None else str(c.age)
    if column == 3:
        return c.sex or ""
    return c.acquisition_date.isoformat() if c.acquisition_date else ""


class CaseTableModel(QAbstractTableModel):
    """Read-only rows: the cases a filter let through, in the dataset's order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.dataset: Dataset | None = None
        self.cases: list[Case] = []

    def show(self, dataset: Dataset, cases: list[Case]) -> None:
        """Show ``cases`` of ``dataset``: appended when they extend the rows shown (the
        same cases first, as when more of a dataset has been checked), else reset."""
        old = self.cases
        extends = (self.dataset is not None and len(cases) >= len(old)
                   and all(a is b for a, b in zip(old, cases, strict=False)))
        self.dataset = dataset
        if extends:
            if len(cases) > len(old):
                self.beginInsertRows(QModelIndex(), len(old), len(cases) - 1)
                self.cases = cases
                self.endInsertRows()
            return
        self.beginResetModel()
        self.cases = cases
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.dataset, self.cases = None, []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.cases)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _DISPLAY) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY or not index.isValid() or self.dataset is None:
            return None
        return cell(self.dataset, self.cases[index.row()], index.column())
