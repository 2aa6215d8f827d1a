"""Help > Keyboard shortcuts, generated from the action registry."""

from __future__ import annotations

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

MOUSE = (
    ("Mouse", "Window / level", "Left- or right-drag (horizontal: width, vertical: level)"),
    ("Mouse", "Pan", "Middle-drag"),
    ("Mouse", "Zoom (both views)", "Wheel"),
)


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 620)
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Every command with a key. Keys do not repeat when held."))
        all_rows = [*rows, *MOUSE]
        self.table = QTableWidget(len(all_rows), 3)
        self.table.setHorizontalHeaderLabels(["Menu", "Command", "Key"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for r, values in enumerate(all_rows):
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        column.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
