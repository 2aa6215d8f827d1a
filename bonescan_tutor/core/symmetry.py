"""Left-right symmetry of a planar view: a teaching aid, never a diagnosis.

"Symmetry is your friend": readers compare each region with the contralateral side.
This module finds the body's midline (tilt allowed), mirrors the view across it, maps
the local contralateral difference, sums uptake per anatomical band and side (bands
across the body's axis, sides mirrored across the midline, so a tilted patient reads
as an upright one), and lists the most asymmetric spots. Asymmetry is common in healthy people (handedness,
degenerative joints, the injection site); the figures only point where to look.

Coordinates: ``x`` counts columns from the image's left edge, ``y`` rows from the
top, both in pixels with pixel centres at integers. The midline is ``x = a + b * y``.

Patient sides: in the ANTERIOR view the camera faces the patient, so the patient's
right is on the image's left. In the POSTERIOR view the camera is behind the patient,
so the patient's left is on the image's left (``mirror_posterior`` flips it to line
up with the anterior view; a flipped posterior must then be read with anterior sides).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from bonescan_tutor.core.body import Body, gaussian_filter, max_filter
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.midline import (
    Midline,
    bilinear_sample,
    find_view_body,
    fit_body_midline,
    fit_midline,
    mirror,
    reflected_coords,
    to_grid,
)

__all__ = [
    "BANDS",
    "Hotspot",
    "Midline",
    "RegionIndex",
    "SymmetryAnalysis",
    "analyze_view",
    "asymmetry_map",
    "fit_midline",
    "hotspots",
    "mirror",
    "mirror_posterior",
    "regional_indices",
]

# Anatomical bands as fractions of the body's height, top of head (0) to feet (1),
# from adult proportions (a head is about 1/8 of stature; iliac crests near 0.40;
# greater trochanters near 0.48; knee joints near 0.73). Approximate by design: they
# group pixels for a regional comparison, they do not segment bones.
BANDS: tuple[tuple[str, float, float], ...] = (
    ("head", 0.00, 0.12),
    ("shoulders", 0.12, 0.20),
    ("thorax", 0.20, 0.36),
    ("lumbar spine", 0.36, 0.46),
    ("pelvis", 0.46, 0.56),
    ("thighs", 0.56, 0.70),
    ("knees", 0.70, 0.78),
    ("lower legs", 0.78, 1.00),
)
DEFAULT_SIGMA = 2.5
# The asymmetry map divides by local uptake plus this fraction of the body's robust
# maximum, so faint background-level pixels cannot produce huge ratios.
FLOOR_FRACTION = 0.05
DEFAULT_THRESHOLD = 0.3
DEFAULT_MAX_SPOTS = 10


@dataclass(frozen=True)
class RegionIndex:
    """Uptake on each patient side of one band; ``index = (L - R) / (L + R)``.

    The band runs across the patient's own axis (perpendicular to the fitted midline,
    so a tilted patient's bands tilt with them) and each side is mirrored across the
    midline: a left/right pair of bins always falls in the same band. Sums are of
    background-subtracted pixel values (never counts), over body pixels whose mirror
    partner is body too. ``y0``/``y1`` are the first and last view rows of the band
    where it crosses the midline (for an upright patient, its first and last rows).
    """

    name: str
    y0: int
    y1: int
    left_sum: float
    right_sum: float
    index: float


@dataclass(frozen=True)
class Hotspot:
    """A local maximum of the asymmetry map: where a side is hotter than its mirror.

    ``x``/``y`` are in view pixels (bin centres, so they end in .5); ``side`` is the
    patient's side; ``asymmetry`` is the map's value there (+0.33 = 40 % excess).
    """

    x: float
    y: float
    side: str
    region: str
    asymmetry: float


@dataclass(frozen=True)
class SymmetryAnalysis:
    """Everything ``analyze_view`` finds; ``asymmetry`` has the view's shape."""

    midline: Midline
    regions: tuple[RegionIndex, ...]
    hotspots: tuple[Hotspot, ...]
    asymmetry: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the asymmetry map itself is left out)."""
        m = self.midline
        return {
            "midline": {
                "a": round(m.a, 3),
                "b": round(m.b, 6),
                "angle_deg": round(m.angle_deg, 3),
                "confident": m.confident,
                "reason": m.reason,
            },
            "regions": [
                {
                    "name": r.name,
                    "y0": r.y0,
                    "y1": r.y1,
                    "left_sum": round(r.left_sum, 3),
                    "right_sum": round(r.right_sum, 3),
                    "index": round(r.index, 4),
                }
                for r in self.regions
            ],
            "hotspots": [
                {
                    "x": h.x,
                    "y": h.y,
                    "side": h.side,
                    "region": h.region,
                    "asymmetry": round(h.asymmetry, 4),
                }
                for h in self.hotspots
            ],
        }


def mirror_posterior(image: np.ndarray) -> np.ndarray:
    """The posterior view flipped left-right so its sides line up with the anterior view.

    Unflipped, the posterior view shows the patient's left on the image's left; after
    this flip the patient's right is on the image's left, as in the anterior view.
    A view (not a copy): analyse the flipped array with ``Projection.ANTERIOR`` sides.
    """
    return np.asarray(image)[:, ::-1]


# --- asymmetry map, regions, hotspots (on the 2 x 2 analysis grid) -------------------


def _mirrored(body: Body, half_line: Midline) -> tuple[np.ndarray, np.ndarray]:
    """The binned image mirrored, and the bins whose mirror partner is body too."""
    yr, xr = reflected_coords(body.half.shape, half_line)
    both = bilinear_sample(np.stack([body.half, body.mask.astype(np.float32)]), yr, xr)
    return both[0], body.mask & (both[1] > 0.5)


def _upsample(grid: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Analysis grid back to the view's size (each bin repeated; odd edges left 0)."""
    out = np.zeros(shape, dtype=np.float32)
    hh, ww = grid.shape
    out[: 2 * hh, : 2 * ww] = np.repeat(np.repeat(grid, 2, axis=0), 2, axis=1)
    return out


