"""Where the cohort dialog reads results from: ``.bstresult`` files, or a Learning Record
Store (the statements of one quiz set, as ``bonescan-tutor cohort --lrs`` reads them).

The LRS address is prefilled from Settings > Learning Record Store, or from the lab's
``BONESCAN_TUTOR_LRS_URL`` (then read-only); the credentials come from the same place
(``LrsForm``). While the statements are read, a busy bar and the count read so far show;
the count is polled from the worker, which only ever writes a number. ``LrsSourceCommands``
is the dialog's side: the choice shown, and the read started in the background.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from bonescan_tutor.core.cases import Dataset
from bonescan_tutor.core.errors import BonescanError, UsageError
from bonescan_tutor.gui.dialogs.error import show_error
from bonescan_tutor.gui.dialogs.lrs_settings_model import LrsForm, Settings
from bonescan_tutor.gui.instructor.cohort_model import lrs_cohort_report
from bonescan_tutor.gui.tasks import run_in_background
from bonescan_tutor.storage.cohort import Prefer
from bonescan_tutor.storage.lrs_config import LrsConfig
from bonescan_tutor.storage.quizsets import QuizSet
from bonescan_tutor.storage.results import EXTENSION

FILES, LRS = "files", "lrs"


class CohortSource(QWidget):
    """The source choice; ``readRequested`` when the LRS is to be read."""

    readRequested = Signal()
    changed = Signal(str)  # FILES or LRS

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.form = LrsForm.load(settings, look_up=False)
        self.choice = QComboBox()
        self.choice.addItem(f"{EXTENSION} files", FILES)
        self.choice.addItem("Learning Record Store", LRS)
        self.choice.setToolTip("Read the trainees' results files, or the statements the app "
                               "sent to your program's Learning Record Store")
        self.choice.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        label = QLabel("&Results from:")
        label.setBuddy(self.choice)
        self.url = QLineEdit(self.form.url)
        self.url.setPlaceholderText("the LRS's xAPI endpoint, https://lrs.example.org/xAPI/")
        self.url.setReadOnly(self.form.url_from_env)
        if self.form.url_from_env:
            self.url.setToolTip("Set by the lab environment (BONESCAN_TUTOR_LRS_URL)")
        self.read_button = QPushButton("Read from the &LRS")
        self.read_button.setAutoDefault(False)
        self.read_button.clicked.connect(self.readRequested)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(120)
        self.busy.setVisible(False)
        self.count = QLabel("")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.choice)
        row.addWidget(self.url, 1)
        row.addWidget(self.read_button)
        row.addWidget(self.busy)
        row.addWidget(self.count)
        row.addStretch(0)  # with the address hidden, the choice keeps its size on the left
        self._read = 0
        self._poll = QTimer(self)
        self._poll.setInterval(150)
        self._poll.timeout.connect(self._show_count)
        self.choice.currentIndexChanged.connect(self._chosen)
        self._chosen()

    @property
    def kind(self) -> str:
        return str(self.choice.currentData())

    def choose(self, kind: str) -> None:
        self.choice.setCurrentIndex(self.choice.findData(kind))

    def _chosen(self) -> None:
        lrs = self.kind == LRS
        for widget in (self.url, self.read_button):
            widget.setVisible(lrs)
        self.changed.emit(self.kind)

    def config(self, quiz_set: QuizSet | None, dataset: Dataset | None) -> LrsConfig:
        """The LRS to read, credentials from the settings or the environment;
        ``UsageError`` saying what is missing first."""
        if quiz_set is None:
            raise UsageError("Choose the quiz set first (Quiz set…): its statements are read.")
        if dataset is None:
            raise UsageError("Open the dataset the quiz was made on first: its labels score "
                             "the answers read from the LRS.")
        return replace(self.form, url=self.url.text()).config()

    # --- progress, written by the worker as a plain number ----------------------------------
    def progress(self, read: int) -> None:
        self._read = read

    @property
    def read_so_far(self) -> int:
        """Statements read by the last (or current) read of the LRS."""
        return self._read

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.read_button.setEnabled(not busy)
        self.choice.setEnabled(not busy)
        if busy:
            self._read = 0
            self.count.setText("Reading statements…")
            self._poll.start()
        else:
            self._poll.stop()
            self.count.setText("")

    def _show_count(self) -> None:
        self.count.setText(f"{self._read} statement(s) read…")


class LrsSourceCommands:
    """Mixed into ``CohortDialog``: the source chosen, and reading the LRS."""

    def _source_chosen(self, kind: str) -> None:
        for button in (self.files_button, self.folder_button):
            button.setVisible(kind == FILES)
        if self.report is not None:
            return
        self.headline.setText(
            "Choose the quiz set, then Read from the LRS: its statements are merged as its "
            "results files would be, labels from the open dataset." if kind == LRS else
            f"Open the {EXTENSION} files your trainees sent, or the folder that holds them.")

    def load_lrs(self) -> None:
        """Read the quiz set's statements from the LRS in the background, merge, show."""
        try:
            config = self.source.config(self.quiz_set, self.dataset)
        except BonescanError as exc:
            self.headline.setText(str(exc))
            show_error(self, "Cannot read the Learning Record Store", str(exc))
            return
        assert self.quiz_set is not None and self.dataset is not None
        self.paths, self.lrs_read = [], True
        self._busy(True)
        self.source.set_busy(True)
        self.headline.setText(f"Reading the statements of “{self.quiz_set.title}” from "
                              f"{config.url}…")
        quiz_set, dataset, annotations = self.quiz_set, self.dataset, self.annotations
        prefer, progress = Prefer(self.prefer.currentData()), self.source.progress
        run_in_background(
            lambda: lrs_cohort_report(config, quiz_set, dataset, prefer, progress,
                                      annotations=annotations),
            self.show_report, self._load_failed)
