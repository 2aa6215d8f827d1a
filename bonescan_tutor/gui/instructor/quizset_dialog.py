"""Instructor > New quiz set: filter the cases, draw or tick them, preview, set options, save.

The random draw is ``core.quiz_draw.draw_cases`` (through ``model.draw``), the one the
CLI's ``quizset create`` calls, so the same seed, count and mix pick the same cases.
Labels are visible here: this is the instructor's tool, never shown to trainees.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from PySide6.QtCore import QSettings, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.cases import Case, Dataset, natural_key
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui.dialogs.error import show_error
from bonescan_tutor.gui.instructor.model import Mix, Selection, draw, natural_share
from bonescan_tutor.gui.instructor.options_form import QuizOptionsForm
from bonescan_tutor.gui.library.case_filter import CaseFilter
from bonescan_tutor.gui.library.filter_form import CaseFilterForm
from bonescan_tutor.gui.screen_fit import fit_to_screen
from bonescan_tutor.gui.viewer.screen import ViewerScreen
from bonescan_tutor.storage.quizsets import EXTENSION, QuizSet, write_quizset
from bonescan_tutor.storage.results import slug

log = logging.getLogger(__name__)

MAX_SEED = 2**31 - 1
COLUMNS = ("Case", "Diagnosis", "Age", "Sex", "Date")


class QuizSetDialog(QDialog):
    """Build a ``.bstquiz`` file from the open dataset; ``save_to(path)`` writes it."""

    saved = Signal(object)  # Path

    def __init__(self, dataset: Dataset, settings: QSettings, cache: ImageCache,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset = dataset
        self.settings = settings
        self.selection = Selection()
        self.shown: list[Case] = []
        self.setWindowTitle(f"New quiz set — {dataset.name}")
        fit_to_screen(self, 1400, 860, parent)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._cases_column())
        self.preview_title = QLabel("Preview: click a case in the list")
        self.preview_title.setObjectName("sectionTitle")
        self.viewer = ViewerScreen(settings, cache, remember=False)
        self.viewer.tools.setVisible(False)  # drag still windows; the scans get the room
        self.controls_toggle = QCheckBox("Window controls")
        self.controls_toggle.toggled.connect(self.viewer.tools.setVisible)
        title_row = QHBoxLayout()
        title_row.addWidget(self.preview_title, 1)
        title_row.addWidget(self.controls_toggle)
        preview = QWidget()
        col = QVBoxLayout(preview)
        col.setContentsMargins(4, 0, 4, 0)
        col.addLayout(title_row)
        col.addWidget(self.viewer, 1)
        splitter.addWidget(preview)
        splitter.addWidget(self._options_column())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([430, 600, 370])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._fill_filter_choices()
        self.refilter()

    # --- building the widgets --------------------------------------------------------------
    def _cases_column(self) -> QWidget:
        filters = QGroupBox("Filter")
        form = QFormLayout(filters)
        self.filters = CaseFilterForm("find a case key in the list")
        form.addRow(self.filters)
        self.diagnosis, self.age_min, self.age_max = (
            self.filters.diagnosis, self.filters.age_min, self.filters.age_max)
        self.search = self.filters.search

        drawing = QGroupBox("Random draw (stratified by label)")
        dform = QFormLayout(drawing)
        self.n_cases = QSpinBox()
        self.n_cases.setRange(1, max(1, len(self.dataset.quiz_cases)))
        self.n_cases.setValue(min(20, len(self.dataset.quiz_cases)))
        dform.addRow("Cases", self.n_cases)
        mix_row = QHBoxLayout()
        self.mix = QComboBox()
        self.mix.addItem("Natural", Mix.NATURAL)
        self.mix.addItem("Balanced (50 %)", Mix.BALANCED)
        self.mix.addItem("Custom", Mix.CUSTOM)
        self.custom_percent = QDoubleSpinBox()
        self.custom_percent.setRange(0.0, 100.0)
        self.custom_percent.setDecimals(1)
        self.custom_percent.setSuffix(" %")
        self.custom_percent.setValue(30.0)
        self.custom_percent.setVisible(False)
        mix_row.addWidget(self.mix, 1)
        mix_row.addWidget(self.custom_percent)
        dform.addRow("With metastases", mix_row)
        seed_row = QHBoxLayout()
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(secrets.randbits(31))
        self.seed.setToolTip("The same seed, count and mix always draw the same cases "
                             "(also with bonescan-tutor quizset create --seed).")
        new_seed = QPushButton("New seed")
        new_seed.clicked.connect(lambda: self.seed.setValue(secrets.randbits(31)))
        self.draw_button = QPushButton("Draw")
        self.draw_button.setDefault(False)
        self.draw_button.setAutoDefault(False)
        self.draw_button.clicked.connect(self.draw)
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(new_seed)
        seed_row.addWidget(self.draw_button)
        dform.addRow("Seed", seed_row)

        self.count = QLabel("")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # the tick box is not counted by ResizeToContents: give the key column room for it
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(0, 40 + self.fontMetrics().horizontalAdvance(
            max((c.key for c in self.dataset.cases), key=len, default="0000")))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemChanged.connect(self._item_changed)
        self.table.currentCellChanged.connect(lambda row, *_: self._preview_row(row))
        self.chosen_label = QLabel("")
        self.chosen_label.setWordWrap(True)
        clear = QPushButton("Untick all")
        clear.setAutoDefault(False)
        clear.clicked.connect(self.clear_selection)
        chosen_row = QHBoxLayout()
        chosen_row.addWidget(self.chosen_label, 1)
        chosen_row.addWidget(clear)

        column = QWidget()
        col = QVBoxLayout(column)
        col.setContentsMargins(0, 0, 4, 0)
        col.addWidget(filters)
        col.addWidget(drawing)
        col.addWidget(self.count)
        col.addWidget(self.table, 1)
        col.addLayout(chosen_row)
        self.filters.changed.connect(self.refilter)
        self.mix.currentIndexChanged.connect(
            lambda: self.custom_percent.setVisible(self.mix.currentData() is Mix.CUSTOM))
        return column

    def _options_column(self) -> QWidget:
        box = QGroupBox("Quiz set")
        self.form = QuizOptionsForm(self.settings)
        inner = QVBoxLayout(box)
        inner.addWidget(self.form)
        inner.addStretch(1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("plotNote")
        self.save_button = QPushButton("Save…")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        column = QWidget()
        col = QVBoxLayout(column)
        col.setContentsMargins(4, 0, 0, 0)
        col.addWidget(box, 1)
        col.addWidget(self.status)
        col.addLayout(buttons)
        return column

    def _fill_filter_choices(self) -> None:
        self.filters.set_dataset(self.dataset)

    # --- filtering and the list ------------------------------------------------------------
    def current_filter(self) -> CaseFilter:
        return self.filters.current_filter()

    def refilter(self) -> None:
        """Refill the list from the filter and update the natural share shown."""
        current = self.current_case()
        case_filter = self.current_filter()
        self.shown = sorted(case_filter.apply(self.dataset.cases), key=lambda c: natural_key(c.key))
        with QSignalBlocker(self.table):
            self.table.setRowCount(len(self.shown))
            for row, case in enumerate(self.shown):
                self._fill_row(row, case)
        self.count.setText(f"{len(self.shown)} of {len(self.dataset)} cases match the filter")
        share = natural_share(self.dataset, case_filter)
        natural = "Natural" if share is None else f"Natural ({100 * share:.0f} %)"
        self.mix.setItemText(0, natural)
        if current in self.shown:
            with QSignalBlocker(self.table):
                self.table.setCurrentCell(self.shown.index(current), 0)
        self._show_selection()

    def _fill_row(self, row: int, case: Case) -> None:
        c = case.clinical
        key_item = QTableWidgetItem(case.key)
        label = self.dataset.label(case.diagnosis)
        if case.quiz_eligible:
            key_item.setFlags(key_item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            key_item.setCheckState(Qt.CheckState.Checked if case.key in self.selection
                                   else Qt.CheckState.Unchecked)
        else:
            label += " (doubtful)" if case.label_doubtful else " (no image)"
            key_item.setFlags(key_item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            key_item.setToolTip("Never used in quizzes: its label is doubtful or it has no image.")
        values = (label, "" if c.age is None else str(c.age), c.sex or "",
                  c.acquisition_date.isoformat() if c.acquisition_date else "")
        self.table.setItem(row, 0, key_item)
        for col, text in enumerate(values, start=1):
            item = QTableWidgetItem(text)
            if col == 1 and case.diagnosis.is_positive:
                font = QFont()
                font.setBold(True)
                item.setFont(font)
            if not case.quiz_eligible:
                item.setForeground(QColor("#7d8894"))
            self.table.setItem(row, col, item)

    def current_case(self) -> Case | None:
        row = self.table.currentRow()
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0 or not 0 <= item.row() < len(self.shown):
            return
        key = self.shown[item.row()].key
        self.selection.set_chosen(key, item.checkState() == Qt.CheckState.Checked)
        self._show_selection()

    def _preview_row(self, row: int) -> None:
        if 0 <= row < len(self.shown):
            self.preview(self.shown[row])

    def preview(self, case: Case) -> None:
        """Show a case in the preview viewer, with its label (the instructor sees it)."""
        details = ", ".join(case.clinical.lines()[:2])
        self.preview_title.setText(f"<b>Case {case.key}</b>: {self.dataset.label(case.diagnosis)}"
                                   + (f" — {details}" if details else ""))
        self.viewer.show_case(case)

    # --- choosing cases --------------------------------------------------------------------
    def chosen_keys(self) -> tuple[str, ...]:
        return tuple(self.selection.keys)

    def set_chosen(self, keys: tuple[str, ...] | list[str]) -> None:
        self.selection.replace(keys)
        self.refilter()

    def clear_selection(self) -> None:
        self.set_chosen([])

    def draw(self) -> None:
        """Replace the chosen cases by a stratified random draw (filter, count, mix, seed)."""
        try:
            keys = draw(self.dataset, self.n_cases.value(), self.mix.currentData(),
                        self.custom_percent.value(), self.seed.value(), self.current_filter())
        except BonescanError as exc:
            self._failed("Cannot draw these cases", exc)
            return
        self.set_chosen(keys)
        self.status.setText(f"Drew {len(keys)} case(s) with seed {self.seed.value()}.")

    def _show_selection(self) -> None:
        self.chosen_label.setText(self.selection.describe(self.dataset, (c.key for c in self.shown)))

    # --- saving ----------------------------------------------------------------------------
    def quiz_set(self) -> QuizSet:
        """The quiz set the form describes now (``UsageError`` says what is missing)."""
        return self.form.options().quiz_set(self.dataset, self.chosen_keys(), self.seed.value())

    def save_to(self, path: Path | str) -> QuizSet:
        """Write the quiz set to ``path`` (``.bstquiz`` added when it has no suffix)."""
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(EXTENSION)
        qs = self.quiz_set()
        write_quizset(qs, path)
        self.form.remember()
        self.settings.setValue("instructor/folder", str(path.parent))
        n_pos = sum(1 for k in qs.spec.case_keys if self.dataset.case(k).diagnosis.is_positive)
        self.status.setText(f"Saved {path.name}: {len(qs.spec.case_keys)} case(s), {n_pos} "
                            f"with metastases, seed {qs.spec.seed}.")
        self.saved.emit(path)
        return qs

    def save(self) -> None:
        """Save…: check the form first, then ask where."""
        try:
            qs = self.quiz_set()
        except BonescanError as exc:
            self._failed("The quiz set is not complete", exc)
            return
        folder = Path(str(self.settings.value("instructor/folder", "")) or Path.home())
        suggested = folder / f"{slug(qs.title, 'quiz')}{EXTENSION}"
        name, _ = QFileDialog.getSaveFileName(self, "Save quiz set", str(suggested),
                                              f"Quiz sets (*{EXTENSION})")
        if not name:
            return
        try:
            self.save_to(name)
        except BonescanError as exc:
            self._failed("Could not save the quiz set", exc)

    def _failed(self, title: str, exc: BonescanError) -> None:
        self.status.setText(str(exc))
        show_error(self, title, str(exc))
