"""The progress dashboard screen: filters, figure cards, plots, the answers table, leeches.

Dumb by design: every figure arrives from ``DashboardPresenter``; the widgets only
draw it and turn clicks into filter changes and signals for the main window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.cases import Layout
from bonescan_tutor.core.errors import BonescanError, UsageError
from bonescan_tutor.gui.results import plots
from bonescan_tutor.gui.results.localization import (
    NO_ANNOTATIONS,
    LocalizationLoader,
    LocalizationSeries,
)
from bonescan_tutor.gui.results.model import (
    AttemptRows,
    DashboardFilter,
    FilterOptions,
    Leech,
)
from bonescan_tutor.gui.results.presenter import AttemptLoader, DashboardPresenter, DueLoader
from bonescan_tutor.gui.results.series import (
    CalibrationSeries,
    Headline,
    LearningSeries,
    RocSeries,
    SensSpecSeries,
    TimeSeries,
    card_count,
)
from bonescan_tutor.gui.results.table import CASE_KEY_ROLE, AttemptsTableModel

EXPORT_KINDS: tuple[tuple[str, str], ...] = (
    ("xlsx", "Excel workbook (.xlsx)…"),
    ("csv", "CSV file…"),
    ("imrmc", "iMRMC reader-study file…"),
    ("rjafroc", "RJafroc JAFROC workbook (lesion marks)…"),
)
PLOT_SPECS: tuple[tuple[str, str, str, str], ...] = (
    ("learning", "Accuracy as you read more cases", "Cases read", "Accuracy (%)"),
    ("sens_spec", "Sensitivity and specificity over time", "Cases read", "Percent"),
    ("times", "Time per case", "Answer number", "Seconds"),
    ("roc", "ROC curve", "1 − specificity (false-positive rate)", "Sensitivity"),
    ("calibration", "Calibration: how often you were right", "Stated certainty (%)",
     "Observed accuracy (%)"),
)
PLOT_NAMES: tuple[str, ...] = tuple(spec[0] for spec in PLOT_SPECS)
LOCALIZATION_PLOT_SPECS: tuple[tuple[str, str, str, str], ...] = (
    ("froc", "FROC curve: lesions found against false marks",
     "False marks per case (NLF)", "Lesions found (LLF)"),
    ("wafroc", "wAFROC curve", "Normal cases with a false mark (FPF)",
     "Lesions found, weighted (wLLF)"),
)
LESIONS_TAB = "Lesion finding"


class FigureCard(QFrame):
    """A headline figure: small title, big value, one line (or sentence) of detail."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.title = QLabel()
        self.title.setObjectName("cardTitle")
        self.value = QLabel()
        self.value.setObjectName("cardValue")
        self.detail = QLabel()
        self.detail.setObjectName("cardDetail")
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(1)
        for label in (self.title, self.value, self.detail):
            layout.addWidget(label)
        layout.addStretch(1)

    def show_headline(self, h: Headline) -> None:
        self.title.setText(h.title)
        self.value.setText(h.value)
        self.detail.setText(h.detail)
        self.setToolTip(h.text)


