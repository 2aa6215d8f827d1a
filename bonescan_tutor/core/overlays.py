"""The symmetry overlays, each defined once: the viewer, ``render``, quiz sets and Help read this.

An ``OverlaySpec`` says everything about one overlay: its name (``render --overlay``,
saved reading choices), its command and key, the quiz-set tool that allows it, its
colour and legend, whether it needs the symmetry analysis, and how it draws. Drawing
is ``paint(OverlayInput) -> layers``: plain values (a see-through raster, a line,
markers of one shape) in the view's image pixels, which the viewer turns into
pyqtgraph items and ``figures.scan_figure`` into Pillow drawing, so a slide shows the
colours the resident saw.

The colours come from the Okabe-Ito set, told apart by readers with any common colour
vision deficiency; marks also differ by shape: the trainee's a cross, hot spots a
circle, the expert's lesions a diamond and benign look-alikes a square.

To add an overlay: write its painter and ``OverlaySpec`` here and add it to
``OVERLAYS`` (or call ``register``); give it its own ``core.quiz.Tool`` only if a quiz
set should allow it apart from the others; test it in ``tests/core/test_overlays.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.quiz import Tool
from bonescan_tutor.core.symmetry import SymmetryAnalysis, mirror
from bonescan_tutor.core.windowing import Window, apply_window, window_lut

RGB = tuple[int, int, int]

# Okabe & Ito (2008), "Color Universal Design": eight colours apart for every reader.
ORANGE: RGB = (230, 159, 0)
SKY_BLUE: RGB = (86, 180, 233)
BLUISH_GREEN: RGB = (0, 158, 115)
YELLOW: RGB = (240, 228, 66)
BLUE: RGB = (0, 114, 178)
VERMILLION: RGB = (213, 94, 0)
REDDISH_PURPLE: RGB = (204, 121, 167)

# Marks on the scans: each its colour and its shape (pyqtgraph's symbol letters).
TRAINEE_MARK = (BLUE, "x")
FALSE_MARK = (VERMILLION, "x")
HOTSPOT_MARK = (ORANGE, "o")
LESION_MARK = (REDDISH_PURPLE, "d")
FINDING_MARK = (BLUISH_GREEN, "s")
CROSSHAIR = (YELLOW, "+")
SHAPE_GLYPHS = {"x": "✕", "o": "◯", "d": "◇", "s": "▢", "+": "+"}

# The names of the overlays the app itself turns on (practice feedback shows hot spots).
MIDLINE, GHOST, ASYMMETRY, HOTSPOTS = "midline", "mirror", "asymmetry", "hotspots"

ASYMMETRY_RANGE = 1.0
"""The asymmetry overlay saturates at this value (+1 is a 3-fold excess)."""
ASYMMETRY_QUIET = 0.1
"""Below this the asymmetry overlay stays clear, so noise does not mottle the view."""
HOTSPOT_RADIUS = 10.0  # image pixels


def hex_colour(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


# --- what a painter returns ------------------------------------------------------------
@dataclass(frozen=True)
class Raster:
    """A see-through image over the view: (H, W) uint32 0xAARRGGBB pixels."""

    argb: np.ndarray

    def rgba(self) -> np.ndarray:
        """(H, W, 4) uint8 R, G, B, A."""
        a = self.argb
        return np.stack([(a >> 16) & 255, (a >> 8) & 255, a & 255, a >> 24], axis=-1).astype(np.uint8)


@dataclass(frozen=True)
class Line:
    """A polyline through pixel-centre coordinates."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    colour: RGB
    width: float = 1.5
    dashed: bool = True


