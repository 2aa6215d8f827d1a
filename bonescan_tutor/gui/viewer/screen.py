"""The reading screen: the dual scan view and its tools, wired to one presenter.

Views decode through the bounded image cache; the neighbouring cases are prefetched
in the background; symmetry analysis runs off the GUI thread. Shared by study mode
and the quiz.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from bonescan_tutor.core.cases import Case, Projection
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.symmetry import SymmetryAnalysis, analyze_view
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui.tasks import run_in_background
from bonescan_tutor.gui.viewer.controls import WindowControls
from bonescan_tutor.gui.viewer.model import Overlay, ViewerState
from bonescan_tutor.gui.viewer.presenter import ViewerPresenter
from bonescan_tutor.gui.viewer.scan_view import DualScanView

log = logging.getLogger(__name__)


def analyze_in_background(projection: Projection, image, done: Callable[[SymmetryAnalysis], None]) -> None:
    run_in_background(lambda: analyze_view(image, projection), done,
                      lambda exc: log.error("symmetry analysis failed: %s", exc))


class ViewerScreen(QWidget):
    def __init__(self, settings: QSettings, cache: ImageCache, parent: QWidget | None = None,
                 analyzer=analyze_in_background) -> None:
        super().__init__(parent)
        self.settings = settings
        self.cache = cache
        self.scans = DualScanView()
        self.controls = WindowControls()
        self.readout = QLabel("")
        self.readout.setObjectName("readout")
        self.presenter = ViewerPresenter(self.scans, self._restore_state(), analyzer)
        left = QWidget()
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.scans, 1)
        col.addWidget(self.readout)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.controls)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([900, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._wire()

    def _wire(self) -> None:
        p, c = self.presenter, self.controls
        self.scans.windowDragged.connect(p.drag)
        self.scans.hovered.connect(self._hovered)
        self.scans.left.connect(lambda: self.readout.setText(""))
        c.presetChosen.connect(p.apply_preset)
        c.rangeChanged.connect(self._range_set)
        c.gammaChanged.connect(p.set_gamma)
        c.colormapChosen.connect(p.set_colormap)
        c.invertToggled.connect(p.set_invert)
        c.linkToggled.connect(p.set_linked)
        c.overlayToggled.connect(p.set_overlay)
        c.ghostOpacityChanged.connect(p.set_ghost_opacity)
        p.listeners.append(self._state_changed)
        original = p._analysis_ready

        def analysis_ready(case, projection, analysis):
            original(case, projection, analysis)
            self.controls.show_indices(p.analyses)
        p._analysis_ready = analysis_ready  # type: ignore[method-assign]

    # --- cases ---------------------------------------------------------------------------
    def show_case(self, case: Case | None, neighbours: Sequence[Case] = (),
                  private: bool = False) -> None:
        """Show a case. ``private`` (a quiz with hidden labels): an image error is told
        without its file name, whose folder would give the label away."""
        images: dict[Projection, object] = {}
        if case is not None:
            for projection in Projection:
                view = case.view(projection)
                if view is None:
                    continue
                try:
                    images[projection] = self.cache.get(view)
                except BonescanError as exc:
                    images[projection] = (BonescanError(
                        "This view could not be loaded: its image file is damaged. "
                        "Tell your instructor; the case still counts.") if private else exc)
        self.presenter.set_case(case, images)  # type: ignore[arg-type]
        self.controls.show_histogram(self.presenter.images.get(Projection.ANTERIOR))
        self.cache.prefetch(v for n in neighbours for v in n.views)

    def clear(self) -> None:
        self.presenter.set_case(None, {})

    # --- events --------------------------------------------------------------------------
    def _range_set(self, low_pct: float, high_pct: float) -> None:
        from bonescan_tutor.core.windowing import Window

        p = self.presenter
        for projection, image in p.images.items():
            top = max(float(image.max()), 1.0)
            p.set_window(projection, Window(low_pct * top / 100, high_pct * top / 100))
            if p.state.linked:
                break

    def _hovered(self, projection: Projection, x: int, y: int) -> None:
        value = self.presenter.value_percent(projection, x, y)
        if value is not None:
            self.readout.setText(f"{projection.value.title()}  x {x}, y {y}:  {value:.1f} % of "
                                 "this view's maximum")

    def _state_changed(self, state: ViewerState) -> None:
        p = self.presenter
        projection = Projection.ANTERIOR if Projection.ANTERIOR in p.images else Projection.POSTERIOR
        window = state.windows.get(projection)
        top = max(float(p.images[projection].max()), 1.0) if projection in p.images else 0.0
        self.controls.show_state(state, window, top)
        self._save_state(state)

    # --- remembered choices ----------------------------------------------------------------
    def _restore_state(self) -> ViewerState:
        s = self.settings
        overlays = frozenset(Overlay(v) for v in str(s.value("viewer/overlays", "")).split(",") if v
                             and v in {o.value for o in Overlay})
        return ViewerState(
            preset=str(s.value("viewer/preset", "bone-35")) or None,
            colormap=str(s.value("viewer/colormap", "gray")),
            invert=s.value("viewer/invert", True, type=bool),
            gamma=float(s.value("viewer/gamma", 1.0)),
            linked=s.value("viewer/linked", True, type=bool),
            mirror_posterior=s.value("viewer/mirror_posterior", False, type=bool),
            overlays=overlays,
        )

    def _save_state(self, state: ViewerState) -> None:
        s = self.settings
        s.setValue("viewer/preset", state.preset or "")
        s.setValue("viewer/colormap", state.colormap)
        s.setValue("viewer/invert", state.invert)
        s.setValue("viewer/gamma", state.gamma)
        s.setValue("viewer/linked", state.linked)
        s.setValue("viewer/mirror_posterior", state.mirror_posterior)
        s.setValue("viewer/overlays", ",".join(sorted(o.value for o in state.overlays)))
