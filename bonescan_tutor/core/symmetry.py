"""Left-right symmetry of a planar view: a teaching aid, never a diagnosis.

"Symmetry is your friend": readers compare each region with the contralateral side.
This module finds the body's midline (tilt allowed), mirrors the view across it, maps
the local contralateral difference, sums uptake per anatomical band and side, and
lists the most asymmetric spots. Asymmetry is common in healthy people (handedness,
degenerative joints, the injection site); the figures only point where to look.

Coordinates: ``x`` counts columns from the image's left edge, ``y`` rows from the
top, both in pixels with pixel centres at integers. The midline is ``x = a + b * y``.

Patient sides: in the ANTERIOR view the camera faces the patient, so the patient's
right is on the image's left. In the POSTERIOR view the camera is behind the patient,
so the patient's left is on the image's left (``mirror_posterior`` flips it to line
up with the anterior view; a flipped posterior must then be read with anterior sides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bonescan_tutor.core.body import Body, gaussian_filter
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

    Sums are of background-subtracted pixel values (never counts), over body pixels
    whose mirror partner is body too. ``y0``/``y1`` are the band's first and last rows.
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


def _bands(body: Body) -> list[tuple[str, int, int]]:
    """(name, first bin row, last bin row) of each anatomical band on the analysis grid."""
    top, bottom = body.top // 2, body.bottom // 2
    height = bottom - top + 1
    out = []
    for name, f0, f1 in BANDS:
        i0, i1 = top + round(f0 * height), top + round(f1 * height) - 1
        if i1 >= i0:
            out.append((name, i0, min(i1, bottom)))
    return out


def _regions(
    body: Body, half_line: Midline, paired: np.ndarray, projection: Projection
) -> list[RegionIndex]:
    img = body.half * paired
    hh, ww = img.shape
    xs = np.arange(ww, dtype=np.float64)[None, :]
    line = half_line.a + half_line.b * np.arange(hh, dtype=np.float64)[:, None]
    # The share of each bin (spanning x - 0.5 .. x + 0.5) lying left of the line.
    left_share = np.clip(line - xs + 0.5, 0.0, 1.0)
    # x 4: a bin holds the mean of 4 pixels; sums are in the view's (background-
    # subtracted) pixel units.
    img_left = 4.0 * (img * left_share).sum(axis=1)
    img_right = 4.0 * img.sum(axis=1, dtype=np.float64) - img_left
    out = []
    for name, i0, i1 in _bands(body):
        left_img = float(img_left[i0 : i1 + 1].sum())
        right_img = float(img_right[i0 : i1 + 1].sum())
        if projection is Projection.ANTERIOR:
            left, right = right_img, left_img
        else:
            left, right = left_img, right_img
        total = left + right
        index = (left - right) / total if total > 0 else 0.0
        y1 = min(2 * i1 + 1, body.shape[0] - 1)
        out.append(RegionIndex(name, 2 * i0, y1, left, right, index))
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
    half_line = to_grid(midline)
    _, paired = _mirrored(search.body, half_line)
    return _regions(search.body, half_line, paired, projection)


def _max_filter(a: np.ndarray, radius: int) -> np.ndarray:
    """Running maximum over a (2 radius + 1) square, separable."""
    out = a.copy()
    for axis in (0, 1):
        src = out.copy()
        n = a.shape[axis]
        for s in range(1, min(radius, n - 1) + 1):
            lo: list[slice] = [slice(None), slice(None)]
            hi: list[slice] = [slice(None), slice(None)]
            lo[axis], hi[axis] = slice(0, n - s), slice(s, n)
            np.maximum(out[tuple(lo)], src[tuple(hi)], out=out[tuple(lo)])
            np.maximum(out[tuple(hi)], src[tuple(lo)], out=out[tuple(hi)])
    return out


def _hotspots(
    grid: np.ndarray,
    body: Body,
    midline: Midline,
    projection: Projection,
    threshold: float,
    max_spots: int,
    sigma: float,
) -> list[Hotspot]:
    if not midline.confident or max_spots <= 0:
        return []
    half_sigma = sigma / 2.0
    peaks = (grid >= _max_filter(grid, max(1, round(2 * half_sigma)))) & (grid > threshold)
    ys, xs = np.nonzero(peaks)
    order = np.argsort(-grid[ys, xs], kind="stable")
    bands = _bands(body)
    chosen: list[Hotspot] = []
    min_dist2 = (3 * sigma) ** 2
    for i in order:
        # Bin centre in view pixels.
        x, y = 2.0 * float(xs[i]) + 0.5, 2.0 * float(ys[i]) + 0.5
        if any((h.x - x) ** 2 + (h.y - y) ** 2 < min_dist2 for h in chosen):
            continue
        row = int(ys[i])
        region = next((n for n, i0, i1 in bands if i0 <= row <= i1), "outside the bands")
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
    return _hotspots(grid, search.body, midline, projection, threshold, max_spots, sigma)


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
    regions = _regions(body, half_line, paired, projection)
    spots = _hotspots(grid, body, midline, projection, threshold, max_spots, sigma)
    return SymmetryAnalysis(midline, tuple(regions), tuple(spots), _upsample(grid, body.shape))
