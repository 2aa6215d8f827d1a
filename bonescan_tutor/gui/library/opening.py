"""One dataset being opened in the background: its previews and progress reach the GUI
thread as signals, and it can be given up (another dataset opened, the window closed)."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets.reader import Cancelled, Progress


class DatasetOpening(QObject, Progress):
    """The ``Progress`` of one ``open_dataset`` run; signals arrive on the GUI thread."""

    previewed = Signal(object, object)  # Dataset (the cases checked so far), ValidationReport
    stepped = Signal(int, int)  # done, total
    wants_preview = True

    def __init__(self, path: str | Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.previews = 0  # delivered on the GUI thread
        self._cancelled = threading.Event()

    def preview(self, dataset: Dataset, report: ValidationReport) -> None:
        self.previewed.emit(dataset, report)

    def step(self, done: int, total: int) -> None:
        if self._cancelled.is_set():
            raise Cancelled(str(self.path))
        self.stepped.emit(done, total)

    def cancel(self) -> None:
        """Stop the reading at its next step; its results are not wanted."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()
