"""The reading screen: the dual scan view and its tools, wired to one presenter.

Views decode through the bounded image cache; the neighbouring cases are prefetched
in the background; symmetry analysis runs off the GUI thread. Shared by study mode
and the quiz.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QVBoxLayout, QWidget

from bonescan_tutor.core.cases import Case, Projection, View
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.overlays import OVERLAYS
from bonescan_tutor.core.quiz import Tool
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui.tasks import run_in_background
from bonescan_tutor.gui.viewer.analyses import AnalysisMemo, Runner
from bonescan_tutor.gui.viewer.model import ViewerState
from bonescan_tutor.gui.viewer.presenter import ViewerPresenter
from bonescan_tutor.gui.viewer.scan_view import DualScanView

if TYPE_CHECKING:
    from bonescan_tutor.gui.viewer.controls import WindowControls

log = logging.getLogger(__name__)
CONTROLS_DELAY_MS = 30
TOOLS_WIDTH = 290  # the tool column's width; it scrolls rather than widening
SAVE_DELAY_MS = 2000
# Analysing the neighbours competes with drawing the case just shown: started after it.
ANALYSE_AHEAD_DELAY_MS = 150


class ViewerScreen(QWidget):
    def __init__(self, settings: QSettings, cache: ImageCache, parent: QWidget | None = None,
                 run: Runner = run_in_background, remember: bool = True) -> None:
        """``remember``: this viewer's choices become the saved reading choices. Only the
        library's viewer remembers; the quiz, review and preview viewers start from those
        choices and leave them alone (a quiz's feedback overlays stay in the quiz)."""
        super().__init__(parent)
        self.settings = settings
        self.remember = remember
        self.cache = cache
        self.analyses = AnalysisMemo(cache, run)
        self.scans = DualScanView()
        # The tools beside the scans (and superqt, which they need) are built just after
        # the window first shows, so the first case is on screen sooner.
        self._controls: WindowControls | None = None
        self._allowed: frozenset[Tool] | None = None  # a quiz's allowed tools; None: all
        self._report_use: Callable[[Tool], None] | None = None
        self.controls_holder = QWidget()
        QVBoxLayout(self.controls_holder).setContentsMargins(0, 0, 0, 0)
        # The tools scroll when they outgrow the height (the regional-index table): the
        # scans keep their width and height whatever is turned on.
        self.tools = QScrollArea()
        self.tools.setWidget(self.controls_holder)
        self.tools.setWidgetResizable(True)
        self.tools.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tools.setFrameShape(QFrame.Shape.NoFrame)
        self.tools.setMinimumWidth(TOOLS_WIDTH)
        self.readout = self.scans.readout
        self.presenter = ViewerPresenter(self.scans, self._restore_state(),
                                         self.analyses.analyze)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.scans)
        splitter.addWidget(self.tools)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setCollapsible(0, False)
        splitter.setSizes([900, TOOLS_WIDTH])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        # The tools beside the scans (range slider, histogram) follow the state a moment
        # later, at most every CONTROLS_DELAY_MS: the scans are drawn first, and one
        # refresh serves a burst of drag events.
        self._controls_due = QTimer(self)
        self._controls_due.setSingleShot(True)
        self._controls_due.setInterval(CONTROLS_DELAY_MS)
        self._controls_due.timeout.connect(self._refresh_controls)
        self._histogram_due = self._indices_due = False
        # Writing the settings file costs an fsync (about 10 ms): done once the trainee
        # pauses, not between a drag or an answer and its paint. ``save_state_now`` on close.
        self._save_due = QTimer(self)
        self._save_due.setSingleShot(True)
        self._save_due.setInterval(SAVE_DELAY_MS)
        self._save_due.timeout.connect(self.save_state_now)
        self._ahead: tuple[Case, list[View]] | None = None
        self._ahead_due = QTimer(self)  # the analyses ahead start once the case is drawn
        self._ahead_due.setSingleShot(True)
        self._ahead_due.setInterval(ANALYSE_AHEAD_DELAY_MS)
        self._ahead_due.timeout.connect(self._analyse_ahead)
        self._wire()
        QTimer.singleShot(0, self._build_controls)

    @property
    def controls(self) -> WindowControls:
        if self._controls is None:
            from bonescan_tutor.gui.viewer.controls import WindowControls

            self._controls = c = WindowControls()
            self.controls_holder.layout().addWidget(c)
            bar = self.tools.verticalScrollBar().sizeHint().width()
            self.tools.setMinimumWidth(max(TOOLS_WIDTH, c.minimumSizeHint().width() + bar))
            p, used = self.presenter, self._used
            c.presetChosen.connect(lambda name: used(Tool.WINDOWING, p.apply_preset, name))
            c.rangeChanged.connect(lambda lo, hi: used(Tool.WINDOWING, self._range_set, lo, hi))
            c.gammaChanged.connect(lambda g: used(Tool.WINDOWING, p.set_gamma, g))
            c.colormapChosen.connect(lambda name: used(Tool.COLORMAP, p.set_colormap, name))
            c.invertToggled.connect(lambda on: used(Tool.INVERT, p.set_invert, on))
            c.linkToggled.connect(lambda on: used(Tool.WINDOWING, p.set_linked, on))
            c.overlayToggled.connect(
                lambda o, on: used(OVERLAYS[o].tool, p.set_overlay, o, on))
            c.ghostOpacityChanged.connect(
                lambda v: used(Tool.MIRROR_GHOST, p.set_ghost_opacity, v))
            self._apply_limits()
            self._histogram_due = self._indices_due = True
            self._refresh_controls()
        return self._controls

    def _build_controls(self) -> None:
        self.controls  # noqa: B018 - building it is the point

    # --- the tools a quiz allows ------------------------------------------------------------
    def limit_tools(self, allowed: frozenset[Tool] | None,
                    used: Callable[[Tool], None] | None = None) -> None:
        """Offer only ``allowed`` tools (None: all) and report each use to ``used``."""
        self._allowed, self._report_use = allowed, used
        if self._controls is not None:
            self._apply_limits()

    def allows(self, tool: Tool) -> bool:
        return self._allowed is None or tool in self._allowed

    def _used(self, tool: Tool, do: Callable[..., object], *args: object) -> None:
        if not self.allows(tool):
            return
        if self._report_use is not None:
            self._report_use(tool)
        do(*args)

    def _apply_limits(self) -> None:
        c = self.controls
        for widget, tool in ((c.preset, Tool.WINDOWING), (c.range, Tool.WINDOWING),
                             (c.gamma, Tool.WINDOWING), (c.link, Tool.WINDOWING),
                             (c.colormap, Tool.COLORMAP), (c.invert, Tool.INVERT),
                             (c.blend, Tool.MIRROR_GHOST)):
            widget.setEnabled(self.allows(tool))
        c.invert_allowed = self.allows(Tool.INVERT)
        for overlay, check in c.overlay_checks.items():
            check.setEnabled(self.allows(OVERLAYS[overlay].tool))
        c.indices_allowed = self.allows(Tool.REGIONAL_INDEX)

    def _wire(self) -> None:
        p = self.presenter
        self.scans.windowDragged.connect(
            lambda projection, dx, dy: self._used(Tool.WINDOWING, p.drag, projection, dx, dy))
        self.scans.hovered.connect(self._hovered)
        self.scans.left.connect(lambda: self.scans.show_readout(""))
        p.listeners.append(self._state_changed)
        p.analysis_listeners.append(self._analysis_arrived)

    def _analysis_arrived(self, projection: Projection, analysis: object) -> None:
        self._indices_due = True
        self._schedule_controls()

    # --- cases ---------------------------------------------------------------------------
    def show_case(self, case: Case | None, neighbours: Sequence[Case] = (),
                  private: bool = False, analyse_ahead: bool = False) -> None:
        """Show a case. ``private`` (a quiz with hidden labels): an image error is told
        without its file name, whose folder would give the label away. The neighbours
        are decoded in the background, and analysed too when the symmetry overlays are
        on or ``analyse_ahead`` (a practice quiz's feedback shows the hot spots)."""
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
        # The index table follows at once: it must not show the last case's numbers
        # while this one's analysis is still being worked out.
        self._histogram_due = self._indices_due = True
        self._schedule_controls()
        self.cache.prefetch(v for n in neighbours for v in n.views)
        if case is not None and (analyse_ahead or self.presenter.needs_analysis()):
            self._ahead = (case, [v for n in (case, *neighbours) for v in n.views])
            self._ahead_due.start()

    def _analyse_ahead(self) -> None:
        if self._ahead is not None and self._ahead[0] is self.presenter.case:
            self.analyses.prefetch((v.projection, v) for v in self._ahead[1])
        self._ahead = None

    def clear(self) -> None:
        self.presenter.set_case(None, {})

    # --- events --------------------------------------------------------------------------
    def _range_set(self, low_pct: float, high_pct: float) -> None:
        from bonescan_tutor.core.windowing import Window

        p = self.presenter
        for projection in p.images:
            top = p.maximum(projection)
            p.set_window(projection, Window(low_pct * top / 100, high_pct * top / 100))
            if p.state.linked:
                break

    def _hovered(self, projection: Projection, x: int, y: int) -> None:
        value = self.presenter.value_percent(projection, x, y)
        if value is not None:
            self.scans.show_readout(f"{projection.value.title()}  x {x}, y {y}:  {value:.1f} % "
                                    "of this view's maximum")

    def _state_changed(self, state: ViewerState) -> None:
        if self.remember and not self._save_due.isActive():
            self._save_due.start()
        self._schedule_controls()

    def save_state_now(self) -> None:
        """Remember the reading choices now (the timer's end, or the window closing)."""
        self._save_due.stop()
        if self.remember:
            self._save_state(self.presenter.state)

    @property
    def has_unsaved_state(self) -> bool:
        """A change is waiting to be written to the settings."""
        return self._save_due.isActive()

    def _schedule_controls(self) -> None:
        if not self._controls_due.isActive():  # not restarted: a long drag still shows
            self._controls_due.start()

    def _refresh_controls(self) -> None:
        if self._controls is None:
            return  # built shortly; it shows the state then
        p = self.presenter
        if self._histogram_due:
            self._histogram_due = False
            self.controls.show_histogram(p.images.get(Projection.ANTERIOR))
        if self._indices_due:
            self._indices_due = False
            self.controls.show_indices(p.analyses)
        if not p.images:
            self.controls.show_state(p.state, None, 0.0)
            return
        projection = Projection.ANTERIOR if Projection.ANTERIOR in p.images else Projection.POSTERIOR
        self.controls.show_state(p.state, p.state.windows.get(projection), p.maximum(projection))

    # --- remembered choices ----------------------------------------------------------------
    def _restore_state(self) -> ViewerState:
        s = self.settings
        overlays = frozenset(v for v in str(s.value("viewer/overlays", "")).split(",")
                             if v in OVERLAYS)
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
        values: dict[str, object] = {
            "viewer/preset": state.preset or "",
            "viewer/colormap": state.colormap,
            "viewer/invert": state.invert,
            "viewer/gamma": state.gamma,
            "viewer/linked": state.linked,
            "viewer/mirror_posterior": state.mirror_posterior,
            "viewer/overlays": ",".join(sorted(state.overlays)),
        }
        s = self.settings
        for key, value in values.items():
            # Only what changed: a drag or a new case then costs no settings-file write.
            if s.value(key, None, type=type(value)) != value or not s.contains(key):
                s.setValue(key, value)
