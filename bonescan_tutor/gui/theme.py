"""Dark (reading room) and light themes: a style sheet from resources/ and the scan
background. The scans keep a near-black surround in both, as on clinical workstations."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from bonescan_tutor import paths

THEMES = ("dark", "light")
SCAN_BACKGROUND = {"dark": "#0b0e11", "light": "#1a1e23"}


def style_sheet(name: str) -> str:
    name = name if name in THEMES else "dark"
    return paths.resource("styles", f"{name}.qss").read_text(encoding="utf-8")


def apply(name: str, window: QWidget | None = None) -> None:
    app = QApplication.instance()
    sheet = style_sheet(name)
    if isinstance(app, QApplication) and app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
    scans = getattr(window, "scans", None)
    if scans is not None:
        scans.set_background(SCAN_BACKGROUND.get(name, SCAN_BACKGROUND["dark"]))
