"""Figures of a case's views for handouts and reports (Pillow, no Qt).

``render_figure`` lays the anterior view left and the posterior view right, each
under a strip with its projection letter ("A" / "P") and the patient's sides ("R" /
"L") over the matching image edges: in the anterior view the patient's right is on
the image's left; in the posterior view the patient's left is on the image's left,
unless the posterior view is mirrored to line up with the anterior one. Overlays
(midline, mirrored ghost, asymmetry map, hotspots) come from ``core.symmetry`` and
are teaching aids, never a diagnosis; the colour bar says so. ``save_png`` writes
atomically so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.symmetry import SymmetryAnalysis, analyze_view, mirror
from bonescan_tutor.core.symmetry import mirror_posterior as flip_posterior
from bonescan_tutor.core.windowing import Window, apply_window, colormap
from bonescan_tutor.storage.atomic_file import umask_mode

OVERLAYS = ("midline", "mirror", "asymmetry", "hotspots")
COLOUR_BAR_LABEL = "left-right asymmetry, teaching aid, not a diagnosis"
BACKGROUND = (48, 48, 48)
TEXT = (240, 240, 240)
MIDLINE_COLOUR = (40, 220, 90)
HOTSPOT_COLOUR = (255, 150, 0)
# The asymmetry overlay saturates at this value (+1 is a 3-fold excess).
ASYMMETRY_RANGE = 1.0
ASYMMETRY_QUIET = 0.1
GHOST_ALPHA = 0.5

# Layout in unscaled pixels (multiplied by ``scale``).
MARGIN = 8
STRIP = 18
FONT_SIZE = 12
BAR_HEIGHT = 10
BAR_BLOCK = 44  # bar, tick labels and caption under the views
HOTSPOT_RADIUS = 7

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class FigureLayout:
    """Where everything goes. Boxes are (left, top, right, bottom), right/bottom exclusive.

    ``side_boxes[projection]["R"]`` is the box holding that view's "R" marker.
    """

    size: tuple[int, int]
    scale: int
    views: Mapping[Projection, Box]
    letter_boxes: Mapping[Projection, Box]
    side_boxes: Mapping[Projection, Mapping[str, Box]]
    colour_bar: Box | None


def _sides_left_to_right(projection: Projection, posterior_mirrored: bool) -> tuple[str, str]:
    """Patient sides at the image's (left, right) edges."""
    if projection is Projection.ANTERIOR or posterior_mirrored:
        return "R", "L"
    return "L", "R"


def figure_layout(
    shapes: Mapping[Projection, tuple[int, int]],
    scale: int,
    colour_bar: bool,
    posterior_mirrored: bool = False,
) -> FigureLayout:
    """The geometry of a figure of views with these (height, width) shapes."""
    s = scale
    margin, strip = MARGIN * s, STRIP * s
    order = [p for p in (Projection.ANTERIOR, Projection.POSTERIOR) if p in shapes]
    views: dict[Projection, Box] = {}
    letters: dict[Projection, Box] = {}
    sides: dict[Projection, dict[str, Box]] = {}
    x = margin
    top = margin + strip
    for projection in order:
        h, w = shapes[projection]
        views[projection] = (x, top, x + w * s, top + h * s)
        half = FONT_SIZE * s
        mid = x + (w * s) // 2
        letters[projection] = (mid - half, margin, mid + half, top)
        left, right = _sides_left_to_right(projection, posterior_mirrored)
        sides[projection] = {
            left: (x, margin, x + 2 * half, top),
            right: (x + w * s - 2 * half, margin, x + w * s, top),
        }
        x += w * s + margin
    width = x
    bottom = max(box[3] for box in views.values())
    bar: Box | None = None
    if colour_bar:
        bar = (margin, bottom + margin, width - margin, bottom + margin + BAR_HEIGHT * s)
        bottom += BAR_BLOCK * s
    return FigureLayout((width, bottom + margin), s, views, letters, sides, bar)


def _font(scale: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=FONT_SIZE * scale)


