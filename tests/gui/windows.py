"""The main window as a resident meets it: on screen, active, a dataset open, keys
pressed where the focus is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.main_window import MainWindow
from bonescan_tutor.storage.progress import ProgressStore


def on_screen(qtbot, widget: QWidget, *, active: bool = True) -> None:
    """``widget`` shown and, when ``active``, the active window, so its shortcuts work."""
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    if active:
        widget.activateWindow()
        qtbot.waitUntil(widget.isActiveWindow)


def main_window(qtbot, settings, store: ProgressStore | None = None, data: Path | None = None,
                *, active: bool = True, size: tuple[int, int] = (1366, 768)) -> MainWindow:
    """The window for trainee Ana keeping progress in ``store``, shown (and active, so
    shortcuts reach it), with the dataset at ``data`` opened in place: its first case
    painted, and what waited for that (the tools, the expert annotations) done."""
    w = MainWindow(settings, store=store, trainee="Ana" if store is not None else None)
    w.resize(*size)
    on_screen(qtbot, w, active=active)
    if data is not None:
        w.set_dataset(*open_dataset(data))
        qtbot.waitUntil(lambda: not w.waiting_for_first_case)
        QApplication.processEvents()  # what waited runs from the event loop
    return w


def press(qtbot, w: QWidget, k: Qt.Key, mod=Qt.KeyboardModifier.NoModifier) -> None:
    """One key, as typed in window ``w``: to the widget with the focus, then the events run."""
    QTest.keyClick(w.focusWidget() or w, k, mod)
    qtbot.wait(1)


def quiz_keys(w: MainWindow) -> tuple[str, ...]:
    """The open dataset's cases a quiz may draw."""
    return tuple(c.key for c in w.dataset.quiz_cases)
