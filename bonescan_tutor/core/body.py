"""Finding the patient's body in a planar view, and the small numpy filters it needs.

Everything here works on any 2-D numeric array (uint16 counts, 8-bit images, floats of
any scale): non-finite pixels are replaced, the threshold is found on square-rooted
values (which steadies Poisson noise and tames the hot bladder), and a body that is
no more than salt-and-pepper noise is refused rather than guessed at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Smallest image the analysis accepts (rows, columns); anything smaller is no scan.
MIN_SHAPE = (16, 8)
# Percentile taken as the image's robust maximum: above it sit the bladder and the
# injection site, which must not set the scale.
ROBUST_MAX_PERCENTILE = 99.5
# A body is a coherent region: on the half-resolution mask, pairs of neighbouring
# pixels that disagree, per pixel of the smaller class, stay under this for a real
# outline (a disc of radius r gives about 2 / r) and exceed it for thresholded noise.
MAX_EDGE_RATIO = 0.35
MIN_BODY_FRACTION = 0.02


def as_float_image(image: np.ndarray) -> np.ndarray:
    """A float32 copy of a 2-D image; non-finite pixels become the lowest finite value."""
    arr = np.asarray(image)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D image, got shape {arr.shape}")
    if arr.dtype.kind not in "fc":
        return arr.astype(np.float32)
    a = np.real(arr).astype(np.float64)
    good = np.isfinite(a)
    if not good.all():
        a = np.where(good, a, a[good].min() if good.any() else 0.0)
    top = float(np.abs(a).max()) if a.size else 0.0
    if top > 1e30:  # keep float32 finite whatever the scale
        a = a * (1e30 / top)
    return a.astype(np.float32)


def downsample2(image: np.ndarray) -> np.ndarray:
    """2 x 2 block means (an odd last row or column is dropped)."""
    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    a = image[:h, :w]
    out: np.ndarray = a[0::2, 0::2] + a[1::2, 0::2]
    out += a[0::2, 1::2]
    out += a[1::2, 1::2]
    out *= 0.25
    return out


def gaussian_kernel(sigma: float) -> np.ndarray:
    radius = max(1, math.ceil(3.0 * sigma))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    out: np.ndarray = k / k.sum()
    return out


def _convolve_axis(a: np.ndarray, kernel: np.ndarray, axis: int) -> np.ndarray:
    """A symmetric 1-D kernel along ``axis``, edges extended.

    Sums of shifted slices into preallocated buffers: no BLAS (whose threads stall on
    a busy two-core machine) and no large temporaries.
    """
    r = len(kernel) // 2
    n = a.shape[axis]

    def part(start: int, stop: int | None) -> tuple[slice, ...]:
        index = [slice(None)] * a.ndim
        index[axis] = slice(start, stop)
        return tuple(index)

    shape = list(a.shape)
    shape[axis] += 2 * r
    p = np.empty(shape, dtype=np.float32)
    p[part(r, r + n)] = a
    p[part(0, r)] = a[part(0, 1)]
    p[part(r + n, None)] = a[part(n - 1, n)]
    k = kernel.astype(np.float32)
    out: np.ndarray = np.multiply(p[part(r, r + n)], k[r])
    pair = np.empty_like(out)
    for i in range(1, r + 1):
        np.add(p[part(r + i, r + i + n)], p[part(r - i, r - i + n)], out=pair)
        pair *= k[r + i]
        out += pair
    return out


def separable_filter(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Apply a symmetric 1-D kernel along the last two axes (float32, edges extended)."""
    a = np.asarray(image, dtype=np.float32)
    return _convolve_axis(_convolve_axis(a, kernel, a.ndim - 1), kernel, a.ndim - 2)


def gaussian_filter(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur over the last two axes (float32, edges extended)."""
    if sigma <= 0:
        return np.array(image, dtype=np.float32)
    return separable_filter(image, gaussian_kernel(sigma))


def box3(image: np.ndarray) -> np.ndarray:
    """3 x 3 mean, edges extended: cheap denoising before thresholding."""
    return separable_filter(image, np.full(3, 1.0 / 3.0))


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Otsu's threshold of 1-D finite values (the left edge of the upper class)."""
    lo, hi = float(values.min()), float(values.max())
    if hi <= lo:
        return hi
    hist, edges = np.histogram(values, bins=bins, range=(lo, hi))
    p = hist.astype(np.float64)
    centres = 0.5 * (edges[:-1] + edges[1:])
    w0 = np.cumsum(p)
    m0 = np.cumsum(p * centres)
    total, mtotal = w0[-1], m0[-1]
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mtotal * w0 - m0 * total) ** 2 / (w0 * w1)
    between = np.nan_to_num(between[:-1], nan=-1.0, posinf=-1.0)
    return float(edges[int(np.argmax(between)) + 1])