def _asymmetry_grid(body: Body, m: np.ndarray, paired: np.ndarray, sigma: float) -> np.ndarray:
    img = body.half
    stack = np.stack([img, img])
    stack[0] -= m
    stack[1] += m
    stack *= paired
    smooth = gaussian_filter(stack, sigma / 2.0)
    uptake = smooth[1]
    uptake *= 0.5
    uptake += np.float32(FLOOR_FRACTION * body.robust_max)
    out: np.ndarray = smooth[0]
    out /= uptake
    out *= paired
    return out


def asymmetry_map(image: np.ndarray, midline: Midline, sigma: float = DEFAULT_SIGMA) -> np.ndarray:
    """Smoothed ``(I - mirror(I))`` over local uptake ``(I + mirror(I)) / 2`` (plus a floor).

    Positive where a pixel is hotter than its contralateral partner; +0.33 reads as a
    40 % excess wherever it is (skull or pelvis). ``sigma`` is in view pixels. Zero
    outside the body. Computed on 2 x 2 bins (finer than ``sigma``) and returned at
    the view's size.
    """
    img = np.asarray(image)
    search = find_view_body(img)
    if search.body is None:
        return np.zeros(img.shape, dtype=np.float32)
    half_line = to_grid(midline)
    grid = _asymmetry_grid(search.body, *_mirrored(search.body, half_line), sigma)
    return _upsample(grid, search.body.shape)


def _patient_side(image_left: bool, projection: Projection) -> str:
    if projection is Projection.ANTERIOR:
        return "right" if image_left else "left"
    return "left" if image_left else "right"


