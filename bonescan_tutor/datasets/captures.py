"""Clinic screen captures: display polarity, and two whole-body views in one image.

What a workstation or PACS exports is often one 8-bit capture per study: anterior and
posterior side by side on a black canvas, sometimes display-inverted (uptake dark on
white), with burned-in text and spot views around them. This module finds the two
tall body columns in such a capture (``split_capture``), tells a display-inverted
view from a normal one (``is_display_inverted``) and reads it uptake-bright.

Boxes are ``(x0, y0, x1, y1)`` in pixels, ``x1`` and ``y1`` exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bonescan_tutor.core.body import label_components
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import ImageError

Box = tuple[int, int, int, int]

# The outer ring of a view, as a fraction of its smaller side, read as its background.
RING_FRACTION = 0.03
# A pixel differs from the canvas when it is this fraction of the range away from it.
CONTENT_FRACTION = 0.02
# The capture is searched on blocks of this many pixels a side.
BLOCK = 4
# A whole-body view is at least this fraction of the capture's height tall.
TALL_FRACTION = 0.4
# A region filling this fraction of its box is a view's panel (its own background).
PANEL_FILL = 0.8


def _median(values: np.ndarray) -> float:
    """``np.median`` of a 1-D array, without the masked-array module ``np.median`` loads
    on its first call (a tenth of the app's start-up beyond its window)."""
    n = values.size
    half = np.partition(values, (n - 1) // 2 if n % 2 else [n // 2 - 1, n // 2])
    return float(half[(n - 1) // 2]) if n % 2 else float(half[n // 2 - 1 : n // 2 + 1].mean())


def _ring(a: np.ndarray) -> np.ndarray:
    h, w = a.shape
    k = max(1, round(min(h, w) * RING_FRACTION))
    return np.concatenate([a[:k].ravel(), a[-k:].ravel(), a[:, :k].ravel(), a[:, -k:].ravel()])


def is_display_inverted(image: np.ndarray) -> bool:
    """True when the background around the body is the bright end of the view's range.

    The background is the view's outer ring; a display-inverted view (uptake dark on
    white) has a ring near its maximum, a count image one near its minimum.
    """
    a = np.asarray(image, dtype=np.float32)
    if a.ndim != 2 or a.size == 0:
        return False
    lo, hi = float(a.min()), float(a.max())
    if not hi > lo:
        return False
    ring = _ring(a)
    level = _median(ring)
    return level > lo + 0.5 * (hi - lo)


def uptake_bright(image: np.ndarray) -> tuple[np.ndarray, bool]:
    """The view read with uptake bright (``max - value`` when display-inverted), and
    whether it was inverted. A count image comes back unchanged."""
    a = np.asarray(image)
    if not is_display_inverted(a):
        return a, False
    top = a.max()
    out = (top - a).astype(a.dtype, copy=False)
    return np.ascontiguousarray(out), True


@dataclass(frozen=True)
class CaptureSplit:
    """Where the two whole-body views of a capture are, and what was left out."""

    anterior: Box
    posterior: Box
    dropped: tuple[Box, ...]  # spot views, text, markers outside both views

    def box(self, projection: Projection) -> Box:
        return self.anterior if projection is Projection.ANTERIOR else self.posterior


def _regions(content: np.ndarray) -> list[tuple[Box, int]]:
    """Boxes (in block units) and sizes of the content's connected regions."""
    labels, n = label_components(content)
    out: list[tuple[Box, int]] = []
    for i in range(1, n + 1):
        ys, xs = np.nonzero(labels == i)
        out.append(((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1),
                    int(ys.size)))
    return out


def _is_panel(region: tuple[Box, int]) -> bool:
    """A region filling its box: a view on its own background, or a spot view."""
    (x0, y0, x1, y1), size = region
    return size >= PANEL_FILL * (x1 - x0) * (y1 - y0)


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def split_capture(image: np.ndarray, order: str = "AP", name: str = "capture") -> CaptureSplit:
    """The anterior and posterior boxes of a capture holding both whole-body views.

    The canvas is the capture's outer ring; content is what differs from it. The two
    tallest regions (at least ``TALL_FRACTION`` of the height) are the views, left to
    right as ``order`` says (``"AP"``: anterior on the left); a smaller region beside a
    view and level with it (an arm held apart) joins it; everything else (spot views,
    text, markers) is dropped and listed. Raises ``ImageError`` when no two tall body
    columns are found.
    """
    a = np.asarray(image, dtype=np.float32)
    regions = _regions(_content_blocks(a, name))
    tall = _two_tallest(regions, a.shape[0] // BLOCK, name)
    boxes = [list(r[0]) for r in tall]  # in blocks, grown by the regions that join them
    panels = [_is_panel(r) for r in tall]
    dropped: list[Box] = []
    for region in regions:
        if region not in tall and not _join(region, boxes, panels):
            x0, y0, x1, y1 = region[0]
            dropped.append((x0 * BLOCK, y0 * BLOCK, x1 * BLOCK, y1 * BLOCK))
    left, right = (_view_box(r[0], b, panel, a.shape)
                   for r, b, panel in zip(tall, boxes, panels, strict=True))
    left, right = _kept_apart(left, right, boxes)
    ant, post = (left, right) if order.upper() != "PA" else (right, left)
    return CaptureSplit(ant, post, tuple(dropped))


def _content_blocks(a: np.ndarray, name: str) -> np.ndarray:
    """Which ``BLOCK``-pixel blocks of the capture hold anything that differs from its canvas."""
    h, w = a.shape
    canvas = _median(_ring(a))
    span = float(a.max() - a.min())
    hb, wb = h // BLOCK, w // BLOCK
    if hb < 8 or wb < 4 or not span > 0:
        raise ImageError(f"{name}: the image is too small or blank to hold two whole-body views.")
    differs = np.abs(a[: hb * BLOCK, : wb * BLOCK] - canvas) > CONTENT_FRACTION * span
    return np.asarray(differs.reshape(hb, BLOCK, wb, BLOCK).any(axis=(1, 3)))


def _two_tallest(regions: list[tuple[Box, int]], height: int, name: str
                 ) -> list[tuple[Box, int]]:
    """The two largest regions at least ``TALL_FRACTION`` of ``height`` tall, left to right."""
    tall = sorted((r for r in regions if r[0][3] - r[0][1] >= TALL_FRACTION * height),
                  key=lambda r: -(r[0][3] - r[0][1]) * (r[0][2] - r[0][0]))[:2]
    if len(tall) < 2:
        raise ImageError(
            f"{name}: two whole-body views side by side were not found (found {len(tall)} tall "
            "body column(s)). Give the manifest row 'anterior box' and 'posterior box' columns "
            "(x0,y0,x1,y1 in pixels), or separate anterior and posterior files.")
    tall.sort(key=lambda r: r[0][0])
    return tall


def _join(region: tuple[Box, int], boxes: list[list[int]], panels: list[bool]) -> bool:
    """Grow the first view box ``region`` belongs to (an arm held apart) around it; False
    when it belongs to neither."""
    for b, panel in zip(boxes, panels, strict=True):
        if not panel and _belongs_to(region, b, boxes):
            x0, y0, x1, y1 = region[0]
            b[:] = [min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1)]
            return True
    return False


def _belongs_to(region: tuple[Box, int], b: list[int], boxes: list[list[int]]) -> bool:
    """A figure-shaped region level with view box ``b``, within an eighth of its width of it,
    clear of the other view and at least 15% of its height: part of that view."""
    (x0, y0, x1, y1), _size = region
    reach = (b[2] - b[0]) // 8
    level = _overlap(y0, y1, b[1], b[3]) >= 0.5 * (y1 - y0)
    near = x1 >= b[0] - reach and x0 <= b[2] + reach
    others_clear = all(_overlap(x0, x1, o[0], o[2]) == 0 for o in boxes if o is not b)
    return (not _is_panel(region) and level and near and others_clear
            and (y1 - y0) >= 0.15 * (b[3] - b[1]))


def _view_box(region: Box, b: list[int], panel: bool, shape: tuple[int, ...]) -> Box:
    """A view's box in pixels: a panel exactly (its edge pixels left out), a figure on the
    canvas padded by four blocks within the capture."""
    h, w = shape
    rx0, ry0, rx1, ry1 = region
    if panel:
        # A view on its own background: exactly the panel, its edge pixels left out.
        px0, py0 = rx0 * BLOCK + BLOCK, ry0 * BLOCK + BLOCK
        px1, py1 = rx1 * BLOCK - BLOCK, ry1 * BLOCK - BLOCK
        return (px0, py0, max(px1, px0 + 1), max(py1, py0 + 1))
    pad = 4
    return (max(0, (b[0] - pad) * BLOCK), max(0, (b[1] - pad) * BLOCK),
            min(w, (b[2] + pad) * BLOCK), min(h, (b[3] + pad) * BLOCK))


def _kept_apart(left: Box, right: Box, boxes: list[list[int]]) -> tuple[Box, Box]:
    """The two view boxes cut midway between the views where padding made them overlap."""
    if left[2] > right[0]:  # padding must not reach into the other view
        middle = (boxes[0][2] + boxes[1][0]) * BLOCK // 2
        left = (left[0], left[1], min(left[2], middle), left[3])
        right = (max(right[0], middle), right[1], right[2], right[3])
    return left, right


def parse_box(text: str) -> Box:
    """``"x0,y0,x1,y1"`` (pixels, x1 and y1 exclusive) as a box; ``ValueError`` if not one."""
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    if len(parts) != 4:
        raise ValueError("write four whole numbers x0,y0,x1,y1")
    try:
        x0, y0, x1, y1 = (int(float(p)) for p in parts)
    except ValueError:
        raise ValueError("write four whole numbers x0,y0,x1,y1") from None
    if x0 < 0 or y0 < 0 or x1 <= x0 or y1 <= y0:
        raise ValueError("needs 0 <= x0 < x1 and 0 <= y0 < y1")
    return x0, y0, x1, y1


def crop(image: np.ndarray, box: Box, name: str) -> np.ndarray:
    """The part of ``image`` inside ``box``; ``ImageError`` when the box is outside it."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    if x1 > w or y1 > h:
        raise ImageError(
            f"{name}: the box {x0},{y0},{x1},{y1} reaches outside the image ({w} x {h} pixels). "
            "Correct the box in the manifest.")
    return np.ascontiguousarray(image[y0:y1, x0:x1])
