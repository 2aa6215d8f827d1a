"""The viewer's logic: which window, which overlays, what each view shows.

The presenter turns a case's pixel arrays and the ``ViewerState`` into display arrays
through ``core.windowing``, ``core.symmetry`` and ``core.overlays`` and hands them to a view object that
only draws (``DualScanView`` in the app, a fake in tests).
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from bonescan_tutor.core import windowing
from bonescan_tutor.core.cases import Case, Projection
from bonescan_tutor.core.colormaps import honours_invert
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.overlays import OVERLAYS, Layer, OverlayInput, mirrored_layer
from bonescan_tutor.core.symmetry import SymmetryAnalysis, analyze_view
from bonescan_tutor.core.windowing import Window
from bonescan_tutor.gui.viewer.model import ViewerState

log = logging.getLogger(__name__)


def rgb_view(pixels: np.ndarray) -> np.ndarray:
    """The (H, W, 3) uint8 RGB view (no copy) of (H, W) 0xFFRRGGBB pixels."""
    channels = pixels.view(np.uint8).reshape(*pixels.shape, 4)
    return channels[..., 2::-1] if sys.byteorder == "little" else channels[..., 1:]


@functools.lru_cache(maxsize=16)
def _packed_colormap(name: str) -> np.ndarray:
    rgb = windowing.colormap(name).astype(np.uint32)
    packed = np.uint32(0xFF000000) | rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]
    packed.setflags(write=False)
    return packed


def packed_display(image: np.ndarray, window: Window, cmap: str, top: float) -> np.ndarray:
    """``windowing.apply_window(image, window, cmap)`` as (H, W) 0xFFRRGGBB pixels, the
    layout a 32-bit screen image has, so painting needs no conversion.

    ``top`` bounds the image's values: integer images go through a window table of only
    ``top + 1`` entries (a drag makes a new window, hence a new table, every event).
    """
    colours = _packed_colormap(cmap)
    if image.dtype in (np.uint8, np.uint16):
        lut = colours[windowing.window_lut(window, min(max(int(top), 1), 65535))]
        return np.take(lut, image)
    return np.take(colours, windowing.apply_window(image, window))


BODY_BLOCK = 8


def body_extent(image: np.ndarray) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1): the box, in image pixels, around what is not background (the
    body, and the bladder or an injection site beside it); None for an empty image.

    Blocks of 8 x 8 pixels are averaged (the counts' noise falls away) and those over 4 %
    of the hottest block kept: about a millisecond for a 1024 x 256 view.
    """
    h, w = image.shape[:2]
    b = BODY_BLOCK
    if h < b or w < b:
        return None
    blocks = image[: h - h % b, : w - w % b].reshape(h // b, b, w // b, b).mean(axis=(1, 3))
    top = float(np.nanmax(blocks)) if blocks.size else 0.0
    if not top > 0:
        return None
    rows = np.flatnonzero((blocks > 0.04 * top).any(axis=1))
    cols = np.flatnonzero((blocks > 0.04 * top).any(axis=0))
    return (float(cols[0] * b), float(rows[0] * b),
            float(min((cols[-1] + 1) * b, w)), float(min((rows[-1] + 1) * b, h)))


@dataclass(frozen=True)
class Frame:
    """Everything one view draws."""

    pixels: np.ndarray  # (H, W) uint32 0xFFRRGGBB, already mirrored when asked
    window: Window
    max_value: float
    mirrored: bool
    analysis: SymmetryAnalysis | None
    #: each overlay on (by name, in registry order) and its layers, as displayed
    layers: dict[str, tuple[Layer, ...]] = field(default_factory=dict)
    body: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1 as displayed

    @property
    def display(self) -> np.ndarray:
        """(H, W, 3) uint8 RGB, a view of ``pixels``."""
        return rgb_view(self.pixels)


class ScanSurface(Protocol):
    def show_frame(self, projection: Projection, frame: Frame, state: ViewerState) -> None: ...
    def show_message(self, projection: Projection, message: str) -> None: ...
    def fit(self) -> None: ...


Loader = Callable[[Projection], np.ndarray]
Analyzer = Callable[[Projection, np.ndarray, Callable[[SymmetryAnalysis], None]], None]


def analyze_now(projection: Projection, image: np.ndarray,
                done: Callable[[SymmetryAnalysis], None]) -> None:
    done(analyze_view(image, projection))


class ViewerPresenter:
    """Holds the state and the current case; every change redraws through ``surface``."""

    def __init__(self, surface: ScanSurface, state: ViewerState | None = None,
                 analyzer: Analyzer = analyze_now) -> None:
        self.surface = surface
        self.state = state or ViewerState()
        self.case: Case | None = None
        self.images: dict[Projection, np.ndarray] = {}
        self.analyses: dict[Projection, SymmetryAnalysis] = {}
        self._ranges: dict[Projection, tuple[float, float]] = {}
        self._bodies: dict[Projection, tuple[float, float, float, float] | None] = {}
        self._asked: set[Projection] = set()  # analyses asked for and not back yet
        self._settling = False
        self._analyzer = analyzer
        # Layers that do not follow the window (the asymmetry map), kept while a drag redraws
        self._painted: dict[tuple[Projection, str],
                            tuple[SymmetryAnalysis | None, bool, tuple[Layer, ...]]] = {}
        self.listeners: list[Callable[[ViewerState], None]] = []
        #: told when a view's symmetry analysis arrives (the regional-index table)
        self.analysis_listeners: list[Callable[[Projection, SymmetryAnalysis], None]] = []

    # --- the case ------------------------------------------------------------------------
    def set_case(self, case: Case | None, images: dict[Projection, np.ndarray | BonescanError]) -> None:
        """Show ``case``: decoded arrays, or the error that stopped a view from loading."""
        self.case = case
        old_ranges = self._ranges
        self.images, self.analyses, self._ranges, self._asked = {}, {}, {}, set()
        self._bodies = {}
        for projection in Projection:
            item = images.get(projection)
            if isinstance(item, np.ndarray):
                self.images[projection] = item
                self._ranges[projection] = (0.0, max(float(item.max()), 1.0))
                self._bodies[projection] = body_extent(item)
            elif isinstance(item, BonescanError):
                self.surface.show_message(projection, str(item))
            else:
                self.surface.show_message(projection, f"No {projection.value} view for this case")
        if self.state.preset:
            windows = self._preset_windows(self.state.preset)
        else:
            windows = {p: self._same_fractions(p, self.state.windows.get(p),
                                               old_ranges[p][1] if p in old_ranges else None)
                       for p in self.images}
        self._settle_analyses()  # analyses prepared ahead arrive now, drawn just below
        self._update(replace(self.state, windows=windows))
        self.surface.fit()

    def _preset_windows(self, name: str | None) -> dict[Projection, Window]:
        out = {}
        for p, image in self.images.items():
            w = windowing.preset_window(name, image) if name else windowing.full_range(image)
            out[p] = replace(w, gamma=self.state.gamma, invert=self.state.invert)
        return out

    def _same_fractions(self, p: Projection, window: Window | None,
                        old_top: float | None) -> Window:
        """A hand-set window carried to a new image as the same fractions of its maximum."""
        top = self._ranges[p][1]
        if window is None or old_top is None:
            base = windowing.full_range(self.images[p])
        else:
            base = windowing.from_level_width(window.level / old_top * top,
                                              window.width / old_top * top, 0.0, top)
        return replace(base, gamma=self.state.gamma, invert=self.state.invert)

    def needs_analysis(self) -> bool:
        """True when an overlay on shows the symmetry analysis."""
        return any(OVERLAYS[name].needs_analysis for name in self.state.overlays
                   if name in OVERLAYS)

    def _request_analysis(self) -> None:
        if not self.needs_analysis():
            return
        case = self.case
        for p, image in self.images.items():
            if p in self.analyses or p in self._asked:
                continue
            self._asked.add(p)
            self._analyzer(p, image, lambda a, p=p, case=case, image=image:
                           self._analysis_ready(case, image, p, a))

    def _analysis_ready(self, case: Case | None, image: np.ndarray, projection: Projection,
                        analysis: SymmetryAnalysis) -> None:
        """An analysis worked out in the background, for the case and image it was asked
        for: dropped when another case (or another load of this one) is shown now."""
        if case is not self.case or self.images.get(projection) is not image:
            return  # the trainee moved on
        self._asked.discard(projection)
        self.analyses[projection] = analysis
        if not self._settling:  # an analysis known at once is drawn with the case
            self._draw(projection)
        for listener in self.analysis_listeners:
            listener(projection, analysis)

    # --- reading choices -----------------------------------------------------------------
    def apply_preset(self, name: str) -> None:
        self.state = replace(self.state, preset=name)
        self._update(replace(self.state, windows=self._preset_windows(name)))

    def apply_preset_key(self, key: int) -> None:
        self.apply_preset(windowing.preset_for_key(key).name)

    def auto_window(self) -> None:
        self.apply_preset("skeleton-auto")

    def set_window(self, projection: Projection, window: Window) -> None:
        """A hand-set window on one view; a linked view follows in fractions of its max."""
        window = replace(window, gamma=self.state.gamma, invert=self.state.invert)
        windows = dict(self.state.windows)
        windows[projection] = window
        if self.state.linked:
            lo_frac = window.low / self._ranges[projection][1]
            hi_frac = window.high / self._ranges[projection][1]
            for other, (_, top) in self._ranges.items():
                if other is not projection:
                    windows[other] = replace(
                        windowing.from_level_width((lo_frac + hi_frac) / 2 * top,
                                                   (hi_frac - lo_frac) * top, 0.0, top),
                        gamma=self.state.gamma, invert=self.state.invert)
        self._update(replace(self.state, windows=windows, preset=None))

    def drag(self, projection: Projection, dx: float, dy: float) -> None:
        current = self.state.windows.get(projection)
        if current is None:
            return
        self.set_window(projection, windowing.drag(current, dx, dy, self._ranges[projection]))

    def set_gamma(self, gamma: float) -> None:
        self._restyle(gamma=gamma)

    def toggle_invert(self) -> None:
        self._restyle(invert=not self.state.invert)

    def set_invert(self, invert: bool) -> None:
        self._restyle(invert=invert)

    def _restyle(self, **changes: object) -> None:
        state = replace(self.state, **changes)  # type: ignore[arg-type]
        windows = {p: replace(w, gamma=state.gamma, invert=state.invert)
                   for p, w in state.windows.items()}
        self._update(replace(state, windows=windows))

    def set_colormap(self, name: str) -> None:
        windowing.colormap(name)  # raises with the valid names
        self._update(replace(self.state, colormap=name))

    def set_linked(self, linked: bool) -> None:
        self._update(replace(self.state, linked=linked))

    def toggle_mirror_posterior(self) -> None:
        self._update(replace(self.state, mirror_posterior=not self.state.mirror_posterior))

    def set_overlay(self, overlay: str, on: bool) -> None:
        self.state = self.state.with_overlay(overlay, on)
        # Ask again for what has not arrived: an analysis that failed is tried once more
        # (the analyzer joins a request still on its way instead of starting another).
        self._asked = set()
        self._settle_analyses()
        self._update(self.state)

    def _settle_analyses(self) -> None:
        """Ask for the analyses; those known already arrive now, drawn by the caller."""
        self._settling = True
        try:
            self._request_analysis()
        finally:
            self._settling = False

    def toggle_overlay(self, overlay: str) -> None:
        self.set_overlay(overlay, overlay not in self.state.overlays)

    def set_ghost_opacity(self, opacity: float) -> None:
        self._update(replace(self.state, ghost_opacity=min(max(opacity, 0.0), 1.0)))

    # --- drawing -------------------------------------------------------------------------
    def _update(self, state: ViewerState) -> None:
        self.state = state
        for projection in self.images:
            self._draw(projection)
        for listener in self.listeners:
            listener(state)

    def frame(self, projection: Projection) -> Frame | None:
        image = self.images.get(projection)
        window = self.state.windows.get(projection)
        if image is None or window is None:
            return None
        mirrored = projection is Projection.POSTERIOR and self.state.mirror_posterior
        top = self._ranges[projection][1]
        flip = (slice(None), slice(None, None, -1 if mirrored else 1))
        # Mirrored before the table look-up, so the result is contiguous for the screen.
        if window.invert and not honours_invert(self.state.colormap):
            window = replace(window, invert=False)  # colour maps keep their own order
        pixels = packed_display(image[flip], window, self.state.colormap, top)
        analysis = self.analyses.get(projection)
        layers = self._layers(projection, image, window, top, analysis, mirrored)
        body = self._bodies.get(projection)
        if body is not None and mirrored:
            width = image.shape[1]
            body = (width - body[2], body[1], width - body[0], body[3])
        return Frame(pixels, window, top, mirrored, analysis, layers, body)

    def _layers(self, projection: Projection, image: np.ndarray, window: Window, top: float,
                analysis: SymmetryAnalysis | None, mirrored: bool) -> dict[str, tuple[Layer, ...]]:
        """The layers of each overlay on, from the registry's painters (as displayed)."""
        out: dict[str, tuple[Layer, ...]] = {}
        data = OverlayInput(image, window, analysis, self.state.ghost_opacity, top)
        for name, spec in OVERLAYS.items():
            if name not in self.state.overlays or (spec.needs_analysis and analysis is None):
                continue
            known = self._painted.get((projection, name))
            if (not spec.follows_window and known is not None and known[0] is analysis
                    and known[1] == mirrored):
                out[name] = known[2]
                continue
            width = image.shape[1]
            layers = tuple(mirrored_layer(x, width) if mirrored else x for x in spec.paint(data))
            if not spec.follows_window:
                self._painted[(projection, name)] = (analysis, mirrored, layers)
            out[name] = layers
        return out

    def _draw(self, projection: Projection) -> None:
        frame = self.frame(projection)
        if frame is not None:
            self.surface.show_frame(projection, frame, self.state)

    def maximum(self, projection: Projection) -> float:
        """The top of a shown view's range (its maximum, at least 1); 0 if not shown."""
        return self._ranges[projection][1] if projection in self._ranges else 0.0

    def value_percent(self, projection: Projection, x: int, y: int) -> float | None:
        """The pixel under the cursor as percent of that view's maximum (not counts)."""
        image = self.images.get(projection)
        if image is None or not (0 <= y < image.shape[0] and 0 <= x < image.shape[1]):
            return None
        if projection is Projection.POSTERIOR and self.state.mirror_posterior:
            x = image.shape[1] - 1 - x
        return 100.0 * float(image[y, x]) / self._ranges[projection][1]