def _diverging(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Blue (negative) - white - red (positive) colours and an opacity growing with |v|.

    Blue-white-red after ColorBrewer's RdBu end points: hot where the view is hotter
    than its mirror, cold where it is colder.
    """
    t = np.clip(values / ASYMMETRY_RANGE, -1.0, 1.0)[..., None]
    red = np.array([215.0, 48.0, 39.0])
    blue = np.array([49.0, 54.0, 149.0])
    white = np.array([247.0, 247.0, 247.0])
    rgb = np.where(t > 0, white + t * (red - white), white + (-t) * (blue - white))
    # Below ASYMMETRY_QUIET the overlay stays invisible, so noise does not mottle the view.
    alpha = np.clip((np.abs(t) - ASYMMETRY_QUIET) * 2.0, 0.0, 0.85)
    return rgb, alpha


def _view_rgb(
    image: np.ndarray,
    analysis: SymmetryAnalysis | None,
    window: Window,
    cmap_name: str,
    overlays: Collection[str],
) -> np.ndarray:
    rgb = apply_window(image, window, cmap_name).astype(np.float64)
    if analysis is not None and "mirror" in overlays:
        ghost = mirror(image, analysis.midline)
        rgb = (1 - GHOST_ALPHA) * rgb + GHOST_ALPHA * apply_window(ghost, window, cmap_name)
    if analysis is not None and "asymmetry" in overlays:
        colour, alpha = _diverging(analysis.asymmetry)
        rgb = (1 - alpha) * rgb + alpha * colour
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def _draw_overlays(
    draw: ImageDraw.ImageDraw,
    box: Box,
    shape: tuple[int, int],
    analysis: SymmetryAnalysis,
    overlays: Collection[str],
    s: int,
) -> None:
    x0, y0 = box[0], box[1]

    def at(x: float, y: float) -> tuple[float, float]:
        return x0 + (x + 0.5) * s, y0 + (y + 0.5) * s

    if "midline" in overlays:
        m = analysis.midline
        h = shape[0]
        ends = [at(float(m.x_at(-0.5)), -0.5), at(float(m.x_at(h - 0.5)), h - 0.5)]
        draw.line(ends, fill=MIDLINE_COLOUR, width=max(1, s))
    if "hotspots" in overlays:
        r = HOTSPOT_RADIUS * s
        for spot in analysis.hotspots:
            cx, cy = at(spot.x, spot.y)
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=HOTSPOT_COLOUR, width=2 * s)


def _draw_colour_bar(draw: ImageDraw.ImageDraw, canvas: Image.Image, bar: Box, s: int) -> None:
    left, top, right, bottom = bar
    values = np.linspace(-ASYMMETRY_RANGE, ASYMMETRY_RANGE, right - left)
    colour, _ = _diverging(values)
    strip = np.repeat(colour[None].astype(np.uint8), bottom - top, axis=0)
    canvas.paste(Image.fromarray(strip, "RGB"), (left, top))
    font = _font(s)
    below = bottom + 2 * s
    draw.text((left, below), f"-{ASYMMETRY_RANGE:g}", fill=TEXT, font=font)
    draw.text(((left + right) // 2, below), "0", fill=TEXT, font=font, anchor="ma")
    draw.text((right, below), f"+{ASYMMETRY_RANGE:g}", fill=TEXT, font=font, anchor="ra")
    caption_y = below + (FONT_SIZE + 4) * s
    draw.text(((left + right) // 2, caption_y), COLOUR_BAR_LABEL, fill=TEXT, font=font, anchor="ma")


def _check(views: Mapping[Projection, np.ndarray], overlays: Collection[str], scale: int) -> None:
    if not views:
        raise UsageError("a figure needs at least one view (anterior or posterior).")
    unknown = sorted(set(overlays) - set(OVERLAYS))
    if unknown:
        raise UsageError(
            f"unknown overlay {', '.join(map(repr, unknown))}; choose from {', '.join(OVERLAYS)}."
        )
    if not isinstance(scale, int) or not 1 <= scale <= 8:
        raise UsageError(f"figure scale must be a whole number from 1 to 8, got {scale!r}.")
    for projection, image in views.items():
        if np.asarray(image).ndim != 2 or min(np.asarray(image).shape) < 1:
            raise UsageError(f"the {projection.value} view is not a 2-D image.")


def render_figure(
    views: Mapping[Projection, np.ndarray],
    window: Window | Mapping[Projection, Window],
    cmap_name: str,
    overlays: Collection[str] = (),
    mirror_posterior: bool = False,
    scale: int = 1,
    labels: bool = True,
) -> Image.Image:
    """Both views side by side (anterior left), windowed, coloured and overlaid.

    ``window`` is one window for every view, or one per projection (percent-of-max
    presets give each view its own).
    ``overlays`` is a subset of ``OVERLAYS``. With ``mirror_posterior`` the
    posterior view is flipped left-right (its side markers follow). The colour bar
    appears only with the "asymmetry" overlay.
    """
    _check(views, overlays, scale)
    colormap(cmap_name)  # an unknown name fails before any work
    shown: dict[Projection, np.ndarray] = {}
    for projection, image in views.items():
        arr = np.asarray(image)
        if projection is Projection.POSTERIOR and mirror_posterior:
            arr = np.ascontiguousarray(flip_posterior(arr))
        shown[projection] = arr
    needs_analysis = bool(set(overlays))
    layout = figure_layout(
        {p: (a.shape[0], a.shape[1]) for p, a in shown.items()},
        scale,
        colour_bar="asymmetry" in overlays,
        posterior_mirrored=mirror_posterior,
    )
    canvas = Image.new("RGB", layout.size, BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    font = _font(scale)
    for projection, arr in shown.items():
        # A mirrored posterior view has anterior sides; analysis sides do not affect drawing.
        analysis = analyze_view(arr, projection) if needs_analysis else None
        view_window = window if isinstance(window, Window) else window[projection]
        rgb = _view_rgb(arr, analysis, view_window, cmap_name, overlays)
        if scale > 1:
            rgb = np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)
        box = layout.views[projection]
        canvas.paste(Image.fromarray(rgb, "RGB"), (box[0], box[1]))
        if analysis is not None:
            _draw_overlays(draw, box, arr.shape, analysis, overlays, scale)
        if labels:
            lb = layout.letter_boxes[projection]
            centre = ((lb[0] + lb[2]) // 2, (lb[1] + lb[3]) // 2)
            draw.text(centre, projection.letter, fill=TEXT, font=font, anchor="mm")
            for side, sb in layout.side_boxes[projection].items():
                centre = ((sb[0] + sb[2]) // 2, (sb[1] + sb[3]) // 2)
                draw.text(centre, side, fill=TEXT, font=font, anchor="mm")
    if layout.colour_bar is not None:
        _draw_colour_bar(draw, canvas, layout.colour_bar, scale)
    return canvas


def save_png(image: Image.Image, path: str | os.PathLike[str]) -> Path:
    """Write ``image`` as PNG atomically (a temporary file beside it, then a rename)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(
            f"{target}: cannot write the figure there ({exc.strerror or exc}); "
            "choose a folder that exists and that you can write to."
        ) from exc
    try:
        os.chmod(tmp_name, umask_mode())
        with os.fdopen(fd, "wb") as f:
            image.save(f, format="PNG")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, target)
    except BaseException as exc:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"{target}: could not write the figure ({exc}).") from exc
        raise
    return target
