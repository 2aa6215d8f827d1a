"""The attempts table as a Qt model: cells are formatted from the answer columns only
when the view asks, so a history of 50,000 answers creates no per-row objects."""

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
_DISPLAY = Qt.ItemDataRole.DisplayRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
OLDER_TIP = f"Answered on an {OLDER_DATASET}: the case or its label may have changed since."


class AttemptsTableModel(QAbstractTableModel):
    """Read-only rows of ``AttemptRows``, newest answer first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = AttemptRows()
        self.right_brush = QBrush(QColor("#3fae6a"))
        self.wrong_brush = QBrush(QColor("#e0605a"))
        self.flag_brush = QBrush(QColor("#d9a441"))

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
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> Any:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        r, col = index.row(), index.column()
        if role == _DISPLAY:
            return self._rows.cell(r, col)
        if role == CASE_KEY_ROLE:
            return self._rows.case_key(r)
        if role == _FOREGROUND:
            if col == CORRECT_COLUMN:
                return self.right_brush if self._rows.correct(r) else self.wrong_brush
            if col == DATASET_COLUMN and self._rows.older_dataset(r):
                return self.flag_brush
        if role == _TOOLTIP and col == DATASET_COLUMN and self._rows.older_dataset(r):
            return OLDER_TIP
        return None