@dataclass(frozen=True)
class Markers:
    """Markers of one shape ("o" circle, "x" cross, "d" diamond, "s" square) at pixel
    centres; ``radius`` in image pixels."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    colour: RGB
    shape: str
    radius: float
    width: float = 2.0


Layer = Raster | Line | Markers


def mirrored_layer(layer: Layer, width: int) -> Layer:
    """``layer`` for the view flipped left-right (a mirrored posterior view)."""
    if isinstance(layer, Raster):
        return Raster(np.ascontiguousarray(layer.argb[:, ::-1]))
    return replace(layer, xs=tuple((width - 1) - x for x in layer.xs))


@dataclass(frozen=True)
class OverlayInput:
    """What a painter may draw from: the view's pixels (not mirrored), its window, its
    analysis (None when the overlay needs none) and the ghost's opacity."""

    image: np.ndarray
    window: Window
    analysis: SymmetryAnalysis | None
    ghost_opacity: float = 0.4
    top: float = 0.0  # the image's maximum (0: work it out)


Painter = Callable[[OverlayInput], tuple[Layer, ...]]


@dataclass(frozen=True)
class OverlaySpec:
    """One overlay. ``name``: its name in ``render --overlay`` and saved choices;
    ``action`` and ``key``: its command and default key; ``label``: its check box
    (the key is added from the command); ``command``: its menu text; ``tool``: the
    quiz-set tool that allows it; ``legend``: (colour, text) pairs for its legend;
    ``paint``: its layers for one view."""

    name: str
    action: str
    label: str
    command: str
    key: str
    tool: Tool
    colour: RGB
    legend: tuple[tuple[RGB, str], ...]
    needs_analysis: bool
    paint: Painter
    follows_window: bool = False  # painted again when the window changes


# --- the painters ----------------------------------------------------------------------
def _uptake(image: np.ndarray, window: Window, top: float) -> np.ndarray:
    """0-255 display values without inversion (more uptake, more colour)."""
    window = replace(window, invert=False)
    if image.dtype in (np.uint8, np.uint16):
        top = top or float(image.max())
        return np.take(window_lut(window, min(max(int(top), 1), 65535)), image)
    return apply_window(image, window)


def paint_midline(data: OverlayInput) -> tuple[Layer, ...]:
    a = data.analysis
    if a is None:
        return ()
    h = data.image.shape[0]
    ys = (-0.5, h - 0.5)
    return (Line(tuple(float(a.midline.x_at(y)) for y in ys), ys, SKY_BLUE),)


_MIRRORED: dict[int, tuple[np.ndarray, SymmetryAnalysis, np.ndarray]] = {}
_MIRRORED_KEPT = 4  # both views of a case and of the one before


def _mirrored(image: np.ndarray, analysis: SymmetryAnalysis) -> np.ndarray:
    """``mirror(image, analysis.midline)``, kept for the last few analyses: a window drag
    repaints the ghost every event, and the mirror does not change with the window."""
    known = _MIRRORED.get(id(analysis))
    if known is not None and known[0] is image and known[1] is analysis:
        return known[2]
    out = np.ascontiguousarray(mirror(image, analysis.midline))
    if image.dtype in (np.uint8, np.uint16):  # back to integers: the window's fast table
        out = np.clip(np.rint(out), 0, np.iinfo(image.dtype).max).astype(image.dtype)
    while len(_MIRRORED) >= _MIRRORED_KEPT:
        _MIRRORED.pop(next(iter(_MIRRORED)))
    _MIRRORED[id(analysis)] = (image, analysis, out)
    return out


def paint_ghost(data: OverlayInput) -> tuple[Layer, ...]:
    """The view mirrored across its midline in one colour: opaque where uptake is high,
    clear where there is none, so an asymmetric lesion shows as a spot without a twin."""
    a = data.analysis
    if a is None:
        return ()
    uptake = _uptake(_mirrored(data.image, a), data.window, data.top)
    opacity = min(max(data.ghost_opacity, 0.0), 1.0)
    alpha = np.rint(np.arange(256) * opacity).astype(np.uint32)[uptake]
    r, g, b = REDDISH_PURPLE
    return (Raster(alpha << 24 | np.uint32(r << 16 | g << 8 | b)),)


