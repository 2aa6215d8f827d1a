"""The body's midline and mirroring across it (a tilted line, sub-pixel).

Coordinates: ``x`` counts columns from the image's left edge, ``y`` rows from the
top, both in pixels with pixel centres at integers. The midline is ``x = a + b * y``.
The fit works on the 2 x 2 analysis grid of ``core.body``: per row, the centre of
the body weighted by (capped, squared) uptake, a Theil-Sen start and a Tukey
reweighted line, then two rounds re-measured across the axis so a tilted patient's
left-right partners share a row (each line across the axis only as far as the frame
holds it on both sides, so an arm cut off by the frame's edge does not pull the line).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bonescan_tutor.core.body import BodySearch, as_float_image, find_body

MAX_TILT_DEG = 25.0
# Rows along the axis sampled every ROW_STEP analysis bins while refining the tilt.
ROW_STEP = 4.0


@dataclass(frozen=True)
class Midline:
    """The line ``x = a + b * y``; ``confident`` is False (with ``reason``) when guessed."""

    a: float
    b: float
    confident: bool
    reason: str

    @property
    def angle_deg(self) -> float:
        """Tilt from vertical in degrees; positive when the line leans right going down."""
        return math.degrees(math.atan(self.b))

    def x_at(self, y: np.ndarray | float) -> np.ndarray | float:
        return self.a + self.b * y


def find_view_body(image: np.ndarray) -> BodySearch:
    return find_body(as_float_image(image))


def to_grid(midline: Midline) -> Midline:
    """The same line in analysis-grid coordinates (bin i is centred on pixel 2i + 0.5)."""
    b = midline.b
    return Midline((midline.a + 0.5 * b - 0.5) / 2.0, b, midline.confident, midline.reason)


# --- midline -----------------------------------------------------------------------


def _theil_sen(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """Median of pairwise slopes (on at most 64 evenly spaced rows), median intercept."""
    pick = np.unique(np.linspace(0, len(y) - 1, min(len(y), 64)).round().astype(int))
    ys, xs = y[pick], x[pick]
    i, j = np.triu_indices(len(ys), k=1)
    dy = ys[j] - ys[i]
    ok = np.abs(dy) > 0
    b = float(np.median((xs[j] - xs[i])[ok] / dy[ok])) if ok.any() else 0.0
    return float(np.median(x - b * y)), b


def _robust_line(y: np.ndarray, x: np.ndarray, weight: np.ndarray) -> tuple[float, float, float]:
    """Theil-Sen start, then Tukey-biweight reweighted least squares; returns a, b, scale."""
    a, b = _theil_sen(y, x)
    scale = 1.0
    for _ in range(6):
        r = x - (a + b * y)
        scale = max(1.4826 * float(np.median(np.abs(r))), 0.5)
        u = r / (4.685 * scale)
        w = weight * np.where(np.abs(u) < 1, (1 - u * u) ** 2, 0.0)
        if w.sum() <= 0:
            break
        sw, sy, sx = w.sum(), (w * y).sum(), (w * x).sum()
        syy, sxy = (w * y * y).sum(), (w * x * y).sum()
        det = sw * syy - sy * sy
        if det <= 1e-12 * max(1.0, sw * syy):
            break
        b = (sw * sxy - sy * sx) / det
        a = (sx - b * sy) / sw
    return float(a), float(b), scale


def _fallback_midline(width: int, reason: str) -> Midline:
    return Midline((width - 1) / 2.0, 0.0, False, reason)


def _centre_line(
    weight: np.ndarray, mask: np.ndarray
) -> tuple[float, float, float, float, int] | None:
    """Robust line through the weighted centre of each row: (a, b, scale, width, rows)."""
    counts = mask.sum(axis=1)
    rows = np.flatnonzero(counts >= 2)
    if rows.size < 8:
        return None
    cols = np.arange(weight.shape[1], dtype=np.float64)
    w = weight[rows]
    centre = (w * cols).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-12)
    y = rows.astype(np.float64)
    a, b, scale = _robust_line(y, centre, counts[rows].astype(np.float64))
    return a, b, scale, float(np.median(counts[rows])), int(rows.size)


def _refine(weight: np.ndarray, inside: float, a: float, b: float) -> tuple[float, ...] | None:
    """Re-measure row centres across the current axis instead of along image rows.

    Horizontal rows cut a tilted body obliquely, so left-right partners (two shoulders,
    two hips) fall on different rows and pull the fit toward vertical. Resampled on
    lines perpendicular to the estimate, partners share a row; two rounds settle it.
    ``weight`` is at least ``inside`` on body bins and 0 elsewhere.
    """
    hh, ww = weight.shape
    found = None
    for _ in range(2):
        norm = math.hypot(1.0, b)
        dx, dy, nx, ny = b / norm, 1.0 / norm, 1.0 / norm, -b / norm
        v = np.arange(0.0, hh * norm, ROW_STEP, dtype=np.float32)[:, None]
        # Across the axis, as far as the farther frame edge (body is inside the frame).
        reach = math.ceil(max(a, ww - 1 - a, a + b * hh, ww - 1 - a - b * hh)) + 1
        reach = min(max(reach, 4), 2 * ww)
        u = np.arange(-reach + 0.5, reach, 1.0, dtype=np.float32)[None, :]
        xs = np.float32(a) + np.float32(dx) * v + np.float32(nx) * u
        ys = np.float32(dy) * v + np.float32(ny) * u
        sampled = bilinear_sample(weight[None], ys, xs)[0]
        # Only the stretch of each line the frame holds on both sides of the axis: a
        # part of the body cut off by the frame's edge (an arm of a tilted patient)
        # would pull that row's centre toward the other side.
        in_frame = (xs >= 0) & (xs <= ww - 1) & (ys >= 0) & (ys <= hh - 1)
        across = np.broadcast_to(u, sampled.shape)
        first = np.where(in_frame, across, np.inf).min(axis=1)
        last = np.where(in_frame, across, -np.inf).max(axis=1)
        sampled[np.abs(across) > np.minimum(-first, last)[:, None]] = 0.0
        found = _centre_line(sampled, sampled > 0.5 * inside)
        if found is None:
            return None
        alpha, beta = found[0] - reach + 0.5, found[1] / ROW_STEP  # column -> u, row -> v
        # Two points of the corrected axis, back in grid coordinates.
        far = hh * norm
        x0, y0 = a + alpha * nx, alpha * ny
        x1 = a + far * dx + (alpha + beta * far) * nx
        y1 = far * dy + (alpha + beta * far) * ny
        if abs(y1 - y0) < 1e-9:
            return None
        b = (x1 - x0) / (y1 - y0)
        a = x0 - b * y0
    assert found is not None
    return a, b, found[2], found[3], found[4]


def fit_body_midline(search: BodySearch, width: int) -> Midline:
    body = search.body
    if body is None:
        return _fallback_midline(width, search.reason)
    # Row centres weighted by the square of uptake (capped): the spine and paired
    # bones outweigh the soft-tissue outline, the bladder cannot drag the centre.
    cap = np.float32(max(body.robust_max, 1e-6))
    weight = np.minimum(body.half, cap) * body.mask
    weight *= weight
    inside = float(0.01 * cap * cap)
    weight += np.float32(inside) * body.mask
    first = _centre_line(weight, body.mask)
    if first is None:
        return _fallback_midline(width, "too few body rows to fit a midline")
    if abs(math.degrees(math.atan(first[1]))) > MAX_TILT_DEG:
        a_h, b = first[0], first[1]
        return Midline(2 * a_h + 0.5 - 0.5 * b, b, False, "implausible tilt")
    fit = _refine(weight, inside, first[0], first[1]) or first
    a_h, b, scale, body_width, nrows = fit
    a = 2.0 * a_h + 0.5 - 0.5 * b  # grid -> view pixels (bin i is centred on 2i + 0.5)
    angle = math.degrees(math.atan(b))
    if abs(angle) > MAX_TILT_DEG:
        return Midline(a, b, False, f"implausible tilt of {angle:.1f} degrees")
    if scale > 0.15 * max(body_width, 1.0):
        return Midline(a, b, False, "the body's centre wanders too much from row to row")
    return Midline(a, b, True, f"fitted on {nrows} rows")


def fit_midline(image: np.ndarray) -> Midline:
    """The body's left-right centre line ``x = a + b * y``, robust to arms, bladder, tilt."""
    img = np.asarray(image)
    return fit_body_midline(find_view_body(img), img.shape[1] if img.ndim == 2 else 0)


