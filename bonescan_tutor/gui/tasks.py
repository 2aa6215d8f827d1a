"""The one background-task helper: run a function off the GUI thread, then call back.

``run_in_background(fn, on_done, on_error)`` runs ``fn()`` in Qt's global thread pool;
``on_done(result)`` or ``on_error(exc)`` run later on the GUI thread.

Results travel through one long-lived bridge object that belongs to the GUI thread, so
a task that finishes after the window that asked for it has closed delivers to nobody
instead of emitting from a deleted object. A callback whose widget is gone is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class _Bridge(QObject):
    """Carries (callback, value) from worker threads to the GUI thread (queued)."""

    deliver = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.deliver.connect(self._call)

    @staticmethod
    def _call(callback: Callback, value: object) -> None:
        try:
            callback(value)
        except RuntimeError as exc:
            if "already deleted" not in str(exc):
                raise
            log.debug("a background result arrived after its window closed")


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], on_done: Callback, on_error: Callback,
                 bridge: _Bridge) -> None:
        super().__init__()
        self.fn, self.on_done, self.on_error, self.bridge = fn, on_done, on_error, bridge

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # delivered to on_error on the GUI thread
            self.bridge.deliver.emit(self.on_error, exc)
        else:
            self.bridge.deliver.emit(self.on_done, result)


_bridge: _Bridge | None = None


def _the_bridge() -> _Bridge:
    global _bridge
    if _bridge is None:
        _bridge = _Bridge()
        app = QCoreApplication.instance()
        if app is not None:  # let running tasks finish before Qt is torn down
            app.aboutToQuit.connect(lambda: QThreadPool.globalInstance().waitForDone(10_000))
    return _bridge


def run_in_background(fn: Callable[[], Any], on_done: Callback, on_error: Callback) -> None:
    task = _Task(fn, on_done, on_error, _the_bridge())
    task.setAutoDelete(True)
    QThreadPool.globalInstance().start(task)
