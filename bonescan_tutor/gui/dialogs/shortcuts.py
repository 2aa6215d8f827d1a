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

from bonescan_tutor.gui.screen_fit import fit_to_screen

MOUSE = (
    ("Mouse", "Window / level", "Left- or right-drag (horizontal: width, vertical: level)"),
    ("Mouse", "Pan", "Middle-drag"),
    ("Mouse", "Zoom (both views)", "Wheel; R fits the bodies again"),
    ("Mouse", "Value under the cursor", "Hover: % of the view's maximum, shown bottom left"),
    ("Mouse", "Mark a suspicious spot (quiz)", "Left click; click a mark to remove it"),
)


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        fit_to_screen(self, 560, 620, parent)
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