class DashboardScreen(QWidget):
    """A resident's progress: are they getting better? Embed it in the main window.

    ``load_attempts(filter)`` returns (attempts, all the trainee's sessions), e.g.
    ``progress_loader(store, trainee)``. The screen loads when first shown; call
    ``invalidate()`` after new answers are stored and it reloads (now if visible,
    else when next shown).
    """

    openCase = Signal(str)  # a case key, from a double-click on the table or a leech
    exportRequested = Signal(str)  # "xlsx", "csv", "imrmc" or "rjafroc"

    def __init__(
        self,
        load_attempts: AttemptLoader,
        current_fingerprint: str | None = None,
        parent: QWidget | None = None,
        *,
        window: int = 20,
        due_today: DueLoader | None = None,
        current_layout: Layout | None = None,
        load_localization: LocalizationLoader | None = None,
    ) -> None:
        """``load_localization(filter)`` (e.g. ``localization_loader(store, trainee,
        annotations)``) fills the "Lesion finding" tab; without it the tab says why it
        is empty."""
        super().__init__(parent)
        self.setObjectName("dashboardScreen")
        self._stale = True
        self._updating_filters = False
        self._build_filter_bar()
        self.notice = QLabel()
        self.notice.setObjectName("dashboardNotice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.due = QLabel()
        self.due.setObjectName("dueToday")
        self.due.setVisible(False)

        self.empty_title = QLabel()
        self.empty_title.setObjectName("emptyTitle")
        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("emptyHint")
        for label in (self.empty_title, self.empty_hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_title)
        empty_layout.addWidget(self.empty_hint)
        empty_layout.addStretch(2)

        self.cards = [FigureCard() for _ in range(card_count())]
        cards_row = QHBoxLayout()
        cards_row.setSpacing(6)
        for card in self.cards:
            cards_row.addWidget(card, 1)

        self.plots: dict[str, plots.PlotPanel] = {}
        figures_page = QWidget()
        grid = QGridLayout(figures_page)
        grid.setContentsMargins(2, 4, 2, 2)
        grid.setSpacing(8)
        for i, (name, title, x_label, y_label) in enumerate(PLOT_SPECS):
            panel = plots.PlotPanel(name, title, x_label, y_label)
            panel.exportRequested.connect(self._ask_export_png)
            self.plots[name] = panel
            grid.addWidget(panel, i // 3, i % 3)
        self.leeches = QListWidget()
        self.leeches.setObjectName("leeches")
        self.leeches.itemDoubleClicked.connect(self._leech_activated)
        leech_box = QWidget()
        leech_layout = QVBoxLayout(leech_box)
        leech_layout.setContentsMargins(0, 0, 0, 0)
        leech_title = QLabel("Cases you keep missing (double-click to open)")
        leech_title.setObjectName("sectionTitle")
        leech_layout.addWidget(leech_title)
        leech_layout.addWidget(self.leeches, 1)
        grid.addWidget(leech_box, 1, 2)

        self.table_model = AttemptsTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("attemptsTable")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((120, 160, 70, 140, 170, 70, 70, 80)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._row_activated)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("dashboardTabs")
        self.tabs.addTab(figures_page, "Figures")
        self.tabs.addTab(self.table, "Answers")
        self.tabs.addTab(self._build_lesions_page(), LESIONS_TAB)

        content_page = QWidget()
        content = QVBoxLayout(content_page)
        content.setContentsMargins(0, 0, 0, 0)
        content.addLayout(cards_row)
        content.addWidget(self.tabs, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(empty_page)
        self.pages.addWidget(content_page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self.filter_bar)
        layout.addWidget(self.due)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages, 1)

        self.presenter = DashboardPresenter(self, load_attempts, current_fingerprint, window,
                                            due_today, current_layout, load_localization)
        self.show_localization(LocalizationSeries(message=NO_ANNOTATIONS))

    def _build_lesions_page(self) -> QWidget:
        self.lesions_empty = QLabel()
        self.lesions_empty.setObjectName("lesionsEmpty")
        self.lesions_empty.setWordWrap(True)
        self.lesions_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lesion_figures = QLabel()
        self.lesion_figures.setObjectName("lesionFigures")
        self.lesion_figures.setWordWrap(True)
        curves = QWidget()
        column = QVBoxLayout(curves)
        column.setContentsMargins(2, 4, 2, 2)
        column.addWidget(self.lesion_figures)
        row = QHBoxLayout()
        for name, title, x_label, y_label in LOCALIZATION_PLOT_SPECS:
            panel = plots.PlotPanel(name, title, x_label, y_label)
            panel.exportRequested.connect(self._ask_export_png)
            self.plots[name] = panel
            row.addWidget(panel, 1)
        column.addLayout(row, 1)
        self.lesion_pages = QStackedWidget()
        self.lesion_pages.addWidget(self.lesions_empty)
        self.lesion_pages.addWidget(curves)
        return self.lesion_pages

    # -- the filter bar -------------------------------------------------------------------

    def _build_filter_bar(self) -> None:
        today = QDate.currentDate()
        self.since_check = QCheckBox("From")
        self.until_check = QCheckBox("to")
        self.since_edit = QDateEdit(today.addMonths(-1))
        self.until_edit = QDateEdit(today)
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            edit.dateChanged.connect(self._filters_changed)
        self.since_check.toggled.connect(self.since_edit.setEnabled)
        self.until_check.toggled.connect(self.until_edit.setEnabled)
        self.since_check.toggled.connect(self._filters_changed)
        self.until_check.toggled.connect(self._filters_changed)
        self.session_combo = QComboBox()
        self.quiz_combo = QComboBox()
        self.dataset_combo = QComboBox()
        for combo in (self.session_combo, self.quiz_combo, self.dataset_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(12)
            combo.currentIndexChanged.connect(self._filters_changed)
        self.all_check = QCheckBox("Every answer")
        self.all_check.setToolTip("Count every answer, a case read again each time; "
                                  "unticked, figures and curves count the latest answer "
                                  "per case")
        self.all_check.toggled.connect(self._filters_changed)
        self.session_combo.setToolTip("Count one quiz session only")
        self.quiz_combo.setToolTip("Count one quiz set only")
        self.dataset_combo.setToolTip("Count answers given on one version of the dataset")
        self.export_button = QToolButton()
        self.export_button.setObjectName("exportResults")
        self.export_button.setText("Export results")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        self.export_actions = {}
        for kind, text in EXPORT_KINDS:
            action = menu.addAction(text)
            action.triggered.connect(lambda _=False, k=kind: self.exportRequested.emit(k))
            self.export_actions[kind] = action
        self.export_button.setMenu(menu)
        bar = QHBoxLayout()
        for widget in (self.since_check, self.since_edit, self.until_check, self.until_edit):
            bar.addWidget(widget)
        bar.addSpacing(12)
        for text, combo in (
            ("Session", self.session_combo),
            ("Quiz", self.quiz_combo),
            ("Dataset", self.dataset_combo),
        ):
            bar.addWidget(QLabel(text))
            bar.addWidget(combo)
        bar.addSpacing(12)
        bar.addWidget(self.all_check)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        self.filter_bar = bar

    def current_filter(self) -> DashboardFilter:
        def day(check: QCheckBox, edit: QDateEdit) -> date | None:
            if not check.isChecked():
                return None
            d = edit.date()
            return date(d.year(), d.month(), d.day())

        return DashboardFilter(
            since=day(self.since_check, self.since_edit),
            until=day(self.until_check, self.until_edit),
            session_id=self.session_combo.currentData(),
            quiz_title=self.quiz_combo.currentData(),
            dataset_fingerprint=self.dataset_combo.currentData(),
            all_attempts=self.all_check.isChecked(),
        )

    def set_filter(self, flt: DashboardFilter) -> None:
        """Set the filter bar (as a resident would) and reload."""
        self._updating_filters = True
        try:
            for check, edit, day in (
                (self.since_check, self.since_edit, flt.since),
                (self.until_check, self.until_edit, flt.until),
            ):
                check.setChecked(day is not None)
                if day is not None:
                    edit.setDate(QDate(day.year, day.month, day.day))
            for combo, value in (
                (self.session_combo, flt.session_id),
                (self.quiz_combo, flt.quiz_title),
                (self.dataset_combo, flt.dataset_fingerprint),
            ):
                found = combo.findData(value)
                if found < 0:
                    combo.addItem(str(value), value)
                    found = combo.count() - 1
                combo.setCurrentIndex(found)
            self.all_check.setChecked(flt.all_attempts)
        finally:
            self._updating_filters = False
        self.presenter.set_filter(flt)

    def _filters_changed(self) -> None:
        if not self._updating_filters:
            self.presenter.set_filter(self.current_filter())

    # -- reloading ------------------------------------------------------------------------

    def refresh(self) -> None:
        self._stale = False
        self.presenter.refresh()

    def invalidate(self) -> None:
        """New answers were stored: reload now if visible, else when next shown."""
        self._stale = True
        if self.isVisible():
            self.refresh()

    def set_current_fingerprint(self, fingerprint: str | None, layout: Layout | None = None
                                ) -> None:
        """The dataset now open; answers on other versions get flagged, answers on it
        show its own class names (BS-80K: Abnormal / Normal)."""
        self.presenter.set_current_fingerprint(fingerprint, layout)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "presenter"):
            self._restyle()

    def _restyle(self) -> None:
        colours = plots.colours_for(self.palette())
        if colours is next(iter(self.plots.values())).colours:
            return
        for panel in self.plots.values():
            panel.apply_colours(colours)
        if self.presenter.data is not None and self.presenter.data.summary is not None:
            self.presenter.refresh()  # redraw the curves in the new colours

    # -- DashboardView: what the presenter pushes ------------------------------------------

    def show_filter_options(self, options: FilterOptions, current: DashboardFilter) -> None:
        self._updating_filters = True
        try:
            day = options.first_day
            if day is not None and not self.since_check.isChecked():
                self.since_edit.setDate(QDate(day.year, day.month, day.day))
            for combo, everything, items, value in (
                (self.session_combo, "All sessions", options.sessions, current.session_id),
                (self.quiz_combo, "All quizzes", [(t, t) for t in options.quiz_titles],
                 current.quiz_title),
                (self.dataset_combo, "All dataset versions", options.datasets,
                 current.dataset_fingerprint),
            ):
                combo.clear()
                combo.addItem(everything, None)
                for data, label in items:
                    combo.addItem(label, data)
                combo.setCurrentIndex(max(combo.findData(value), 0))
        finally:
            self._updating_filters = False

    def show_empty(self, message: str, hint: str) -> None:
        self.empty_title.setText(message)
        self.empty_hint.setText(hint)
        self.pages.setCurrentIndex(0)

    def show_dashboard(self) -> None:
        self.pages.setCurrentIndex(1)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def show_due(self, text: str) -> None:
        self.due.setText(text)
        self.due.setVisible(bool(text))

    def show_headlines(self, cards: Sequence[Headline]) -> None:
        for widget, headline in zip(self.cards, cards, strict=False):
            widget.show_headline(headline)
        for i, widget in enumerate(self.cards):
            widget.setVisible(i < len(cards))

    def show_learning_curve(self, series: LearningSeries) -> None:
        plots.draw_learning(self.plots["learning"], series)

    def show_roc(self, series: RocSeries) -> None:
        plots.draw_roc(self.plots["roc"], series)

    def show_calibration(self, series: CalibrationSeries) -> None:
        plots.draw_calibration(self.plots["calibration"], series)

    def show_sens_spec(self, series: SensSpecSeries) -> None:
        plots.draw_sens_spec(self.plots["sens_spec"], series)

    def show_times(self, series: TimeSeries) -> None:
        plots.draw_times(self.plots["times"], series)

    def show_localization(self, series: LocalizationSeries) -> None:
        """The FROC and wAFROC curves, or the reason there are none."""
        if series.empty:
            self.lesions_empty.setText(series.message)
            self.lesion_pages.setCurrentIndex(0)
            return
        plots.draw_froc(self.plots["froc"], series)
        plots.draw_wafroc(self.plots["wafroc"], series)
        self.lesion_figures.setText(series.figures)
        self.lesion_pages.setCurrentIndex(1)

    def show_attempts(self, rows: AttemptRows) -> None:
        self.table_model.set_rows(rows)
        self.tabs.setTabText(1, f"Answers ({len(rows)})")

    def show_leeches(self, leeches: Sequence[Leech]) -> None:
        self.leeches.clear()
        if not leeches:
            item = QListWidgetItem("None yet: no case missed three times.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.leeches.addItem(item)
            return
        for leech in leeches:
            item = QListWidgetItem(leech.text)
            item.setData(Qt.ItemDataRole.UserRole, leech.case_key)
            self.leeches.addItem(item)

    # -- exports and case opening ---------------------------------------------------------

    def export_png(self, plot_name: str, path: Path | str) -> Path:
        """Save one plot ("learning", "roc", "calibration", "sens_spec", "times", "froc",
        "wafroc") as PNG."""
        if plot_name not in self.plots:
            raise UsageError(
                f"There is no plot called {plot_name!r}; choose one of {', '.join(self.plots)}."
            )
        return self.plots[plot_name].export_png(Path(path))

    def _ask_export_png(self, plot_name: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export plot as PNG", f"{plot_name}.png", "PNG pictures (*.png)"
        )
        if not path:
            return
        try:
            self.export_png(plot_name, path)
        except BonescanError as exc:
            from bonescan_tutor.gui.dialogs.error import show_error

            show_error(self, "Export failed", str(exc))

    def _row_activated(self, index: QModelIndex) -> None:
        key = self.table_model.data(index, CASE_KEY_ROLE)
        if key:
            self.openCase.emit(str(key))

    def _leech_activated(self, item: QListWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        if key:
            self.openCase.emit(str(key))
