"""The attempts table as a Qt model: rows are formatted only when the view asks, so a
history of 50,000 answers creates no per-row widgets or items."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from bonescan_tutor.gui.results.model import COLUMNS, OLDER_DATASET, AttemptRows

Index = QModelIndex | QPersistentModelIndex
CASE_KEY_ROLE = Qt.ItemDataRole.UserRole + 1
CORRECT_COLUMN = COLUMNS.index("Correct?")
DATASET_COLUMN = COLUMNS.index("Dataset")


class AttemptsTableModel(QAbstractTableModel):
    """Read-only rows of ``AttemptRows``, newest answer first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = AttemptRows(())
        self.right_colour = QColor("#3fae6a")
        self.wrong_colour = QColor("#e0605a")
        self.flag_colour = QColor("#d9a441")

    def set_rows(self, rows: AttemptRows) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    @property
    def rows(self) -> AttemptRows:
        return self._rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows.row(r).cells[col]
        if role == CASE_KEY_ROLE:
            return self._rows.case_key(r)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == CORRECT_COLUMN:
                right = self._rows.row(r).correct
                return QBrush(self.right_colour if right else self.wrong_colour)
            if col == DATASET_COLUMN and self._rows.row(r).older_dataset:
                return QBrush(self.flag_colour)
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and col == DATASET_COLUMN
            and self._rows.row(r).older_dataset
        ):
            return f"Answered on an {OLDER_DATASET}: the case or its label may have changed since."
        return None
