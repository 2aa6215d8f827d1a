"""Instructor > Cohort results: merge trainees' results files and read them as a group.

Files are read and analysed in the background (``gui.tasks.run_in_background``). The
dialog shows each trainee's figures, the item analysis (sortable), the most-missed
cases with thumbnails when a dataset is open, how the group answered each case, the
group's accuracy distribution, every file left out with its reason, and with case
annotations (the open dataset's, or a ``.bstann`` file chosen in the Lesions tab) each
lesion with how many trainees found it and every trainee's LLF, NLF and wAFROC. The open
dataset's labels score every answer; without one, a banner above everything says the
labels are the trainees' own, unverified. When a trainee sent two files, both are
listed and the instructor picks which counts. "Save…" writes the same workbook (or
per-trainee CSV) as ``bonescan-tutor cohort``. The results may instead be read from a
Learning Record Store (``cohort_source``): the same merge and analysis.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.cases import Dataset, Layout
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.gui.dialogs.error import show_error
from bonescan_tutor.gui.instructor.cohort_lesions_page import LesionsPage
from bonescan_tutor.gui.instructor.cohort_model import (
    DASH,
    CohortReport,
    cohort_report,
    localization_tip,
    marks_columns,
    number,
    percent,
    trainee_cells,
    trainee_columns,
    trainee_tips,
)
from bonescan_tutor.gui.instructor.cohort_source import FILES, CohortSource, LrsSourceCommands
from bonescan_tutor.gui.instructor.missed_cases import missed_page
from bonescan_tutor.gui.instructor.sort_table import SortItem, read_only_table
from bonescan_tutor.gui.results.plots import PlotPanel, colours_for
from bonescan_tutor.gui.screen_fit import fit_to_screen
from bonescan_tutor.gui.tasks import run_in_background
from bonescan_tutor.storage.annotations import read_merged
from bonescan_tutor.storage.cohort import Prefer
from bonescan_tutor.storage.cohort_workbook import (
    accuracy_histogram,
    check_out_path,
    write_cohort_csv,
    write_cohort_workbook,
)
from bonescan_tutor.storage.quizsets import EXTENSION as QUIZ_EXTENSION
from bonescan_tutor.storage.quizsets import QuizSet, read_quizset
from bonescan_tutor.storage.results import EXTENSION, slug

log = logging.getLogger(__name__)

ITEM_COLUMNS = ("Case", "Label", "Trainees", "Correct", "Discrimination",
                "Point-biserial (corrected, item-rest)", "Point-biserial (uncorrected, item-total)",
                "Said metastases", "Said no metastases", "No answer", "Mean certainty")


class CohortDialog(LrsSourceCommands, QDialog):
    """The cohort view; ``load(paths)`` merges files in the background, then ``loaded``."""

    loaded = Signal(object)  # CohortReport

    def __init__(self, settings: QSettings, dataset: Dataset | None = None,
                 parent: QWidget | None = None,
                 annotations: AnnotationSet | None = None) -> None:
        """``annotations``: the open dataset's case annotations, if any."""
        super().__init__(parent)
        self.settings = settings
        self.dataset = dataset
        self.annotations = annotations
        self.report: CohortReport | None = None
        self.paths: list[Path] = []
        self.setWindowTitle("Cohort results")
        fit_to_screen(self, 1366, 820, parent)
        self.files_button = QPushButton("Open results files…")
        self.folder_button = QPushButton("Open a folder…")
        self.save_button = QPushButton("Save workbook…")
        self.quiz_set: QuizSet | None = None
        self.quiz_set_button = QPushButton("Quiz set…")
        self.quiz_set_button.setToolTip(f"Open the {QUIZ_EXTENSION} file the results answer: "
                                        "only its results and its cases are merged.")
        self.prefer = QComboBox()
        self.prefer.addItem("use the later file", Prefer.LATEST.value)
        self.prefer.addItem("use the earlier file", Prefer.EARLIEST.value)
        self.prefer.setToolTip("When a trainee sent more than one results file, which counts "
                               "(by the time written). Every such file is listed below.")
        self.prefer.currentIndexChanged.connect(self._prefer_changed)
        self.save_button.setEnabled(False)
        self.source = CohortSource(settings)
        self.source.changed.connect(self._source_chosen)
        self.source.readRequested.connect(self.load_lrs)
        self.lrs_read = False  # the report shown came from the LRS
        close = QPushButton("Close")
        for button, slot in ((self.files_button, self.choose_files),
                             (self.folder_button, self.choose_folder),
                             (self.quiz_set_button, self.choose_quiz_set),
                             (self.save_button, self.save), (close, self.reject)):
            button.setAutoDefault(False)
            button.clicked.connect(slot)
        bar = QHBoxLayout()
        bar.addWidget(self.files_button)
        bar.addWidget(self.folder_button)
        bar.addWidget(self.quiz_set_button)
        bar.addStretch(1)
        bar.addWidget(QLabel("Two files from one trainee:"))
        bar.addWidget(self.prefer)
        bar.addWidget(self.save_button)
        bar.addWidget(close)
        self.banner = QLabel("")
        self.banner.setObjectName("dashboardNotice")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.headline = QLabel(f"Open the {EXTENSION} files your trainees sent, or the folder "
                               "that holds them.")
        self.headline.setObjectName("emptyHint")
        self.headline.setWordWrap(True)

        self.trainees = read_only_table(trainee_columns())
        self.trainees.setWordWrap(False)
        self.trainees.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.plot = PlotPanel("accuracy", "Group accuracy", "Accuracy (%)", "Trainees")
        self.plot.exportRequested.connect(lambda _name: self._export_plot())
        self.items = read_only_table(ITEM_COLUMNS)
        self.items.horizontalHeader().setStretchLastSection(False)
        self.items.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.items.setSortingEnabled(True)
        self.items.setToolTip("Correct: share of trainees who got the case right (lower = "
                              "harder). Discrimination: upper 27 % minus lower 27 % of trainees.")
        self.missed_area = QScrollArea()
        self.missed_area.setWidgetResizable(True)
        self.problems = read_only_table(("File", "What was found"))
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.notes.setObjectName("dashboardNotice")
        problems_page = QWidget()
        pcol = QVBoxLayout(problems_page)
        pcol.addWidget(self.problems, 1)
        pcol.addWidget(self.notes)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.items, "Cases (item analysis)")
        self.tabs.addTab(self.missed_area, "Most missed")
        self.tabs.addTab(problems_page, "Files not merged")
        self.lesions = LesionsPage()
        self.lesions.annotationsChosen.connect(self.choose_annotations)
        self.lesions.set_source("Annotations: those of the open dataset "
                                f"({len(annotations.cases)} case(s))." if annotations else
                                "Annotations: none chosen.")
        self.tabs.addTab(self.lesions, "Lesions")

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.trainees)
        top.addWidget(self.plot)
        top.setStretchFactor(0, 1)
        top.setSizes([900, 420])
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(self.tabs)
        body.setSizes([300, 460])
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.source)
        layout.addLayout(bar)
        layout.addWidget(self.headline)
        layout.addWidget(body, 1)
        self.plot.apply_colours(colours_for(self.palette()))

    # --- loading ---------------------------------------------------------------------------
    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Open results files", self._folder(), f"Results files (*{EXTENSION})")
        if names:
            self.load([Path(n) for n in names])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of results files", self._folder())
        if folder:
            self.load([Path(folder)])

    def choose_quiz_set(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Open the quiz set", self._folder(), f"Quiz sets (*{QUIZ_EXTENSION})")
        if name:
            try:
                self.use_quiz_set(Path(name))
            except BonescanError as exc:
                show_error(self, "Could not read the quiz set", str(exc))

    def use_quiz_set(self, path: Path | str) -> None:
        """Merge only this quiz set's results and cases (re-merging what is open)."""
        self.quiz_set = read_quizset(Path(path))
        self.quiz_set_button.setText(f"Quiz set: {self.quiz_set.title}")
        self._reload()

    def _folder(self) -> str:
        return str(self.settings.value("instructor/results_dir", "")) or str(Path.home())

    def load(self, paths: Sequence[Path | str]) -> None:
        """Merge these files and folders in the background; ``loaded`` fires when shown."""
        self.paths, self.lrs_read = [Path(p) for p in paths], False
        self.source.choose(FILES)
        if self.paths:
            first = self.paths[0]
            self.settings.setValue("instructor/results_dir",
                                   str(first if first.is_dir() else first.parent))
        self._busy(True)
        self.headline.setText(f"Reading {len(self.paths)} file(s) or folder(s)…")
        dataset, paths_now = self.dataset, list(self.paths)
        prefer, quiz_set = Prefer(self.prefer.currentData()), self.quiz_set
        annotations = self.annotations
        run_in_background(lambda: cohort_report(paths_now, dataset, prefer=prefer,
                                                quiz_set=quiz_set, annotations=annotations),
                          self.show_report, self._load_failed)

    def choose_annotations(self, files: Sequence[Path | str]) -> None:
        """Score the marks against these ``.bstann`` files (merged) instead; a file that
        cannot be read is named and the annotations in use are kept."""
        files = [Path(f) for f in files]
        try:
            merged, warnings = read_merged(files)
        except BonescanError as exc:
            show_error(self, "Could not read the annotations",
                       f"{exc}\n\nThe annotations in use are kept.")
            return
        self.annotations = merged
        self.lesions.folder = str(files[0].parent)
        names = ", ".join(f.name for f in files)
        self.lesions.set_source(f"Annotations: {names} ({len(merged.cases)} case(s))."
                                + "".join(f" {w}" for w in warnings))
        self._reload()

    def _prefer_changed(self) -> None:
        self._reload()

    def _reload(self) -> None:
        """Merge again what is shown (after the quiz set or the preference changed)."""
        if self.lrs_read:
            self.load_lrs()
        elif self.paths:
            self.load(self.paths)

    def _busy(self, busy: bool) -> None:
        if not busy:
            self.source.set_busy(False)
        for button in (self.files_button, self.folder_button, self.quiz_set_button,
                       self.lesions.choose_button):
            button.setEnabled(not busy)
        self.prefer.setEnabled(not busy)
        self.save_button.setEnabled(not busy and self.report is not None
                                    and bool(self.report.cohort.results))

    def _load_failed(self, exc: BaseException) -> None:
        self._busy(False)
        if not isinstance(exc, BonescanError):
            raise exc
        self.headline.setText(str(exc))
        show_error(self, "Could not read the Learning Record Store" if self.lrs_read
                   else "Could not read the results", str(exc))

    # --- showing ---------------------------------------------------------------------------
    def show_report(self, report: CohortReport) -> None:
        self.report = report
        self._busy(False)
        self.banner.setText(report.cohort.banner)
        self.banner.setVisible(True)
        self.banner.setStyleSheet("" if report.cohort.truth_verified else "font-weight: bold;")
        self.headline.setText(report.headline())
        self._fill_trainees(report)
        self._fill_items(report)
        self._fill_missed(report)
        self._fill_problems(report)
        self._draw_accuracy(report)
        self.lesions.show_report(report)
        self.tabs.setTabText(self.tabs.indexOf(self.lesions), self.lesions.count_text(report))
        if not report.cohort.results:
            self.tabs.setCurrentIndex(2)
        self.loaded.emit(report)

    def _fill_trainees(self, report: CohortReport) -> None:
        t = self.trainees
        t.setRowCount(len(report.cohort.results))
        marks = marks_columns()
        for row, r in enumerate(report.cohort.results):
            loc = report.localization.get(r.trainee)
            cells = trainee_cells(r.trainee, report.summaries[r.trainee], r.status.value,
                                  r.path.name if r.path else "", loc)
            tips = ("", *trainee_tips(report.summaries[r.trainee]), "", "")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 0 < col < len(cells) - 2:  # the figures
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    item.setToolTip(tips[col])
                if col in marks and loc is not None:
                    item.setToolTip(localization_tip(loc))
                t.setItem(row, col, item)
        for col in marks:
            t.setColumnHidden(col, report.lesions is None)

    def _fill_items(self, report: CohortReport) -> None:
        t = self.items
        t.setSortingEnabled(False)
        t.setRowCount(len(report.items))
        for row, s in enumerate(report.items):
            said = s.answer_spread
            cells = (
                SortItem(s.case_key, row, right=False),  # items come in key order
                QTableWidgetItem(s.truth.label_in(self._layout(report))),
                SortItem(str(s.n), s.n),
                SortItem(percent(s.difficulty), s.difficulty),
                SortItem(number(s.discrimination), s.discrimination),
                SortItem(number(s.point_biserial_corrected), s.point_biserial_corrected),
                SortItem(number(s.point_biserial), s.point_biserial),
                SortItem(str(said["metastases"]), said["metastases"]),
                SortItem(str(said["no_metastases"]), said["no_metastases"]),
                SortItem(str(said["unanswered"]), said["unanswered"]),
                SortItem(DASH if s.mean_certainty is None else f"{s.mean_certainty:.0f} %",
                          s.mean_certainty),
            )
            for col, item in enumerate(cells):
                t.setItem(row, col, item)
        # hardest first; the sort is stable, so ties stay in case-key order
        t.horizontalHeader().setSortIndicator(3, Qt.SortOrder.AscendingOrder)
        t.setSortingEnabled(True)

    def _layout(self, report: CohortReport) -> Layout | None:
        """The open dataset's layout when the results were made on it: its class names."""
        d = self.dataset
        same = d is not None and any(r.dataset_fingerprint == d.fingerprint
                                     for r in report.cohort.results)
        return d.layout if same and d is not None else None

    def _fill_missed(self, report: CohortReport) -> None:
        page, self.missed_cards = missed_page(report, self.plot.colours, self.dataset is not None,
                                              self._layout(report))
        self.missed_area.setWidget(page)
        self.tabs.setTabText(1, f"Most missed ({len(report.worst)})")

    def _fill_problems(self, report: CohortReport) -> None:
        c = report.cohort
        rows = [(", ".join(p.name for p in d.files), "; ".join(str(p) for p in d.files), str(d))
                for d in c.duplicates]
        rows += [(p.path.name, str(p.path), p.message) for p in (*c.problems, *c.warnings)]
        self.problems.setRowCount(len(rows))
        for row, (name, tip, message) in enumerate(rows):
            item = QTableWidgetItem(name)
            item.setToolTip(tip)
            self.problems.setItem(row, 0, item)
            self.problems.setItem(row, 1, QTableWidgetItem(message))
        self.notes.setText("<br>".join(c.notes))
        self.notes.setVisible(bool(c.notes))
        check = f", {report.to_check} to check" if report.to_check else ""
        self.tabs.setTabText(2, f"Files not merged ({len(c.problems)}){check}")

    def _draw_accuracy(self, report: CohortReport) -> None:
        panel = self.plot
        panel.apply_colours(colours_for(self.palette()))
        panel.clear()
        c = panel.colours
        counts = [n for _label, n in accuracy_histogram(report.accuracies)]
        x = np.arange(len(counts)) * 10 + 5.0
        panel.plot.addItem(pg.BarGraphItem(x=x, height=counts, width=8.5,
                                           brush=pg.mkBrush(c.first), pen=pg.mkPen(c.background)))
        accs = report.accuracies
        if accs:
            mean = 100 * float(np.mean(accs))
            line = pg.InfiniteLine(mean, angle=90, pen=pg.mkPen(c.second, width=2,
                                                                style=Qt.PenStyle.DashLine))
            panel.plot.addItem(line)
            panel.set_note(f"{len(accs)} trainee(s); dashed line: mean {mean:.1f} %.")
        else:
            panel.set_note("")
        panel.plot.setXRange(0, 100, padding=0.05)  # room for the "100" tick
        panel.plot.setYRange(0, max([*counts, 1]) + 0.5, padding=0)
        panel.plot.getPlotItem().getAxis("left").setTickSpacing(1, 1)
        panel.sync_legend()

    # --- saving ----------------------------------------------------------------------------
    def save_workbook(self, path: Path | str) -> Path:
        """Write the cohort workbook, or the per-trainee CSV for a ``.csv`` name (the CLI's
        ``cohort --out``); a name without an extension gets ``.xlsx``, another is refused."""
        if self.report is None or not self.report.cohort.results:
            raise BonescanError("Open some results files first; there is nothing to save yet.")
        r = self.report
        path = Path(path)
        path = check_out_path(path if path.suffix else path.with_suffix(".xlsx"))
        figures = r.localization if r.lesions is not None else None
        if path.suffix.lower() == ".csv":
            out = write_cohort_csv(r.cohort, path, r.summaries, figures)
        else:
            out = write_cohort_workbook(r.cohort, path, r.thumbnails or None, items=r.items,
                                        summaries=r.summaries, lesions=r.lesions,
                                        localization=figures)
        self.headline.setText(f"{r.headline()} Saved {out.name}.")
        return out

    def save(self) -> None:
        if self.report is None:
            return
        title = slug(self.report.cohort.quiz_set_title, "cohort")
        name, _ = QFileDialog.getSaveFileName(
            self, "Save cohort workbook", str(Path(self._folder()) / f"{title}-cohort.xlsx"),
            "Excel workbooks (*.xlsx);;Per-trainee table, CSV (*.csv)")
        if not name:
            return
        try:
            self.save_workbook(name)
        except BonescanError as exc:
            show_error(self, "Could not save the workbook", str(exc))

    def _export_plot(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export plot", str(
            Path(self._folder()) / "group-accuracy.png"), "PNG pictures (*.png)")
        if name:
            try:
                self.plot.export_png(Path(name))
            except BonescanError as exc:
                show_error(self, "Could not export the plot", str(exc))
