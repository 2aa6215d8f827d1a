"""The dashboard's pyqtgraph plots: one panel per figure, each exportable as a PNG.

Panels only draw the series the presenter computed. Colours come from the widget's
palette (which follows the dark or light style sheet), with an Okabe-Ito palette for
the curves so they stay apart for colour-blind readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.gui.results.localization import LocalizationSeries
from bonescan_tutor.gui.results.series import (
    CalibrationSeries,
    LearningSeries,
    RocSeries,
    SensSpecSeries,
    TimeSeries,
)


@dataclass(frozen=True)
class PlotColours:
    background: str
    foreground: str
    grid_alpha: float
    first: str  # cumulative accuracy, sensitivity, ROC, calibration points
    second: str  # rolling accuracy, specificity, median line
    third: str  # reading times
    reference: str  # chance diagonal, identity line


DARK = PlotColours("#0f1317", "#c9d2dc", 0.18, "#56B4E9", "#E69F00", "#8fd3b8", "#7d8894")
LIGHT = PlotColours("#ffffff", "#1d2329", 0.25, "#0072B2", "#D55E00", "#009E73", "#8a939c")


def colours_for(palette: QPalette) -> PlotColours:
    return DARK if palette.color(QPalette.ColorRole.Window).lightness() < 128 else LIGHT


class PlotPanel(QWidget):
    """A titled pyqtgraph plot with an "Export PNG…" button and context-menu action."""

    exportRequested = Signal(str)  # this panel's name

    def __init__(
        self, name: str, title: str, x_label: str, y_label: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName(f"plot_{name}")
        self._title = title
        self._axis_labels = (x_label, y_label)
        self.colours = DARK
        self.plot = pg.PlotWidget()
        self.plot.setMinimumSize(300, 220)
        self.plot.setMenuEnabled(True)
        item = self.plot.getPlotItem()
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.getViewBox().disableAutoRange()  # each draw sets its ranges once
        for side in ("left", "bottom", "top", "right"):
            # no units, so no SI prefix; and an axis with the prefix on (even a hidden
            # one) rebuilds its label's HTML on every range change
            item.getAxis(side).enableAutoSIPrefix(False)
        self.legend = item.addLegend(offset=(-8, -8), labelTextSize="9pt")
        action = QAction("Export PNG…", self.plot)
        action.triggered.connect(lambda: self.exportRequested.emit(self.name))
        view_menu = item.getViewBox().menu
        if view_menu is not None:
            view_menu.addSeparator()
            view_menu.addAction(action)
        self.export_button = QPushButton("Export PNG…")
        self.export_button.setObjectName("exportPng")
        self.export_button.setToolTip(f"Save the “{title}” plot as a PNG picture")
        self.export_button.clicked.connect(lambda: self.exportRequested.emit(self.name))
        self.note = QLabel("")
        self.note.setObjectName("plotNote")
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        bar = QHBoxLayout()
        bar.addWidget(self.note, 1)
        bar.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot, 1)
        layout.addLayout(bar)
        self.apply_colours(DARK)

    # -- styling --------------------------------------------------------------------------

    def apply_colours(self, colours: PlotColours) -> None:
        self.colours = colours
        item = self.plot.getPlotItem()
        self.plot.setBackground(colours.background)
        font = QFont()
        font.setPointSize(9)
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(colours.foreground))
            axis.setTextPen(pg.mkPen(colours.foreground))
            # major and minor ticks only: the faint third level of grid lines doubled
            # the cost of drawing the axes and was barely visible
            axis.setStyle(tickFont=font, maxTickLevel=1)
        x_label, y_label = self._axis_labels
        item.setLabel("bottom", x_label, color=colours.foreground, **{"font-size": "9pt"})
        item.setLabel("left", y_label, color=colours.foreground, **{"font-size": "9pt"})
        item.showGrid(x=True, y=True, alpha=colours.grid_alpha)
        self.set_title(self._title)
        if self.legend is not None:
            self.legend.setLabelTextColor(colours.foreground)
            fill = QColor(colours.background)
            fill.setAlpha(215)  # the curves stay faintly visible behind the legend
            self.legend.setBrush(pg.mkBrush(fill))
            self.legend.setPen(pg.mkPen(QColor(colours.reference)))

    def set_title(self, title: str) -> None:
        self._title = title
        self.plot.getPlotItem().setTitle(title, color=self.colours.foreground, size="10.5pt")

    @property
    def title(self) -> str:
        return self._title

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def sync_legend(self) -> None:
        """Show the legend only when something in the plot has a name."""
        if self.legend is not None:
            self.legend.setVisible(bool(self.legend.items))

    def clear(self) -> None:
        self.plot.getPlotItem().clear()
        if self.legend is not None:
            self.legend.clear()

    # -- export ---------------------------------------------------------------------------

    def export_png(self, path: Path) -> Path:
        """Save the plot (what is on screen, at its size) as a PNG."""
        path = Path(path)
        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        if not self.plot.grab().save(str(path), "PNG"):
            raise UsageError(
                f"Could not write the picture {path}: choose a folder you can write to."
            )
        return path

    # -- drawing helpers ------------------------------------------------------------------

    def line(self, x: np.ndarray, y: np.ndarray, colour: str, name: str, width: float = 2.0,
             style: Qt.PenStyle = Qt.PenStyle.SolidLine, *, jagged: bool = False
             ) -> pg.PlotCurveItem:
        """A curve (NaN gaps left open). ``jagged`` draws it segment by segment: Qt strokes
        a wide anti-aliased zigzag as one self-overlapping path, ten times slower, and
        segments look the same there (on a smooth curve their overlaps would show)."""
        pen = pg.mkPen(colour, width=width, style=style)
        if jagged:
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        item = pg.PlotCurveItem(x, y, pen=pen, name=name, connect="finite")
        if jagged:
            item.setSegmentedLineMode("on")
        self.plot.addItem(item)
        return item


def draw_learning(panel: PlotPanel, s: LearningSeries) -> None:
    c = panel.colours
    panel.clear()
    panel.line(s.n_read, s.cumulative, c.first, "Overall (cumulative)", 2.5)
    panel.line(s.n_read, s.rolling, c.second, f"Last {s.window} cases", 1.5, jagged=True)
    panel.plot.setYRange(0, 100, padding=0.06)
    panel.plot.setXRange(0, max(float(s.n_read[-1]) if s.n_read.size else 1.0, 1.0), padding=0.02)
    panel.set_note(
        "" if s.n_read.size >= s.window
        else f"The rolling line starts once you have read {s.window} cases."
    )
    panel.sync_legend()


def draw_sens_spec(panel: PlotPanel, s: SensSpecSeries) -> None:
    c = panel.colours
    panel.clear()
    panel.line(s.n_read, s.sensitivity, c.first, "Sensitivity", 2.5)
    panel.line(s.n_read, s.specificity, c.second, "Specificity", 2.5)
    panel.plot.setYRange(0, 100, padding=0.06)
    panel.plot.setXRange(0, max(float(s.n_read[-1]) if s.n_read.size else 1.0, 1.0), padding=0.02)
    panel.sync_legend()


def draw_roc(panel: PlotPanel, s: RocSeries) -> None:
    c = panel.colours
    panel.clear()
    diagonal = np.array([0.0, 1.0])
    panel.line(diagonal, diagonal, c.reference, "Chance", 1.0, Qt.PenStyle.DashLine)
    if s.fpr.size:
        # dynamicRangeLimit=None: the view never zooms, so pyqtgraph need not redo the
        # points on each range change (for 1,000 time dots, most of their drawing cost)
        points = pg.PlotDataItem(
            s.fpr, s.tpr, pen=pg.mkPen(c.first, width=2.5), name="Your answers",
            connect="finite", symbol="o", symbolSize=7, symbolBrush=pg.mkBrush(c.first),
            symbolPen=pg.mkPen(c.background), dynamicRangeLimit=None,
        )
        panel.plot.addItem(points)
    panel.set_title(s.title)
    panel.set_note(s.note)
    panel.plot.setXRange(0, 1, padding=0.03)
    panel.plot.setYRange(0, 1, padding=0.03)
    panel.sync_legend()


def draw_calibration(panel: PlotPanel, s: CalibrationSeries) -> None:
    c = panel.colours
    panel.clear()
    identity = np.array([50.0, 100.0])
    panel.line(identity, identity, c.reference, "Perfect calibration", 1.0, Qt.PenStyle.DashLine)
    if s.certainty.size:
        bars = pg.ErrorBarItem(
            x=s.certainty, y=s.observed, top=s.above, bottom=s.below, beam=2.0,
            pen=pg.mkPen(c.first, width=1.5),
        )
        panel.plot.addItem(bars)
        points = pg.ScatterPlotItem(
            s.certainty, s.observed, size=9, brush=pg.mkBrush(c.first),
            pen=pg.mkPen(c.background), name="You (95 % CI)",
        )
        panel.plot.addItem(points)
        for x, y, n in zip(s.certainty.tolist(), s.observed.tolist(), s.n.tolist(), strict=True):
            label = pg.TextItem(f"n={n}", color=c.foreground, anchor=(-0.25, 0.5))
            label.setPos(x, y)
            panel.plot.addItem(label)
    panel.set_note(s.note)
    panel.plot.setXRange(45, 108, padding=0)
    panel.plot.setYRange(0, 100, padding=0.06)
    panel.sync_legend()


def draw_times(panel: PlotPanel, s: TimeSeries) -> None:
    c = panel.colours
    panel.clear()
    if s.seconds.size:
        dots = pg.PlotDataItem(  # dynamicRangeLimit=None: see draw_roc
            s.answer_number, s.seconds, pen=None, symbol="o", symbolSize=4,
            symbolBrush=pg.mkBrush(c.third), symbolPen=None, dynamicRangeLimit=None,
        )
        panel.plot.addItem(dots)
        top = float(np.percentile(s.seconds, 99)) * 1.1 or 1.0
        panel.plot.setYRange(0, top, padding=0)
        panel.plot.setXRange(0, float(s.answer_number[-1]), padding=0.02)
    if s.median_s is not None:
        median = pg.InfiniteLine(
            pos=s.median_s, angle=0,
            pen=pg.mkPen(c.second, width=2, style=Qt.PenStyle.DashLine),
            label=f"median {s.median_s:.0f} s",
            labelOpts={
                "color": c.second, "position": 0.08, "anchors": [(0, 1), (0, 1)],
                "fill": pg.mkBrush(QColor(c.background)),
            },
        )
        panel.plot.addItem(median)
    panel.set_note(s.note)
    panel.sync_legend()


def draw_froc(panel: PlotPanel, s: LocalizationSeries) -> None:
    """Lesions found (LLF) against false marks per case (NLF), one point per rating."""
    c = panel.colours
    panel.clear()
    top_x = 1.0
    if s.points is not None:
        p = s.points
        panel.plot.addItem(pg.PlotDataItem(
            p.nlf, p.llf, pen=pg.mkPen(c.first, width=2.5), name="Your marks",
            symbol="o", symbolSize=7, symbolBrush=pg.mkBrush(c.first),
            symbolPen=pg.mkPen(c.background), dynamicRangeLimit=None,
        ))
        top_x = max(float(p.nlf.max()) * 1.1, 0.5)
    panel.plot.setXRange(0, top_x, padding=0.03)
    panel.plot.setYRange(0, 1, padding=0.03)
    panel.set_note("Each point: your marks rated at or above one certainty.")
    panel.sync_legend()


def draw_wafroc(panel: PlotPanel, s: LocalizationSeries) -> None:
    """Weighted lesions found against normal cases marked; its area is the wAFROC figure
    of merit (the curve ends by a straight line to (1, 1))."""
    c = panel.colours
    panel.clear()
    diagonal = np.array([0.0, 1.0])
    panel.line(diagonal, diagonal, c.reference, "Chance", 1.0, Qt.PenStyle.DashLine)
    title = "wAFROC curve"
    if s.points is not None:
        p = s.points
        panel.plot.addItem(pg.PlotDataItem(
            p.fpf, p.wllf, pen=pg.mkPen(c.first, width=2.5), name="Your marks",
            symbol="o", symbolSize=7, symbolBrush=pg.mkBrush(c.first),
            symbolPen=pg.mkPen(c.background), dynamicRangeLimit=None,
        ))
        panel.line(np.array([p.fpf[-1], 1.0]), np.array([p.wllf[-1], 1.0]), c.first,
                   "To (1, 1)", 1.5, Qt.PenStyle.DotLine)
    if s.summary is not None and s.summary.wafroc is not None:
        title += f" — area {s.summary.wafroc:.2f}"
    panel.set_title(title)
    panel.plot.setXRange(0, 1, padding=0.03)
    panel.plot.setYRange(0, 1, padding=0.03)
    panel.sync_legend()
