"""The one error dialog. User errors show their message; bugs also offer "Copy details"."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget


def show_error(parent: QWidget | None, title: str, message: str, details: str | None = None) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if details is None else QMessageBox.Icon.Critical)
    box.setWindowTitle(title)
    box.setText(message)
    if details:
        box.setDetailedText(details)
        copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
        copy.clicked.disconnect()
        copy.clicked.connect(lambda: QApplication.clipboard().setText(f"{message}\n\n{details}"))
    box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()