def asymmetry_argb(values: np.ndarray) -> np.ndarray:
    """Signed asymmetry as 0xAARRGGBB: vermillion where a side is hotter than its mirror,
    blue where colder, clear below ``ASYMMETRY_QUIET``, more opaque with the size."""
    t = np.clip(np.asarray(values, np.float64) / ASYMMETRY_RANGE, -1.0, 1.0)
    alpha = np.rint(255 * np.clip((np.abs(t) - ASYMMETRY_QUIET) * 2.0, 0.0, 0.85)).astype(np.uint32)
    hot = np.uint32(VERMILLION[0] << 16 | VERMILLION[1] << 8 | VERMILLION[2])
    cold = np.uint32(BLUE[0] << 16 | BLUE[1] << 8 | BLUE[2])
    return alpha << 24 | np.where(t > 0, hot, cold).astype(np.uint32)


def paint_asymmetry(data: OverlayInput) -> tuple[Layer, ...]:
    a = data.analysis
    return () if a is None else (Raster(asymmetry_argb(a.asymmetry)),)


def paint_hotspots(data: OverlayInput) -> tuple[Layer, ...]:
    a = data.analysis
    if a is None:
        return ()
    colour, shape = HOTSPOT_MARK
    return (Markers(tuple(float(s.x) for s in a.hotspots), tuple(float(s.y) for s in a.hotspots),
                    colour, shape, HOTSPOT_RADIUS),)


OVERLAYS: dict[str, OverlaySpec] = {
    spec.name: spec
    for spec in (
        OverlaySpec(MIDLINE, "midline", "Midline", "Midline", "M", Tool.MIDLINE, SKY_BLUE,
                    ((SKY_BLUE, "body midline"),), True, paint_midline),
        OverlaySpec(GHOST, "ghost", "Mirrored ghost", "Mirrored ghost", "G",
                    Tool.MIRROR_GHOST, REDDISH_PURPLE,
                    ((REDDISH_PURPLE, "the other side, mirrored"),), True, paint_ghost,
                    follows_window=True),
        OverlaySpec(ASYMMETRY, "asymmetry", "Asymmetry map", "Asymmetry map", "A",
                    Tool.ASYMMETRY, VERMILLION,
                    ((VERMILLION, "hotter than the mirrored side"),
                     (BLUE, "colder (relative to local uptake)")), True, paint_asymmetry),
        OverlaySpec(HOTSPOTS, "hotspots", "Hot spots", "Hot spots and regional indices", "S",
                    Tool.HOTSPOTS, ORANGE, ((ORANGE, "most asymmetric spots"),), True,
                    paint_hotspots),
    )
}
"""Every overlay, in the order menus, check boxes and figures list them."""


def register(spec: OverlaySpec) -> OverlaySpec:
    """Add an overlay (its name and command must be new); returns it."""
    if spec.name in OVERLAYS or any(s.action == spec.action for s in OVERLAYS.values()):
        raise ValueError(f"overlay {spec.name!r} or its command {spec.action!r} exists already")
    OVERLAYS[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    OVERLAYS.pop(name, None)


def overlay_names() -> tuple[str, ...]:
    return tuple(OVERLAYS)


def specs() -> Iterator[OverlaySpec]:
    return iter(tuple(OVERLAYS.values()))


def check_names(names: str | Iterable[str]) -> list[str]:
    """``names`` (a comma-separated string or a collection) as known overlay names, or a
    ``UsageError`` listing the unknown ones and the choices."""
    split = names.split(",") if isinstance(names, str) else names
    items = [n.strip() for n in split if n.strip()]
    unknown = [n for n in items if n not in OVERLAYS]
    if unknown:
        raise UsageError(f"unknown overlay {', '.join(map(repr, unknown))}; "
                         f"choose from {', '.join(OVERLAYS)}.")
    return items


def paint(names: str | Iterable[str], data: OverlayInput) -> tuple[Layer, ...]:
    """The layers of the overlays ``names``, in registry order (rasters under lines
    under markers, whatever the order asked)."""
    wanted = set(check_names(names))
    layers = [layer for spec in specs() if spec.name in wanted for layer in spec.paint(data)]
    rank = {Raster: 0, Line: 1, Markers: 2}
    return tuple(sorted(layers, key=lambda layer: rank[type(layer)]))
