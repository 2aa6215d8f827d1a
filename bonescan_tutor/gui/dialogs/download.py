"""File > Download IICS-UNA dataset: list the Zenodo record, download it with progress
and a Cancel button, verify and unpack it, and hand back the folder to open.

The work runs through ``run_in_background``; progress and results reach the dialog
only through the Qt signals of ``_Relay``, so no widget is touched off the GUI thread.
A cancel is seen between chunks; the engine keeps the partial ``.part`` file (a later
download resumes it) and never leaves a file with the final name unverified.
"""

from __future__ import annotations

import enum
import html
import logging
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor import paths
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.datasets import fetch
from bonescan_tutor.datasets.fetch import RemoteFile, RetryPolicy, human_size
from bonescan_tutor.gui.dialogs.error import show_error
from bonescan_tutor.gui.tasks import run_in_background

log = logging.getLogger(__name__)

DEST_KEY = "download/folder"
PROGRESS_STEPS = 1000
# Colours that read on both themes: each message is a small banner with its own background.
TONES = {
    "info": "",
    "busy": "",
    "error": "background: #5a1e1e; color: #ffe3e3; padding: 8px; border-radius: 4px;",
    "done": "background: #163d24; color: #dcf7e3; padding: 8px; border-radius: 4px;",
    "cancelled": "background: #4a3b12; color: #fff3c4; padding: 8px; border-radius: 4px;",
}


class DownloadState(enum.Enum):
    LISTING = "listing"
    LIST_FAILED = "list failed"
    READY = "ready"
    DOWNLOADING = "downloading"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    FAILED = "failed"
    DONE = "done"


class TransferMeter:
    """Bytes, speed and time left across the files of one download (pure; no Qt).

    Speed is measured from the first progress report of each file, so the bytes a
    resumed ``.part`` already held are not counted as fetched in no time.
    """

    def __init__(self, files: list[RemoteFile], clock: Callable[[], float] = time.monotonic) -> None:
        self.sizes = {f.name: f.size for f in files}
        self.total = sum(self.sizes.values())
        self.clock = clock
        self.name: str | None = None
        self.done = 0
        self.file_total = 0
        self._start: tuple[float, int] | None = None

    def update(self, done: int, total: int, name: str) -> None:
        if name != self.name:
            self.name, self._start = name, (self.clock(), done)
        self.done, self.file_total = done, total or self.sizes.get(name, 0)

    def rate(self) -> float | None:
        """Bytes per second of the current file; None until a second has passed."""
        if self._start is None:
            return None
        t0, d0 = self._start
        elapsed = self.clock() - t0
        return (self.done - d0) / elapsed if elapsed >= 1.0 else None

    def fraction(self) -> float:
        """How much of the whole record is on disk, 0..1."""
        if not self.total:
            return 0.0
        names = list(self.sizes)
        before = names[: names.index(self.name)] if self.name in self.sizes else []
        done = sum(self.sizes[n] for n in before) + self.done
        return min(done / self.total, 1.0)

    @property
    def file_complete(self) -> bool:
        return self.file_total > 0 and self.done >= self.file_total

    def line(self) -> str:
        """``name — 12.3 MB of 80.1 MB · 4.2 MB/s · about 20 s left``."""
        if self.name is None:
            return "Connecting…"
        parts = [f"{self.name} — {human_size(self.done)} of {human_size(self.file_total)}"]
        rate = self.rate()
        if rate is not None:
            parts.append(f"{rate / 1e6:.1f} MB/s")
            if rate > 0 and not self.file_complete:
                parts.append(f"about {_duration((self.file_total - self.done) / rate)} left")
        return " · ".join(parts)


def _duration(seconds: float) -> str:
    s = round(seconds)
    return f"{s} s" if s < 90 else f"{round(s / 60)} min"


def with_manual_route(message: str) -> str:
    """Every failure tells the resident how to get the data without this dialog."""
    return message if fetch.MANUAL_ROUTE in message else f"{message} {fetch.MANUAL_ROUTE}"


def _rich(message: str) -> str:
    """Plain text to label HTML, the record page as a link a browser opens."""
    page = fetch.RECORD_PAGE
    return html.escape(message).replace(page, f'<a href="{page}">{page}</a>')


class _Relay(QObject):
    """Carries worker results to the GUI thread (queued: it lives on the GUI thread)."""

    listed = Signal(object)
    progress = Signal(object, object, str)
    finished = Signal(object)
    failed = Signal(object)


class _Throttle:
    """Forwards at most one progress report per ``interval`` seconds, plus each file's
    first and last, so a fast link does not flood the event loop. Worker-thread only."""

    def __init__(self, emit: Callable[[int, int, str], None], interval: float = 0.05) -> None:
        self.emit, self.interval = emit, interval
        self._last, self._name = float("-inf"), ""

    def __call__(self, done: int, total: int, name: str) -> None:
        now = time.monotonic()
        if name != self._name or (total and done >= total) or now - self._last >= self.interval:
            self._last, self._name = now, name
            self.emit(done, total, name)


