"""File > Download IICS-UNA dataset: list the Zenodo record, download it with progress
and a Cancel button, verify and unpack it, and hand back the folder to open.

What the dialog says is worked out in ``transfer`` (no Qt). The work runs through
``run_in_background``; progress and results reach the dialog only through the Qt
signals of ``_Relay``, so no widget is touched off the GUI thread.
A cancel is seen between chunks; the engine keeps the partial ``.part`` file (a later
download resumes it) and never leaves a file with the final name unverified.
"""

from __future__ import annotations

import enum
import logging
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPalette, QShowEvent
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
from bonescan_tutor.gui.dialogs.transfer import (
    Throttle,
    TransferMeter,
    rich_text,
    with_manual_route,
)
from bonescan_tutor.gui.screen_fit import fit_to_screen
from bonescan_tutor.gui.tasks import run_in_background

log = logging.getLogger(__name__)

DEST_KEY = "download/folder"
PROGRESS_STEPS = 1000
# Banners carry their own background so they read on both themes: (background, text).
TONES = {
    "error": ("#5a1e1e", "#ffe3e3"),
    "done": ("#163d24", "#dcf7e3"),
    "cancelled": ("#4a3b12", "#fff3c4"),
}
LINK_ON_DARK, LINK_ON_LIGHT = "#8cc4ff", "#0b5cad"


class DownloadState(enum.Enum):
    LISTING = "listing"
    LIST_FAILED = "list failed"
    READY = "ready"
    DOWNLOADING = "downloading"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    FAILED = "failed"
    DONE = "done"


class _Relay(QObject):
    """Carries worker results to the GUI thread (queued: it lives on the GUI thread)."""

    listed = Signal(object)
    progress = Signal(object, object, str)
    finished = Signal(object)
    failed = Signal(object)


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
        self._tone = "info"
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
        fit_to_screen(self, 760, 300, self.parentWidget())
        column = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setOpenExternalLinks(True)
        column.addWidget(self.intro)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["File", "Size", "Checksum"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setVisible(False)
        column.addWidget(self.table)
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
        column.addStretch(1)
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

    def _link_colour(self) -> str:
        self.ensurePolished()
        text = self.palette().color(QPalette.ColorRole.WindowText)
        return LINK_ON_DARK if text.lightness() > 128 else LINK_ON_LIGHT

    def _render(self) -> None:
        """(Re)draw the texts holding links, in a colour that reads on the current theme."""
        page, colour = fetch.RECORD_PAGE, self._link_colour()
        self.intro.setText(
            "The IICS-UNA whole-body bone scans, published on Zenodo as record "
            f'<a href="{page}" style="color: {colour};">{self.record_id}</a> (CC BY 4.0). '
            "Each file is checked against the record's checksum, then unpacked."
        )
        tone = TONES.get(self._tone)
        if tone is None:
            self.message.setStyleSheet("")
            self.message.setText(rich_text(self.status_message, colour))
        else:
            background, text = tone
            self.message.setStyleSheet(
                f"QLabel {{ background: {background}; color: {text}; padding: 8px; "
                "border-radius: 4px; }"
            )
            self.message.setText(rich_text(self.status_message, text))

    def showEvent(self, event: QShowEvent) -> None:
        self._render()
        super().showEvent(event)

    def _set_state(self, state: DownloadState, message: str, tone: str = "info") -> None:
        self.state, self.status_message, self._tone = state, message, tone
        self._render()
        running = state in (DownloadState.DOWNLOADING, DownloadState.CANCELLING)
        can_start = state in (DownloadState.READY, DownloadState.CANCELLED, DownloadState.FAILED)
        transferred = running or state in (DownloadState.CANCELLED, DownloadState.DONE)
        self.progress_bar.setVisible(transferred)
        self.retry_button.setVisible(state is DownloadState.LIST_FAILED)
        self.download_button.setVisible(can_start and bool(self.files))
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
        self.table.setVisible(True)
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(min(len(files), 6)))
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows + frame)
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
        report = Throttle(relay.progress.emit)

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
        self.message.setText(rich_text(text, self._link_colour()))

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
                f"Download cancelled.{kept} “Resume download” picks up where it stopped.",
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