# --- mirroring ---------------------------------------------------------------------


def reflected_coords(shape: tuple[int, int], midline: Midline) -> tuple[np.ndarray, np.ndarray]:
    h, w = shape
    a, b = midline.a, midline.b
    ys = np.arange(h, dtype=np.float32)[:, None]
    xs = np.arange(w, dtype=np.float32)[None, :]
    k = np.float32(2.0 / (1.0 + b * b)) * (xs - np.float32(a) - np.float32(b) * ys)
    return ys + np.float32(b) * k, xs - k


def bilinear_sample(stack: np.ndarray, yr: np.ndarray, xr: np.ndarray) -> np.ndarray:
    """Sample each (h, w) plane of a (c, h, w) stack at float coordinates; 0 outside."""
    c, h, w = stack.shape
    out = np.zeros((c, *yr.shape), dtype=np.float32)
    if h < 2 or w < 2:
        iy, ix = np.rint(yr).astype(np.intp), np.rint(xr).astype(np.intp)
        ok = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
        out[:, ok] = stack[:, iy[ok], ix[ok]]
        return out
    inside = (xr >= 0) & (xr <= w - 1) & (yr >= 0) & (yr <= h - 1)
    x0 = np.clip(np.floor(xr), 0, w - 2)
    y0 = np.clip(np.floor(yr), 0, h - 2)
    fx = np.clip(xr - x0, 0.0, 1.0).astype(np.float32)
    fy = np.clip(yr - y0, 0.0, 1.0).astype(np.float32)
    fy *= inside
    idx = y0.astype(np.intp)
    idx *= w
    idx += x0.astype(np.intp)
    flat = np.ascontiguousarray(stack, dtype=np.float32).reshape(c, h * w)
    for plane, dest in zip(flat, out, strict=True):
        top = plane.take(idx)
        top += fx * (plane.take(idx + 1) - top)
        bottom = plane.take(idx + w)
        bottom += fx * (plane.take(idx + w + 1) - bottom)
        bottom -= top
        bottom *= fy
        top *= inside
        np.add(top, bottom, out=dest)
    return out


def mirror(image: np.ndarray, midline: Midline) -> np.ndarray:
    """``image`` reflected across the (tilted) midline, bilinear, 0 outside the frame."""
    img = as_float_image(image)
    yr, xr = reflected_coords(img.shape, midline)
    out: np.ndarray = bilinear_sample(img[None], yr, xr)[0]
    return out