class DownloadDialog(QDialog):
    """Lists the record, downloads it into a chosen folder, and sets ``result_path``."""

    def __init__(
        self,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        server: str | None = None,
        record_id: str = fetch.RECORD_ID,
        policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.server = (server or fetch.default_server()).rstrip("/")
        self.record_id = record_id
        self.policy = policy or RetryPolicy()
        self.files: list[RemoteFile] = []
        self.result_path: Path | None = None
        self.state = DownloadState.LISTING
        self.status_message = ""
        self.meter: TransferMeter | None = None
        self._cancel = threading.Event()
        self._close_when_stopped = False
        self._relay = _Relay()
        self._relay.listed.connect(self._on_listed)
        self._relay.progress.connect(self._on_progress)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._build()
        self._ticker = QTimer(self)  # refreshes speed and time left, also during a stall
        self._ticker.setInterval(500)
        self._ticker.timeout.connect(self._show_progress)
        self.list_files()

    # --- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        self.setWindowTitle("Download the IICS-UNA dataset")
        self.resize(760, 460)
        column = QVBoxLayout(self)
        intro = QLabel(
            f"The IICS-UNA whole-body bone scans, published on Zenodo as record "
            f'<a href="{fetch.RECORD_PAGE}">{self.record_id}</a> (CC BY 4.0). '
            "Each file is checked against the record's checksum, then unpacked."
        )
        intro.setWordWrap(True)
        intro.setOpenExternalLinks(True)
        column.addWidget(intro)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["File", "Size", "Checksum"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        column.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Save into"))
        self.dest_edit = QLineEdit(str(settings_folder(self.settings)))
        row.addWidget(self.dest_edit, 1)
        self.browse_button = QPushButton("Choose…")
        self.browse_button.clicked.connect(self.choose_folder)
        row.addWidget(self.browse_button)
        column.addLayout(row)
        self.keep_zip = QCheckBox("Keep the zip after unpacking it")
        column.addWidget(self.keep_zip)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(0)
        column.addWidget(self.progress_bar)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setOpenExternalLinks(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        column.addWidget(self.message)
        buttons = QHBoxLayout()
        self.retry_button = QPushButton("Try again")
        self.retry_button.clicked.connect(self.list_files)
        self.download_button = QPushButton("Download")
        self.download_button.clicked.connect(self.start_download)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.clicked.connect(self.cancel_download)
        self.open_button = QPushButton("Open dataset")
        self.open_button.clicked.connect(self.accept)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        for b in (self.download_button, self.cancel_button, self.open_button, self.close_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        column.addLayout(buttons)

    def _set_state(self, state: DownloadState, message: str, tone: str = "info") -> None:
        self.state, self.status_message = state, message
        self.message.setText(_rich(message))
        self.message.setStyleSheet(f"QLabel {{ {TONES[tone]} }}" if TONES[tone] else "")
        running = state in (DownloadState.DOWNLOADING, DownloadState.CANCELLING)
        can_start = state in (DownloadState.READY, DownloadState.CANCELLED, DownloadState.FAILED)
        self.retry_button.setVisible(state is DownloadState.LIST_FAILED)
        self.download_button.setVisible(state is not DownloadState.DONE)
        self.download_button.setEnabled(can_start and bool(self.files))
        self.download_button.setText("Resume download" if state is DownloadState.CANCELLED else "Download")
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(state is DownloadState.DOWNLOADING)
        self.open_button.setVisible(state is DownloadState.DONE)
        self.close_button.setEnabled(state is not DownloadState.CANCELLING)
        for w in (self.dest_edit, self.browse_button, self.keep_zip):
            w.setEnabled(not running and state is not DownloadState.DONE)
        default = {DownloadState.DONE: self.open_button, DownloadState.READY: self.download_button}
        button = default.get(state)
        if button is not None:
            button.setDefault(True)
            button.setFocus()
        if running:
            self._ticker.start()
        else:
            self._ticker.stop()

    # --- listing ----------------------------------------------------------------------
    def list_files(self) -> None:
        self._set_state(
            DownloadState.LISTING,
            f"Asking {self.server} for the files of record {self.record_id}…",
            "busy",
        )
        server, record_id, policy, relay = self.server, self.record_id, self.policy, self._relay
        run_in_background(
            lambda: fetch.list_files(server, record_id, policy=policy),
            relay.listed.emit,
            relay.failed.emit,
        )

    def _on_listed(self, files: list[RemoteFile]) -> None:
        self.files = files
        self.table.setRowCount(len(files))
        for row, f in enumerate(files):
            values = (f.name, human_size(f.size), f.checksum or "none listed")
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if col == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        total = human_size(sum(f.size for f in files))
        self._set_state(
            DownloadState.READY,
            f"{len(files)} file(s), {total} in all. Choose where to save it, then Download.",
        )

    # --- downloading ------------------------------------------------------------------
    def destination(self) -> Path:
        return Path(self.dest_edit.text().strip() or str(paths.datasets_dir())).expanduser()

    def choose_folder(self) -> None:
        start = self.destination()
        while not start.exists() and start != start.parent:
            start = start.parent
        chosen = QFileDialog.getExistingDirectory(self, "Save the dataset into", str(start))
        if chosen:
            self.dest_edit.setText(chosen)

    def start_download(self) -> None:
        if not self.files or self.state in (DownloadState.DOWNLOADING, DownloadState.CANCELLING):
            return
        dest = self.destination()
        self.settings.setValue(DEST_KEY, str(dest))
        self._cancel = threading.Event()
        self.meter = TransferMeter(self.files)
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(0)
        self._set_state(DownloadState.DOWNLOADING, "Connecting…", "busy")
        relay, cancel, keep = self._relay, self._cancel, self.keep_zip.isChecked()
        server, record_id, policy, files = self.server, self.record_id, self.policy, self.files
        report = _Throttle(relay.progress.emit)

        def work() -> Path:
            return fetch.fetch_record(
                dest, server=server, record_id=record_id, progress=report, cancel=cancel,
                extract=True, keep_zip=keep, policy=policy, files=files,
            )

        run_in_background(work, relay.finished.emit, relay.failed.emit)

    def cancel_download(self) -> None:
        if self.state is DownloadState.DOWNLOADING:
            self._cancel.set()
            self._set_state(DownloadState.CANCELLING, "Cancelling after the current chunk…", "busy")

    def _on_progress(self, done: int, total: int, name: str) -> None:
        if self.meter is not None and self.state is DownloadState.DOWNLOADING:
            self.meter.update(done, total, name)
            self._show_progress()

    def _show_progress(self) -> None:
        meter = self.meter
        if meter is None or self.state is not DownloadState.DOWNLOADING:
            return
        if meter.file_complete and meter.name == self.files[-1].name:
            self.progress_bar.setRange(0, 0)  # busy: verifying and unpacking have no steps
            text = f"{meter.name}: downloaded; checking the checksum and unpacking…"
        else:
            self.progress_bar.setValue(round(meter.fraction() * PROGRESS_STEPS))
            text = meter.line()
        self.status_message = text
        self.message.setText(_rich(text))

    def _on_finished(self, path: Path) -> None:
        self.result_path = Path(path)
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(PROGRESS_STEPS)
        self._set_state(
            DownloadState.DONE,
            f"Downloaded, verified and unpacked into {self.result_path}",
            "done",
        )
        self._close_if_asked()

    def _on_failed(self, exc: BaseException) -> None:
        listing = self.state is DownloadState.LISTING
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        if isinstance(exc, fetch.Cancelled):
            name = self.meter.name if self.meter is not None else None
            kept = f" The partial file {name}.part stays in {self.destination()};" if name else ""
            self._set_state(
                DownloadState.CANCELLED,
                f"Download cancelled.{kept} Download again to resume where it stopped.",
                "cancelled",
            )
        elif isinstance(exc, BonescanError):
            state = DownloadState.LIST_FAILED if listing else DownloadState.FAILED
            self._set_state(state, with_manual_route(str(exc)), "error")
        elif isinstance(exc, OSError):
            self._set_state(
                DownloadState.FAILED,
                f"Could not write into {self.destination()} ({exc}). Choose another folder.",
                "error",
            )
        else:  # a bug: say so once, with the traceback to copy
            log.error("dataset download failed", exc_info=exc)
            state = DownloadState.LIST_FAILED if listing else DownloadState.FAILED
            self._set_state(state, with_manual_route(f"Unexpected error: {exc}."), "error")
            details = "".join(traceback.format_exception(exc))
            show_error(self, "Download failed", f"Unexpected error: {exc}", details)
        self._close_if_asked()

    # --- closing ----------------------------------------------------------------------
    def _close_if_asked(self) -> None:
        if self._close_when_stopped:
            super().reject()

    def reject(self) -> None:
        """Closing during a download cancels it and closes once the worker has stopped."""
        if self.state in (DownloadState.DOWNLOADING, DownloadState.CANCELLING):
            self._close_when_stopped = True
            self.cancel_download()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.state in (DownloadState.DOWNLOADING, DownloadState.CANCELLING):
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)


def settings_folder(settings: QSettings) -> Path:
    """The remembered destination, else the app's data folder."""
    value = settings.value(DEST_KEY)
    return Path(str(value)) if value else paths.datasets_dir()


def download_dataset(parent: QWidget | None, settings: QSettings) -> Path | None:
    """Run the download dialog modally; the folder (or zip) to open, or None."""
    dialog = DownloadDialog(settings, parent)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.result_path if accepted else None
    finally:
        dialog.deleteLater()
