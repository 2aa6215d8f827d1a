"""The reading tools beside the scans: window, gamma, colour map, overlays, indices.

Dumb widgets: they show the presenter's state and report what the trainee changes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleRangeSlider

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.colormaps import honours_invert
from bonescan_tutor.core.overlays import HOTSPOTS, VERMILLION, hex_colour, specs
from bonescan_tutor.core.symmetry import SymmetryAnalysis
from bonescan_tutor.core.windowing import COLORMAPS, PRESETS, Window
from bonescan_tutor.gui.action_specs import INVERT, overlay_action
from bonescan_tutor.gui.actions import with_key
from bonescan_tutor.gui.viewer.model import ViewerState

TEACHING_CAPTION = (
    "Symmetry overlays are teaching aids, not a diagnosis. They compare each side with "
    "its mirror; symmetric disease and normal hot spots (bladder, kidneys, injection "
    "site) are not flagged reliably."
)


def legend_html(names: frozenset[str]) -> str:
    """The legend of the overlays ``names`` (registry order): a swatch and its text each."""
    return "<br>".join(
        f'<span style="color:{hex_colour(colour)}">■</span> {text}'
        for spec in specs() if spec.name in names for colour, text in spec.legend)


def histogram(image: np.ndarray, bins: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """``np.histogram(image, bins, range=(0, top))`` with ``top`` the maximum (at least 1).

    Integer images are counted value by value, then each bin sums the values from the
    first integer at or above its left edge up to its right edge (the last bin closed,
    as numpy's): the same counts about five times faster, on every case shown.
    """
    top = max(float(image.max()), 1.0)
    if image.dtype not in (np.uint8, np.uint16):
        return np.histogram(image, bins=bins, range=(0, top))
    edges = np.linspace(0.0, top, bins + 1)
    below = np.zeros(int(top) + 2, np.int64)  # below[k]: how many pixels are < k
    np.cumsum(np.bincount(image.ravel(), minlength=int(top) + 1), out=below[1:])
    first = np.ceil(edges).astype(np.int64)  # the first integer in each bin
    first[-1] = int(top) + 1  # the last bin holds the maximum too
    return np.diff(below[first]), edges


class WindowControls(QWidget):
    """Window range (percent of the maximum), gamma, preset, colour map, link, histogram."""

    rangeChanged = Signal(float, float)  # low, high as percent of the view's maximum
    gammaChanged = Signal(float)
    presetChosen = Signal(str)
    colormapChosen = Signal(str)
    invertToggled = Signal(bool)
    linkToggled = Signal(bool)
    overlayToggled = Signal(object, bool)
    ghostOpacityChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        self.indices_allowed = True  # a quiz may not allow the regional-index table
        self.invert_allowed = True  # nor inversion
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)

        window_box = QGroupBox("Window")
        form = QFormLayout(window_box)
        self.preset = QComboBox()
        self.preset.addItem("(hand-set)", None)
        for p in PRESETS.values():
            self.preset.addItem(f"{p.key}  {p.name}", p.name)
            self.preset.setItemData(self.preset.count() - 1, p.description, Qt.ItemDataRole.ToolTipRole)
        self.preset.activated.connect(self._preset_activated)
        form.addRow("Preset", self.preset)
        self.range = QLabeledDoubleRangeSlider(Qt.Orientation.Horizontal)
        self.range.setRange(0.0, 100.0)
        self.range.setDecimals(1)
        self.range.setValue((0.0, 35.0))
        self.range.valueChanged.connect(self._range_moved)
        form.addRow("% of max", self.range)
        self.gamma = QDoubleSpinBox()
        self.gamma.setRange(0.2, 5.0)
        self.gamma.setSingleStep(0.1)
        self.gamma.setValue(1.0)
        self.gamma.valueChanged.connect(lambda v: self._emit(self.gammaChanged, float(v)))
        form.addRow("Gamma", self.gamma)
        self.colormap = QComboBox()
        self.colormap.addItems([n for n in COLORMAPS if n != "inverted gray"])
        self.colormap.currentTextChanged.connect(lambda n: self._emit(self.colormapChosen, n))
        form.addRow("Colours", self.colormap)
        self.invert = QCheckBox(with_key("Inverted grey", INVERT))
        self.invert.setToolTip("High uptake dark on white. Colour maps keep their own order.")
        self.invert.toggled.connect(lambda on: self._emit(self.invertToggled, on))
        self.link = QCheckBox("One window for both views")
        self.link.toggled.connect(lambda on: self._emit(self.linkToggled, on))
        form.addRow(self.invert)
        form.addRow(self.link)
        self.histogram = pg.PlotWidget()
        self.histogram.setFixedHeight(110)
        self.histogram.setMenuEnabled(False)
        self.histogram.setMouseEnabled(x=False, y=False)
        self.histogram.hideAxis("left")
        self.histogram.getAxis("bottom").setLabel("% of max")
        self.hist_curve = self.histogram.plot(stepMode="center", fillLevel=0,
                                              brush=(120, 170, 220, 120), pen=None)
        self.hist_region = pg.LinearRegionItem(values=(0, 35), movable=False,
                                               brush=(255, 214, 10, 50))
        self.histogram.addItem(self.hist_region)
        form.addRow(self.histogram)
        column.addWidget(window_box)

        overlay_box = QGroupBox("Symmetry overlays")
        overlay_column = QVBoxLayout(overlay_box)
        self.overlay_checks: dict[str, QCheckBox] = {}
        for spec in specs():  # core.overlays; the key from the overlay's command
            overlay = spec.name
            check = QCheckBox(with_key(spec.label, overlay_action(spec)))
            check.toggled.connect(lambda on, o=overlay: self._emit(self.overlayToggled, o, on))
            overlay_column.addWidget(check)
            self.overlay_checks[overlay] = check
        blend_row = QHBoxLayout()
        blend_row.addWidget(QLabel("Ghost blend"))
        self.blend = QSlider(Qt.Orientation.Horizontal)
        self.blend.setRange(0, 100)
        self.blend.setValue(40)
        self.blend.valueChanged.connect(lambda v: self._emit(self.ghostOpacityChanged, v / 100))
        blend_row.addWidget(self.blend)
        overlay_column.addLayout(blend_row)
        self.legend = QLabel("")  # the legend of the overlays on
        self.legend.setObjectName("overlayLegend")
        self.legend.setWordWrap(True)
        self.legend.setVisible(False)
        overlay_column.addWidget(self.legend)
        caption = QLabel(TEACHING_CAPTION)
        caption.setWordWrap(True)
        caption.setObjectName("teachingCaption")
        overlay_column.addWidget(caption)
        self.indices = QTableWidget(0, 3)
        self.indices.setHorizontalHeaderLabels(["Region", "A index", "P index"])
        self.indices.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.indices.verticalHeader().setVisible(False)
        self.indices.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.indices.setToolTip("(L - R) / (L + R) by the patient's sides; positive = left hotter")
        self.indices.setVisible(False)
        overlay_column.addWidget(self.indices)
        column.addWidget(overlay_box)
        column.addStretch(1)

    def _emit(self, signal: Signal, *values: object) -> None:
        if not self._updating:
            signal.emit(*values)

    def _preset_activated(self, index: int) -> None:
        name = self.preset.itemData(index)
        if name:
            self._emit(self.presetChosen, name)

    def _range_moved(self, value: tuple[float, float]) -> None:
        low, high = value
        if high - low < 0.2:
            return
        self._emit(self.rangeChanged, float(low), float(high))

    # --- showing the presenter's state -----------------------------------------------------
    def show_state(self, state: ViewerState, window: Window | None, max_value: float) -> None:
        self._updating = True
        try:
            index = self.preset.findData(state.preset) if state.preset else 0
            self.preset.setCurrentIndex(max(index, 0))
            if window is not None and max_value > 0:
                lo, hi = 100 * window.low / max_value, 100 * window.high / max_value
                if tuple(self.range.value()) != (lo, hi):  # same preset, next case: skip
                    self.range.setValue((lo, hi))
                if tuple(self.hist_region.getRegion()) != (lo, hi):
                    self.hist_region.setRegion((lo, hi))
            self.gamma.setValue(state.gamma)
            self.colormap.setCurrentText(state.colormap)
            self.invert.setChecked(state.invert)
            # Inversion applies to grey only: with a colour map the box would do nothing.
            self.invert.setEnabled(self.invert_allowed and honours_invert(state.colormap))
            self.link.setChecked(state.linked)
            for overlay, check in self.overlay_checks.items():
                check.setChecked(overlay in state.overlays)
            self.blend.setValue(round(state.ghost_opacity * 100))
            legend = legend_html(state.overlays)
            if legend != self.legend.text():
                self.legend.setText(legend)
            self.legend.setVisible(bool(legend))
            self.indices.setVisible(HOTSPOTS in state.overlays and self.indices_allowed)
        finally:
            self._updating = False

    def show_histogram(self, image: np.ndarray | None) -> None:
        if image is None or image.size == 0:
            self.hist_curve.setData([0, 1], [0])
            return
        counts, edges = histogram(image)
        top = float(edges[-1])
        counts = np.log1p(counts[1:])  # skip the background bin, log so the skeleton shows
        self.hist_curve.setData(100 * edges[1:] / top, counts)

    def show_indices(self, analyses: dict[Projection, SymmetryAnalysis]) -> None:
        names: list[str] = []
        for a in analyses.values():
            names.extend(r.name for r in a.regions if r.name not in names)
        self.indices.setRowCount(len(names))
        for row, name in enumerate(names):
            self.indices.setItem(row, 0, QTableWidgetItem(name))
            for col, projection in ((1, Projection.ANTERIOR), (2, Projection.POSTERIOR)):
                a = analyses.get(projection)
                region = next((r for r in a.regions if r.name == name), None) if a else None
                text = f"{region.index:+.2f}" if region is not None else "–"
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if region is not None and abs(region.index) >= 0.1:
                    item.setForeground(pg.mkColor(hex_colour(VERMILLION)))
                self.indices.setItem(row, col, item)