@dataclass(frozen=True)
class Body:
    """The body on the analysis grid: 2 x 2 bins of the view (half resolution).

    ``half`` is the binned image with the background level ``floor`` subtracted
    (clipped at 0); ``mask`` marks body bins. ``top``/``bottom`` are the first and last
    full-resolution rows holding body; ``robust_max`` is a high percentile of body
    values in ``half``. Bin (i, j) covers pixels 2i..2i+1, 2j..2j+1 of ``shape``.
    ``marks`` counts the bins of separate bright marks outside the body silhouette
    (burned-in letters, side markers, scale bars): they are left out of ``mask`` and
    set to the background in ``half``, so they never count as uptake.
    """

    shape: tuple[int, int]
    half: np.ndarray
    mask: np.ndarray
    threshold: float
    floor: float
    robust_max: float
    top: int
    bottom: int
    marks: int = 0

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1


@dataclass(frozen=True)
class BodySearch:
    """The outcome of looking for a body: ``body`` is None with a ``reason`` when none."""

    body: Body | None
    reason: str


def _percentile(values: np.ndarray, q: float) -> float:
    """A percentile of at most ~16k evenly picked values: plenty for a robust level."""
    step = max(1, values.size // 16384)
    return float(np.percentile(values[::step], q))


def body_threshold(values: np.ndarray) -> float | None:
    """The body/background threshold of finite pixel values, or None for a flat image.

    Otsu's method on square-rooted values clipped to the robust maximum: the square
    root evens out Poisson noise and keeps the bladder from pulling the split upward.
    """
    v = np.asarray(values, dtype=np.float32).ravel()
    if v.size < 4:
        return None
    lo = float(v.min())
    hi = _percentile(v, ROBUST_MAX_PERCENTILE)

    def flat(top: float) -> bool:
        return not top - lo > 1e-9 * max(1.0, abs(top), abs(lo))

    if flat(hi):
        hi = float(v.max())
        if flat(hi):
            return None
    step = max(1, v.size // 32768)  # a histogram needs no more values than this
    s = np.sqrt(np.clip(v[::step] - lo, 0.0, hi - lo))
    t = otsu_threshold(s)
    return lo + t * t


def _edge_ratio(mask: np.ndarray) -> float:
    """Disagreeing neighbour pairs per pixel of the smaller class (noise ~1, a body ~0.05)."""
    edges = np.count_nonzero(mask[:, 1:] != mask[:, :-1]) + np.count_nonzero(mask[1:] != mask[:-1])
    inside = int(np.count_nonzero(mask))
    smaller = min(inside, mask.size - inside)
    return edges / (2.0 * smaller) if smaller else 0.0


# A separate region is part of the body (an arm held apart, a leg) when it holds at least
# MIN_PART_FRACTION of the largest region's bins and is at least MIN_PART_HEIGHT of its
# height; anything else (letters, a text line, a side marker) is a mark, never uptake.
MIN_PART_FRACTION = 0.03
MIN_PART_HEIGHT = 0.1
# Marks of at least this many bins make the body's threshold be found again without them.
RETHRESHOLD_BINS = 16


def max_filter(a: np.ndarray, radius: int) -> np.ndarray:
    """Running maximum over a (2 radius + 1) square, separable; on a boolean mask, its
    dilation by a square."""
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


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected regions of a boolean mask: labels 1..n (0 outside), and n.

    Runs of each row are joined with the overlapping runs of the row above (union-find
    over runs, a few thousand for a body on the analysis grid), then painted back.
    """
    m = np.asarray(mask, dtype=bool)
    h, w = m.shape
    edges = np.diff(np.pad(m, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    n_runs = int(rows.size)
    if n_runs == 0:
        return np.zeros((h, w), dtype=np.int32), 0
    parent = list(range(n_runs))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first = np.searchsorted(rows, np.arange(h + 1))
    s_list, e_list = starts.tolist(), ends.tolist()
    for y in range(1, h):
        i, i_end = int(first[y - 1]), int(first[y])
        j, j_end = i_end, int(first[y + 1])
        while i < i_end and j < j_end:
            if s_list[i] < e_list[j] and s_list[j] < e_list[i]:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            if e_list[i] < e_list[j]:
                i += 1
            else:
                j += 1
    roots = np.array([find(i) for i in range(n_runs)])
    _, inverse = np.unique(roots, return_inverse=True)
    run_label = inverse.astype(np.int32) + 1
    lengths = ends - starts
    flat_start = rows * w + starts
    offsets = np.repeat(flat_start - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    positions = offsets + np.arange(int(lengths.sum()))
    labels = np.zeros(h * w, dtype=np.int32)
    labels[positions] = np.repeat(run_label, lengths)
    return labels.reshape(h, w), int(run_label.max())


def _heights(labels: np.ndarray, n: int) -> np.ndarray:
    """Rows spanned by each label 0..n (first to last row holding it)."""
    rows = np.broadcast_to(np.arange(labels.shape[0])[:, None], labels.shape).ravel()
    flat = labels.ravel()
    first = np.full(n + 1, labels.shape[0], dtype=np.int64)
    last = np.full(n + 1, -1, dtype=np.int64)
    np.minimum.at(first, flat, rows)
    np.maximum.at(last, flat, rows)
    out: np.ndarray = np.maximum(last - first + 1, 0)
    return out


def body_parts(mask: np.ndarray) -> np.ndarray:
    """The body silhouette: the largest region of ``mask`` and any region large and tall
    enough to be a part of it (``MIN_PART_FRACTION``, ``MIN_PART_HEIGHT``); smaller
    separate regions (letters, markers, specks) are left out."""
    labels, n = label_components(mask)
    if n <= 1:
        return np.asarray(mask, dtype=bool)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    sizes[0] = 0
    heights = _heights(labels, n)
    largest = int(np.argmax(sizes))
    keep = (sizes >= MIN_PART_FRACTION * sizes[largest]) & (
        heights >= MIN_PART_HEIGHT * heights[largest])
    keep[0] = False
    out: np.ndarray = keep[labels]
    return out


def find_body(image: np.ndarray) -> BodySearch:
    """Threshold and check the body of a float image (from ``as_float_image``)."""
    h, w = image.shape
    if h < MIN_SHAPE[0] or w < MIN_SHAPE[1]:
        return BodySearch(None, f"the image ({w} x {h} pixels) is too small to analyse")
    half = downsample2(image)
    smooth = box3(half)
    threshold = body_threshold(smooth)
    if threshold is None:
        return BodySearch(None, "no body found: the image is blank or constant")
    mask = smooth > threshold
    if float(mask.mean()) < MIN_BODY_FRACTION:
        return BodySearch(None, "no body found: almost nothing rises above the background")
    if _edge_ratio(mask) > MAX_EDGE_RATIO:
        return BodySearch(None, "no coherent body outline: the image looks like noise")
    body = body_parts(mask)
    marks = mask & ~body
    n_marks = int(np.count_nonzero(marks))
    background = smooth[~mask]
    floor = _percentile(background, 50.0) if background.size else float(smooth.min())
    if n_marks:
        # Letters and markers beside the body are background, never uptake: they are
        # set to the background level and the body's threshold is found again without them.
        smooth[marks] = floor
        half[marks] = floor
        # A few specks of noise cannot move the threshold; letters and markers can.
        again = body_threshold(smooth) if n_marks >= RETHRESHOLD_BINS else None
        if again is not None:
            threshold = again
            mask = body_parts(smooth > threshold)
        else:
            mask = body
    rows = np.flatnonzero(mask.sum(axis=1) >= max(1, mask.shape[1] // 64))
    if rows.size < 4:
        return BodySearch(None, "no body found: too few rows hold body")
    half -= floor
    np.maximum(half, 0.0, out=half)
    robust_max = _percentile(half[mask], ROBUST_MAX_PERCENTILE)
    if not robust_max > 0:
        robust_max = max(float(half.max()), 1e-6)
    top, bottom = 2 * int(rows[0]), min(h - 1, 2 * int(rows[-1]) + 1)
    found = Body((h, w), half, mask, threshold, floor, robust_max, top, bottom, n_marks)
    return BodySearch(found, "body found")
