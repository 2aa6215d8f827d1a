"""A simple whole-body phantom: body outline, spine, paired bones, bladder, Poisson noise.

Built in body coordinates (``u`` across, 0 on the axis; ``v`` down from the top of the
head) and sampled through an optional rotation, so tests know the true midline.
"""

from __future__ import annotations

import math

import numpy as np


def _ellipse(
    u: np.ndarray, v: np.ndarray, cu: float, cv: float, ru: float, rv: float
) -> np.ndarray:
    return ((u - cu) / ru) ** 2 + ((v - cv) / rv) ** 2 <= 1.0


def _blob(u: np.ndarray, v: np.ndarray, cu: float, cv: float, s: float) -> np.ndarray:
    return np.exp(-0.5 * (((u - cu) / s) ** 2 + ((v - cv) / s) ** 2))


def phantom_rate(
    height: int = 1024,
    width: int = 256,
    *,
    centre_x: float | None = None,
    angle_deg: float = 0.0,
    pivot_y: float | None = None,
    spot: tuple[float, float, float] | None = None,
    arms: bool = True,
) -> np.ndarray:
    """Expected counts per pixel (float64). ``spot`` = (u, v, amplitude) in body coordinates.

    The axis passes through (centre_x, pivot_y) and leans ``angle_deg`` from vertical
    (positive: lower end to the right, i.e. x = a + b * y with b = tan(angle)).
    """
    cx = (width - 1) / 2.0 if centre_x is None else centre_x
    py = height / 2.0 if pivot_y is None else pivot_y
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    t = math.radians(angle_deg)
    dx, dy = xs - cx, ys - py
    # Inverse rotation: image offset -> body coordinates.
    u = dx * math.cos(t) - dy * math.sin(t)
    v = dx * math.sin(t) + dy * math.cos(t) + py
    k = height / 1024.0
    body = (
        _ellipse(u, v, 0, 70 * k, 42 * k, 55 * k)
        | _ellipse(u, v, 0, 330 * k, 78 * k, 210 * k)
        | _ellipse(u, v, -32 * k, 760 * k, 30 * k, 250 * k)
        | _ellipse(u, v, 32 * k, 760 * k, 30 * k, 250 * k)
    )
    if arms:
        body |= _ellipse(u, v, -98 * k, 360 * k, 12 * k, 200 * k)
        body |= _ellipse(u, v, 98 * k, 360 * k, 12 * k, 200 * k)
    rate = 15.0 * body
    spine = (np.abs(u) < 6 * k) & (v > 125 * k) & (v < 540 * k)
    rate += 90.0 * spine
    skull = _ellipse(u, v, 0, 70 * k, 42 * k, 55 * k) & ~_ellipse(u, v, 0, 70 * k, 34 * k, 47 * k)
    rate += 70.0 * skull
    for cu, cv, s, amp in (
        (50, 200, 8, 120),  # shoulders
        (48, 560, 10, 110),  # hips
        (32, 750, 8, 90),  # knees
        (40, 300, 6, 60),  # ribs
        (30, 470, 9, 80),  # sacroiliac
    ):
        for sign in (-1, 1):
            rate += amp * _blob(u, v, sign * cu * k, cv * k, s * k) * body
    rate += 500.0 * _blob(u, v, 0, 600 * k, 14 * k)  # bladder, on the axis
    if spot is not None:
        su, sv, amp = spot
        rate += amp * _blob(u, v, su * k, sv * k, 4 * k)
    return rate + 1.0


def phantom(seed: int = 0, scale: float = 40.0, **kwargs: object) -> np.ndarray:
    """A uint16 Poisson sample of ``phantom_rate(**kwargs)`` scaled like a rescaled PNG."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(phantom_rate(**kwargs))  # type: ignore[arg-type]
    return np.clip(counts * scale, 0, 65535).astype(np.uint16)
