"""Figures of a case's views for handouts and slides (Pillow, no Qt).

``render_figure`` lays the anterior view left and the posterior view right, each
under a strip with its projection letter ("A" / "P") and the patient's sides ("R" /
"L") over the matching image edges: in the anterior view the patient's right is on
the image's left; in the posterior view the patient's left is on the image's left,
unless the posterior view is mirrored to line up with the anterior one. Overlays are
painted by ``core.overlays`` (the viewer's registry: same shapes, same colours) and
are teaching aids, never a diagnosis; the colour bar says so. ``save_png`` writes
atomically so a crash never leaves half a file.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.overlays import (
    ASYMMETRY_RANGE,
    OVERLAYS,
    Line,
    Markers,
    OverlayInput,
    Raster,
    asymmetry_argb,
    check_names,
    paint,
)
from bonescan_tutor.core.symmetry import analyze_view
from bonescan_tutor.core.symmetry import mirror_posterior as flip_posterior
from bonescan_tutor.core.windowing import Window, apply_window, colormap

COLOUR_BAR_LABEL = "left-right asymmetry, teaching aid, not a diagnosis"
BACKGROUND = (48, 48, 48)
TEXT = (240, 240, 240)
GHOST_OPACITY = 0.4  # the viewer's default blend

# Layout in unscaled pixels (multiplied by ``scale``).
MARGIN = 8
STRIP = 18
FONT_SIZE = 12
DASH = 6  # a dashed line's dash, its gap half as long
BAR_HEIGHT = 10
BAR_BLOCK = 44  # bar, tick labels and caption under the views

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


def _composite(rgb: np.ndarray, raster: Raster) -> np.ndarray:
    """``raster`` laid over ``rgb`` (float RGB), as the screen blends a see-through image."""
    rgba = raster.rgba().astype(np.float64)
    alpha = rgba[..., 3:] / 255.0
    out: np.ndarray = (1 - alpha) * rgb + alpha * rgba[..., :3]
    return out


def _view_rgb(image: np.ndarray, window: Window, cmap_name: str, rasters: list[Raster]) -> np.ndarray:
    rgb = apply_window(image, window, cmap_name).astype(np.float64)
    for raster in rasters:
        rgb = _composite(rgb, raster)
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def _draw_marker(draw: ImageDraw.ImageDraw, shape: str, cx: float, cy: float, r: float,
                 colour: tuple[int, int, int], width: int) -> None:
    if shape == "o":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=width)
    elif shape == "s":
        draw.rectangle((cx - r, cy - r, cx + r, cy + r), outline=colour, width=width)
    elif shape == "d":
        draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], outline=colour,
                     width=width)
    elif shape == "x":
        draw.line([(cx - r, cy - r), (cx + r, cy + r)], fill=colour, width=width)
        draw.line([(cx - r, cy + r), (cx + r, cy - r)], fill=colour, width=width)
    else:  # "+"
        draw.line([(cx - r, cy), (cx + r, cy)], fill=colour, width=width)
        draw.line([(cx, cy - r), (cx, cy + r)], fill=colour, width=width)


def _draw_vectors(draw: ImageDraw.ImageDraw, box: Box, layers: list[Line | Markers],
                  s: int) -> None:
    x0, y0 = box[0], box[1]

    def at(x: float, y: float) -> tuple[float, float]:
        return x0 + (x + 0.5) * s, y0 + (y + 0.5) * s

    for layer in layers:
        if isinstance(layer, Line):
            points = [at(x, y) for x, y in zip(layer.xs, layer.ys, strict=True)]
            width = max(1, round(layer.width * s))
            for a, b in itertools.pairwise(points):
                for piece in _dashes(a, b, DASH * s if layer.dashed else 0.0):
                    draw.line(piece, fill=layer.colour, width=width)
            continue
        for x, y in zip(layer.xs, layer.ys, strict=True):
            cx, cy = at(x, y)
            _draw_marker(draw, layer.shape, cx, cy, layer.radius * s, layer.colour,
                         max(1, round(layer.width * s)))


def _dashes(a: tuple[float, float], b: tuple[float, float], dash: float
            ) -> list[list[tuple[float, float]]]:
    """The segment a-b as dashes ``dash`` long with gaps half as long (0: one piece),
    as the viewer's dashed pen draws it."""
    length = float(np.hypot(b[0] - a[0], b[1] - a[1]))
    if dash <= 0 or length <= dash:
        return [[a, b]]
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    starts = np.arange(0.0, length, 1.5 * dash)
    return [[(a[0] + ux * t, a[1] + uy * t),
             (a[0] + ux * min(t + dash, length), a[1] + uy * min(t + dash, length))]
            for t in starts]


def colour_bar_rgb(values: np.ndarray) -> np.ndarray:
    """The asymmetry colours over a white page, as the overlay shows them on a light scan."""
    white = np.full((*np.shape(values), 3), 247.0)
    rgb = _composite(white, Raster(asymmetry_argb(values)))
    out: np.ndarray = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    return out


def _draw_colour_bar(draw: ImageDraw.ImageDraw, canvas: Image.Image, bar: Box, s: int) -> None:
    left, top, right, bottom = bar
    values = np.linspace(-ASYMMETRY_RANGE, ASYMMETRY_RANGE, right - left)
    strip = np.repeat(colour_bar_rgb(values)[None], bottom - top, axis=0)
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
    check_names(overlays)
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
    ``overlays`` are names from ``core.overlays.OVERLAYS``. With ``mirror_posterior`` the
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
    needs_analysis = any(OVERLAYS[name].needs_analysis for name in overlays)
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
        layers = paint(overlays, OverlayInput(arr, view_window, analysis, GHOST_OPACITY))
        rgb = _view_rgb(arr, view_window, cmap_name, [x for x in layers if isinstance(x, Raster)])
        if scale > 1:
            rgb = np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)
        box = layout.views[projection]
        canvas.paste(Image.fromarray(rgb, "RGB"), (box[0], box[1]))
        _draw_vectors(draw, box, [x for x in layers if not isinstance(x, Raster)], scale)
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
    """Write ``image`` as PNG atomically (a temporary file beside it, created with the
    user's umask, then a rename)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise UsageError(
            f"{target}: cannot write the figure there ({exc.strerror or exc}); "
            "choose a folder that exists and that you can write to."
        ) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            image.save(f, format="PNG")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"{target}: could not write the figure ({exc}).") from exc
        raise
    return target

