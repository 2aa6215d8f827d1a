"""Windows and dialogs sized to the screen they open on: a lab PC's 1366 x 768 screen
gets a dialog that fits, a large screen the size the dialog was designed for."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

WIDTH_SHARE, HEIGHT_SHARE = 0.95, 0.9  # room left for a panel, a title bar, a frame


def fit_to_screen(widget: QWidget, width: int, height: int,
                  parent: QWidget | None = None) -> None:
    """Resize ``widget`` to ``width`` x ``height``, or smaller to fit the available area of
    the screen it opens on (its parent's), and centre it there."""
    screen = ((parent.screen() if parent is not None else None) or widget.screen()
              or QGuiApplication.primaryScreen())
    if screen is None:
        widget.resize(width, height)
        return
    available = screen.availableGeometry()
    w = min(width, int(available.width() * WIDTH_SHARE))
    h = min(height, int(available.height() * HEIGHT_SHARE))
    widget.resize(w, h)
    widget.move(available.x() + (available.width() - w) // 2,
                available.y() + (available.height() - h) // 2)
