"""Drawing smooth uptake shapes for the synthetic phantoms.

Anatomy is described in patient centimetres: ``u`` across (positive = the patient's
LEFT) and ``z`` down from the vertex. A ``Pose`` maps these to pixels of the ANTERIOR
image (patient's left on the image's right); the posterior image is the mirror of
the same drawing, seen from behind. Each shape adds to two layers at once, one
weighted for the anterior view and one for the posterior view (bones near the back,
such as the spine, show better posteriorly). Every shape is rendered only inside its
own bounding box, so a whole patient takes a few tens of milliseconds.

The collimator's Gaussian blur is applied analytically: a Gaussian shape blurred by
a Gaussian is a wider Gaussian of the same total uptake, and a soft edge widens in
the same way, so no full-image convolution is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Float = NDArray[np.floating[Any]]  # float32 in practice: half the memory traffic
Float64 = NDArray[np.float64]

HEIGHT = 1024
WIDTH = 256
# Planar whole-body acquisitions cover ~53 cm across 256 pixels: ~2.07 mm per pixel.
PX_PER_CM = 256 / 53.0


@dataclass(frozen=True)
class Pose:
    """Where a patient lies in the anterior image.

    The patient point ``(0, z_pivot)`` lands on pixel ``(cx, cy)``; ``tilt_deg`` turns
    the body about it (positive turns the head towards the image's right). The side
    terms model natural left-right differences: each side's lateral scale
    (``1 + k_left``) and a drop of that side's shoulder/hip line (``dz_left`` cm).
    """

    cx: float
    cy: float
    sx: float
    sy: float
    tilt_deg: float = 0.0
    z_pivot: float = 80.0
    k_left: float = 0.0
    k_right: float = 0.0
    dz_left: float = 0.0
    dz_right: float = 0.0

    def to_image(self, u: ArrayLike, z: ArrayLike) -> tuple[Float64, Float64]:
        """Patient centimetres -> anterior-image pixel coordinates (x, y)."""
        ua = np.asarray(u, dtype=np.float64)
        za = np.asarray(z, dtype=np.float64)
        left = ua > 0
        u1 = ua * (1.0 + np.where(left, self.k_left, self.k_right))
        reach = np.minimum(np.abs(ua) / 15.0, 1.0)
        z1 = za + np.where(left, self.dz_left, self.dz_right) * reach
        big_x = u1 * self.sx
        big_y = (z1 - self.z_pivot) * self.sy
        t = math.radians(self.tilt_deg)
        c, s = math.cos(t), math.sin(t)
        return self.cx + c * big_x - s * big_y, self.cy + s * big_x + c * big_y

    def point(self, u: float, z: float) -> tuple[float, float]:
        """``to_image`` for one point, without numpy's per-call overhead."""
        left = u > 0
        u1 = u * (1.0 + (self.k_left if left else self.k_right))
        z1 = z + (self.dz_left if left else self.dz_right) * min(abs(u) / 15.0, 1.0)
        big_x, big_y = u1 * self.sx, (z1 - self.z_pivot) * self.sy
        t = math.radians(self.tilt_deg)
        c, s = math.cos(t), math.sin(t)
        return self.cx + c * big_x - s * big_y, self.cy + s * big_x + c * big_y

    def halved(self) -> Pose:
        """The same pose on a canvas of half the resolution (pixel centres kept aligned)."""
        return replace(self, cx=(self.cx - 0.5) / 2, cy=(self.cy - 0.5) / 2,
                       sx=self.sx / 2, sy=self.sy / 2)

    def mirror_anterior(self, x: float, y: float) -> tuple[float, float]:
        """The contralateral point of an anterior-image pixel, across the body midline."""
        t = math.radians(self.tilt_deg)
        nx, ny = math.cos(t), math.sin(t)
        d = (x - self.cx) * nx + (y - self.cy) * ny
        return x - 2 * d * nx, y - 2 * d * ny


class Canvas:
    """Two bone layers (anterior and posterior weights) and a soft-tissue layer."""

    def __init__(
        self, pose: Pose, blur_px: float = 0.0, shape: tuple[int, int] = (HEIGHT, WIDTH)
    ) -> None:
        self.pose = pose
        self.blur_px = blur_px
        self.shape = shape
        self.ant = np.zeros(shape, dtype=np.float32)
        self.post = np.zeros(shape, dtype=np.float32)
        self.soft = np.zeros(shape, dtype=np.float32)

    def _window(
        self, xs: Float, ys: Float, reach: float
    ) -> tuple[tuple[slice, slice], Float, Float] | None:
        x0 = max(math.floor(float(xs.min()) - reach), 0)
        x1 = min(math.ceil(float(xs.max()) + reach) + 1, self.shape[1])
        y0 = max(math.floor(float(ys.min()) - reach), 0)
        y1 = min(math.ceil(float(ys.max()) + reach) + 1, self.shape[0])
        if x0 >= x1 or y0 >= y1:
            return None
        gx = np.arange(x0, x1, dtype=np.float32)[None, :]
        gy = np.arange(y0, y1, dtype=np.float32)[:, None]
        return (slice(y0, y1), slice(x0, x1)), gx, gy

    def _add(
        self, win: tuple[slice, slice], values: Float, amp_a: float | Float, amp_p: float | Float
    ) -> None:
        self.ant[win] += values * amp_a
        self.post[win] += values * amp_p

    def blob(
        self, u: float, z: float, su: float, sz: float, amp_a: float, amp_p: float,
        angle_deg: float = 0.0,
    ) -> None:
        """An elliptical Gaussian of widths ``su``/``sz`` cm, turned by ``angle_deg``."""
        x, y = self.pose.point(u, z)
        a0, b0 = self.pose.sx * su, self.pose.sy * sz
        a, b = math.hypot(a0, self.blur_px), math.hypot(b0, self.blur_px)
        keep = a0 * b0 / (a * b)
        amp_a, amp_p = amp_a * keep, amp_p * keep
        got = self._window(np.array([x]), np.array([y]), 3.5 * max(a, b))
        if got is None:
            return
        win, gx, gy = got
        t = math.radians(angle_deg + self.pose.tilt_deg)
        c, s = math.cos(t), math.sin(t)
        dx, dy = gx - x, gy - y
        p = (c * dx + s * dy) / a
        q = (-s * dx + c * dy) / b
        self._add(win, np.exp(-0.5 * (p * p + q * q)), amp_a, amp_p)

    def _polyline_distance(
        self, pts: list[tuple[float, float]], reach_cm: float
    ) -> tuple[tuple[slice, slice], Float, NDArray[np.intp]] | None:
        """Squared pixel distance to the nearest segment, and that segment's index."""
        px64, py64 = self.pose.to_image([p[0] for p in pts], [p[1] for p in pts])
        px, py = px64.astype(np.float32), py64.astype(np.float32)
        got = self._window(px, py, reach_cm * self.pose.sx)
        if got is None:
            return None
        win, gx, gy = got
        ax, ay = px[:-1, None, None], py[:-1, None, None]
        vx, vy = px[1:, None, None] - ax, py[1:, None, None] - ay
        length2 = np.maximum(vx * vx + vy * vy, 1e-12)
        t = np.clip(((gx - ax) * vx + (gy - ay) * vy) / length2, 0.0, 1.0)
        ex = gx - ax - t * vx
        ey = gy - ay - t * vy
        d2 = ex * ex + ey * ey
        index = d2.argmin(axis=0)
        best = np.take_along_axis(d2, index[None], axis=0)[0]
        return win, best, index

    def line(
        self, pts: list[tuple[float, float]], sigma: float, amp_a: ArrayLike, amp_p: ArrayLike
    ) -> None:
        """A Gaussian ridge of width ``sigma`` cm along a polyline (a rib, a long bone).

        ``amp_a``/``amp_p`` are scalars or one value per segment, so a rib can fade
        from its posterior arc to its anterior arc.
        """
        s0 = sigma * self.pose.sx
        s_px = math.hypot(s0, self.blur_px)
        got = self._polyline_distance(pts, 3.5 * s_px / self.pose.sx)
        if got is None:
            return
        win, d2, index = got
        value = np.exp(-0.5 * d2 / (s_px * s_px)) * (s0 / s_px)
        a = np.broadcast_to(np.asarray(amp_a, dtype=np.float32), (len(pts) - 1,))[index]
        p = np.broadcast_to(np.asarray(amp_p, dtype=np.float32), (len(pts) - 1,))[index]
        self._add(win, value, a, p)

    def ring(
        self, u: float, z: float, ru: float, rz: float, sigma: float, amp_a: float, amp_p: float
    ) -> None:
        """A ridge along an ellipse (the skull vault seen in projection)."""
        x, y = self.pose.point(u, z)
        a, b = self.pose.sx * ru, self.pose.sy * rz
        s0 = sigma * self.pose.sx
        s_px = math.hypot(s0, self.blur_px)
        got = self._window(np.array([x]), np.array([y]), max(a, b) + 3.5 * s_px)
        if got is None:
            return
        win, gx, gy = got
        t = math.radians(self.pose.tilt_deg)
        c, s = math.cos(t), math.sin(t)
        dx, dy = gx - x, gy - y
        r = np.hypot((c * dx + s * dy) / a, (-s * dx + c * dy) / b)
        d = (r - 1.0) * 0.5 * (a + b)  # distance from the rim, nearly exact for a round skull
        self._add(win, np.exp(-0.5 * (d / s_px) ** 2) * (s0 / s_px), amp_a, amp_p)

    def fill(
        self, u: float, z: float, ru: float, rz: float, edge: float, amp_a: float, amp_p: float,
        angle_deg: float = 0.0,
    ) -> None:
        """A filled ellipse with a soft edge of ``edge`` cm (bladder, kidneys)."""
        self._add(*self._ellipse_mask(u, z, ru, rz, edge, angle_deg), amp_a, amp_p)

    def _ellipse_mask(
        self, u: float, z: float, ru: float, rz: float, edge: float, angle_deg: float
    ) -> tuple[tuple[slice, slice], Float]:
        x, y = self.pose.point(u, z)
        a = self.pose.sx * ru
        b = self.pose.sy * rz
        got = self._window(np.array([x]), np.array([y]), max(a, b) + 6 * edge * self.pose.sx)
        if got is None:
            return (slice(0, 0), slice(0, 0)), np.zeros((0, 0))
        win, gx, gy = got
        t = math.radians(angle_deg + self.pose.tilt_deg)
        c, s = math.cos(t), math.sin(t)
        dx, dy = gx - x, gy - y
        r = np.hypot((c * dx + s * dy) / a, (-s * dx + c * dy) / b)
        # distance outside the rim, approximately, in pixels
        d = (r - 1.0) * min(a, b)
        return win, self._edge(d, edge)

    def _edge(self, d: Float, edge_cm: float) -> Float:
        """A logistic edge; its width grows with the blur (logistic sd = 1.81 x scale)."""
        scale = math.hypot(edge_cm * self.pose.sx, self.blur_px / 1.81)
        out: Float = 1.0 / (1.0 + np.exp(np.clip(d / scale, -50, 50)))
        return out

    def soft_ellipse(self, u: float, z: float, ru: float, rz: float) -> None:
        """Soft tissue: union (not sum) of body parts, so overlaps stay even."""
        win, mask = self._ellipse_mask(u, z, ru, rz, 0.8, 0.0)
        self.soft[win] = np.maximum(self.soft[win], mask)

    def soft_limb(self, pts: list[tuple[float, float]], radius: float) -> None:
        got = self._polyline_distance(pts, radius + 5.0)
        if got is None:
            return
        win, d2, _ = got
        mask = self._edge(np.sqrt(d2) - radius * self.pose.sx, 0.8)
        self.soft[win] = np.maximum(self.soft[win], mask)
