"""The one background-task helper: run a function off the GUI thread, then call back.

``run_in_background(fn, on_done, on_error)`` runs ``fn()`` in Qt's global thread pool;
``on_done(result)`` or ``on_error(exc)`` run later on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # delivered to on_error on the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


_live: set[_Task] = set()


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> None:
    task = _Task(fn)
    task.setAutoDelete(False)
    _live.add(task)

    def finish(handler: Callable[[Any], None], value: Any) -> None:
        _live.discard(task)
        handler(value)

    task.signals.done.connect(lambda r: finish(on_done, r))
    task.signals.failed.connect(lambda e: finish(on_error, e))
    QThreadPool.globalInstance().start(task)