@dataclass(frozen=True)
class _AxisFrame:
    """The analysis grid resampled on the body's own axis.

    Row ``i`` is the line perpendicular to the midline at ``v = v_start + i`` (grid units
    along the axis, from where the midline crosses row 0); column ``j`` is at signed
    distance ``u = j - reach + 0.5`` from the midline (negative: the image's left), so
    column ``j`` and ``2 * reach - 1 - j`` are mirror partners. ``paired`` holds the
    binned image where a body bin's mirror partner is body too, 0 elsewhere.
    """

    line: Midline  # grid coordinates
    v_start: float
    reach: int
    paired: np.ndarray
    bands: tuple[tuple[str, int, int], ...]  # (name, first row, last row) in the frame

    @property
    def _unit(self) -> tuple[float, float, float, float]:
        b = self.line.b
        norm = math.hypot(1.0, b)
        return b / norm, 1.0 / norm, 1.0 / norm, -b / norm  # axis (dx, dy), normal (nx, ny)

    def row_of(self, x: float, y: float) -> float:
        """The frame row through grid point (x, y)."""
        dx, dy, _, _ = self._unit
        return (x - self.line.a) * dx + y * dy - self.v_start

    def band_of(self, x: float, y: float) -> str:
        row = round(self.row_of(x, y))
        return next((n for n, i0, i1 in self.bands if i0 <= row <= i1), "outside the bands")

    def view_rows(self, i0: int, i1: int, height: int) -> tuple[int, int]:
        """First and last view rows of frame rows i0..i1 where they cross the midline."""
        _, dy, _, _ = self._unit
        # Grid coordinate g is view coordinate 2 g + 0.5 (bin i covers pixels 2i, 2i+1).
        top = 2.0 * dy * (self.v_start + i0 - 0.5) + 0.5
        bottom = 2.0 * dy * (self.v_start + i1 + 0.5) + 0.5
        y0 = min(max(math.ceil(top - 1e-6), 0), height - 1)
        y1 = min(max(math.ceil(bottom - 1e-6) - 1, y0), height - 1)
        return y0, y1


def _axis_frame(body: Body, half_line: Midline) -> _AxisFrame:
    """Resample the binned image and mask on rows across the midline (bilinear)."""
    hh, ww = body.half.shape
    a, b = half_line.a, half_line.b
    norm = math.hypot(1.0, b)
    dx, dy, nx, ny = b / norm, 1.0 / norm, 1.0 / norm, -b / norm
    cx = np.array([-0.5, ww - 0.5, -0.5, ww - 0.5]) - a
    cy = np.array([-0.5, -0.5, hh - 0.5, hh - 0.5])
    v_corner, u_corner = cx * dx + cy * dy, cx * nx + cy * ny
    v_start = float(math.floor(v_corner.min()))
    v = np.arange(v_start, math.ceil(v_corner.max()) + 1.0, dtype=np.float32)[:, None]
    reach = min(max(math.ceil(float(np.abs(u_corner).max())) + 1, 4), 2 * ww + 2)
    u = np.arange(-reach + 0.5, reach, 1.0, dtype=np.float32)[None, :]
    xs = np.float32(a) + np.float32(dx) * v + np.float32(nx) * u
    ys = np.float32(dy) * v + np.float32(ny) * u
    stack = np.stack([body.half, body.mask.astype(np.float32)])
    img, mask = bilinear_sample(stack, ys, xs)
    inside = mask > 0.5
    both = inside & inside[:, ::-1]
    img *= both
    rows = np.flatnonzero(inside.sum(axis=1) >= max(1, ww // 64))
    bands: list[tuple[str, int, int]] = []
    if rows.size:
        top, bottom = int(rows[0]), int(rows[-1])
        height = bottom - top + 1
        for name, f0, f1 in BANDS:
            i0, i1 = top + round(f0 * height), top + round(f1 * height) - 1
            if i1 >= i0:
                bands.append((name, i0, min(i1, bottom)))
    return _AxisFrame(half_line, v_start, reach, img, tuple(bands))


def _regions(body: Body, frame: _AxisFrame, projection: Projection) -> list[RegionIndex]:
    # Columns left of the midline (u < 0) are the image's left. x 4: a bin holds the
    # mean of 4 pixels, and resampling on the rotated frame keeps areas, so sums are
    # in the view's (background-subtracted) pixel units.
    half = frame.reach
    img_left = 4.0 * frame.paired[:, :half].sum(axis=1, dtype=np.float64)
    img_right = 4.0 * frame.paired[:, half:].sum(axis=1, dtype=np.float64)
    out = []
    for name, i0, i1 in frame.bands:
        left_img = float(img_left[i0 : i1 + 1].sum())
        right_img = float(img_right[i0 : i1 + 1].sum())
        if projection is Projection.ANTERIOR:
            left, right = right_img, left_img
        else:
            left, right = left_img, right_img
        total = left + right
        index = (left - right) / total if total > 0 else 0.0
        y0, y1 = frame.view_rows(i0, i1, body.shape[0])
        out.append(RegionIndex(name, y0, y1, left, right, index))
    return out


def regional_indices(
    image: np.ndarray, midline: Midline, projection: Projection
) -> list[RegionIndex]:
    """Per anatomical band: uptake on the patient's left and right, and their index.

    Only body pixels whose mirror partner is body too are summed, so an arm held
    away from the trunk does not count as asymmetry.
    """
    search = find_view_body(image)
    if search.body is None:
        return []
    return _regions(search.body, _axis_frame(search.body, to_grid(midline)), projection)


def _hotspots(
    grid: np.ndarray,
    frame: _AxisFrame,
    midline: Midline,
    projection: Projection,
    threshold: float,
    max_spots: int,
    sigma: float,
) -> list[Hotspot]:
    if not midline.confident or max_spots <= 0:
        return []
    half_sigma = sigma / 2.0
    peaks = (grid >= max_filter(grid, max(1, round(2 * half_sigma)))) & (grid > threshold)
    ys, xs = np.nonzero(peaks)
    order = np.argsort(-grid[ys, xs], kind="stable")
    chosen: list[Hotspot] = []
    min_dist2 = (3 * sigma) ** 2
    for i in order:
        # Bin centre in view pixels.
        x, y = 2.0 * float(xs[i]) + 0.5, 2.0 * float(ys[i]) + 0.5
        if any((h.x - x) ** 2 + (h.y - y) ** 2 < min_dist2 for h in chosen):
            continue
        region = frame.band_of(float(xs[i]), float(ys[i]))
        side = _patient_side(x < float(midline.x_at(y)), projection)
        chosen.append(Hotspot(x, y, side, region, float(grid[ys[i], xs[i]])))
        if len(chosen) >= max_spots:
            break
    return chosen


def hotspots(
    image: np.ndarray,
    midline: Midline,
    projection: Projection,
    threshold: float = DEFAULT_THRESHOLD,
    max_spots: int = DEFAULT_MAX_SPOTS,
    sigma: float = DEFAULT_SIGMA,
) -> list[Hotspot]:
    """Local maxima of the asymmetry map above ``threshold``, strongest first.

    None when the midline is not confident: a guessed midline gives meaningless spots.
    """
    search = find_view_body(image)
    if search.body is None:
        return []
    half_line = to_grid(midline)
    m, paired = _mirrored(search.body, half_line)
    grid = _asymmetry_grid(search.body, m, paired, sigma)
    frame = _axis_frame(search.body, half_line)
    return _hotspots(grid, frame, midline, projection, threshold, max_spots, sigma)


def analyze_view(
    image: np.ndarray,
    projection: Projection,
    *,
    sigma: float = DEFAULT_SIGMA,
    threshold: float = DEFAULT_THRESHOLD,
    max_spots: int = DEFAULT_MAX_SPOTS,
) -> SymmetryAnalysis:
    """Midline, regional indices, hotspots and the asymmetry map of one view, in one pass."""
    img = np.asarray(image)
    search = find_view_body(img)
    body = search.body
    midline = fit_body_midline(search, img.shape[1] if img.ndim == 2 else 0)
    if body is None:
        return SymmetryAnalysis(midline, (), (), np.zeros(img.shape, dtype=np.float32))
    half_line = to_grid(midline)
    m, paired = _mirrored(body, half_line)
    grid = _asymmetry_grid(body, m, paired, sigma)
    frame = _axis_frame(body, half_line)
    regions = _regions(body, frame, projection)
    spots = _hotspots(grid, frame, midline, projection, threshold, max_spots, sigma)
    return SymmetryAnalysis(midline, tuple(regions), tuple(spots), _upsample(grid, body.shape))
