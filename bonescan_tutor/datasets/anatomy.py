"""The normal skeleton and body of the synthetic bone-scan phantom, in patient centimetres.

Coordinates: ``u`` across the body (positive = the patient's LEFT), ``z`` down from
the vertex, for a 165 cm woman; ``Pose`` scales them to the patient. Amplitudes are
relative uptake (lumbar vertebra ~1) with separate anterior/posterior weights: the
spine, scapulae, kidneys and sacro-iliac joints lie near the back, the sternum,
clavicles, patellae and bladder near the front.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from bonescan_tutor.datasets.phantom_canvas import Canvas

Jitter = Callable[[], float]
SIDES = (1, -1)  # patient's left, then right

# Vertebral levels (centre z, cm) and lateral half-widths of the vertebral bodies.
CERVICAL = [(16.5 + 1.8 * i, 1.0) for i in range(7)]
THORACIC = [(29.0 + 2.3 * i, 1.25 + 0.03 * i) for i in range(12)]
LUMBAR = [(57.0 + 3.2 * i, 1.65) for i in range(5)]
# Lateral reach (cm) of ribs 1..12 on a chest of factor 1.
RIB_WIDTH = [5.5, 8.0, 10.0, 11.5, 12.5, 13.0, 13.3, 13.3, 13.0, 12.3, 10.5, 8.5]
# Where the bony part of ribs 1..10 ends in front (medial reach, cm).
RIB_FRONT = [3.0, 3.0, 3.2, 3.4, 3.6, 3.9, 4.4, 7.0, 9.0, 11.0]


def rib_path(
    k: int, s: int, chest: float
) -> tuple[list[tuple[float, float]], list[float], list[float]]:
    """Rib ``k`` (1-12) on side ``s``: points, and per-segment anterior/posterior weights.

    The posterior arc runs out from the spine, the anterior arc (ribs 1-10) comes back
    down and medially towards the sternum, as ribs project on a planar scan.
    """
    w = RIB_WIDTH[k - 1] * chest
    z0 = THORACIC[k - 1][0]
    zl = z0 + 2.6 + 0.15 * k
    pts = [
        (s * 1.6, z0),
        (s * 0.35 * w, z0 - 0.4),
        (s * 0.65 * w, z0 + 0.1),
        (s * 0.88 * w, z0 + 1.0 + 0.1 * k),
        (s * w, zl),
    ]
    amp_a = [0.14, 0.17, 0.21, 0.28]
    amp_p = [0.52, 0.52, 0.48, 0.42]
    if k <= 10:
        e = RIB_FRONT[k - 1] * (0.5 + 0.5 * chest)
        ze = z0 + 4.0 + 0.75 * k
        pts += [
            (s * (w - 0.08 * (w - e)), zl + 0.45 * (ze - zl)),
            (s * (w - 0.5 * (w - e)), zl + 0.85 * (ze - zl)),
            (s * e, ze),
        ]
        amp_a += [0.36, 0.4, 0.4]
        amp_p += [0.3, 0.2, 0.15]
    return pts, amp_a, amp_p


def point_on_path(pts: list[tuple[float, float]], t: float) -> tuple[float, float]:
    """The point a fraction ``t`` of the way along a polyline (by length)."""
    lengths = [((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5 for a, b in pairwise(pts)]
    target = t * sum(lengths)
    for (a, b), seg in zip(pairwise(pts), lengths, strict=True):
        if target <= seg or seg == lengths[-1]:
            f = min(target / seg, 1.0) if seg else 0.0
            return a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])
        target -= seg
    return pts[-1]


def draw_soft_tissue(c: Canvas, fat: float) -> None:
    """The body outline: head, neck, trunk, arms and legs as a union of soft shapes."""
    c.soft_ellipse(0.0, 11.0, 8.5, 11.5)
    c.soft_limb([(0.0, 18.0), (0.0, 29.0)], 5.5)
    c.soft_limb([(-16.5, 32.0), (16.5, 32.0)], 4.5 * fat)
    c.soft_ellipse(0.0, 50.0, 15.0 * fat, 22.0)
    c.soft_ellipse(0.0, 72.0, 14.5 * fat, 17.0)
    for s in SIDES:
        c.soft_limb([(s * 17.3, 32.0), (s * 18.6, 60.0)], 3.6 * fat)
        c.soft_limb([(s * 18.6, 60.0), (s * 19.8, 85.0)], 2.9 * fat)
        c.soft_ellipse(s * 20.1, 90.0, 2.4, 5.0)
        c.soft_limb([(s * 9.0, 84.0), (s * 8.0, 105.0)], 7.0 * fat)
        c.soft_limb([(s * 8.0, 105.0), (s * 7.2, 120.0)], 5.3 * fat)
        c.soft_limb([(s * 7.2, 120.0), (s * 6.9, 157.0)], 4.0 * fat)
        c.soft_ellipse(s * 7.4, 161.5, 3.0, 4.0)


def draw_skull_and_spine(c: Canvas, j: Jitter) -> None:
    c.ring(0.0, 10.5, 7.2, 10.0, 0.65, 0.5 * j(), 0.5 * j())
    c.fill(0.0, 10.5, 6.8, 9.6, 0.9, 0.3 * j(), 0.3 * j())
    c.blob(0.0, 15.8, 2.4, 1.4, 0.75 * j(), 0.25)  # maxilla / nasal region
    c.blob(0.0, 14.5, 1.8, 1.2, 0.12, 0.42 * j())  # occipital protuberance
    mandible = [(-5.5, 15.5), (-5.0, 19.5), (-2.5, 21.6), (0.0, 22.0),
                (2.5, 21.6), (5.0, 19.5), (5.5, 15.5)]
    c.line(mandible, 0.5, 0.6 * j(), 0.28)
    for s in SIDES:
        c.blob(s * 4.2, 13.8, 1.3, 0.9, 0.3 * j(), 0.35 * j())  # petrous bones
    for levels, amp in ((CERVICAL, 0.62), (THORACIC, 0.78), (LUMBAR, 0.9)):
        for z, half in levels:
            step = 1.8 if levels is CERVICAL else (2.3 if levels is THORACIC else 3.2)
            g = amp * j()
            c.blob(0.0, z, half * 0.85, step * 0.36, 0.5 * g, 0.75 * g)
            for s in SIDES:  # pedicles and facet joints
                c.blob(s * half * 1.05, z, 0.55, step * 0.3, 0.12 * g, 0.42 * g * j())
    # sacrum, tapering down
    for z, su, sz in ((73.5, 2.8, 1.9), (77.5, 2.1, 1.9), (81.5, 1.3, 1.6), (84.5, 0.7, 1.0)):
        g = j()
        c.blob(0.0, z, su, sz, 0.3 * g, 0.62 * g)


def draw_thorax(c: Canvas, j: Jitter, chest: float) -> None:
    c.blob(0.0, 31.6, 2.1, 1.5, 0.7 * j(), 0.22)  # manubrium
    c.line([(0.0, 33.2), (0.0, 44.5)], 0.9, 0.52 * j(), 0.18)
    c.blob(0.0, 46.0, 0.6, 1.0, 0.25, 0.08)
    for s in SIDES:
        for k in range(1, 13):
            pts, amp_a, amp_p = rib_path(k, s, chest)
            g = j()
            c.line(pts, 0.45, [a * g for a in amp_a], [p * g for p in amp_p])
        g = j()
        c.line([(s * 1.8, 30.6), (s * 7.0, 29.6), (s * 12.0, 29.9), (s * 16.0, 29.3)],
               0.55, 0.55 * g, 0.3 * g)
        c.blob(s * 2.1, 30.9, 0.9, 0.8, 0.45 * j(), 0.2)  # sterno-clavicular joint
        g = j()
        scapula = [(s * 8.4, 31.5), (s * 9.0, 40.0), (s * 10.6, 46.0), (s * 14.0, 38.0),
                   (s * 15.4, 33.6)]
        c.line(scapula, 0.55, 0.17 * g, 0.46 * g)
        c.line([(s * 8.5, 34.2), (s * 13.0, 32.2), (s * 16.4, 30.6)], 0.55, 0.2 * g, 0.5 * g)
        c.blob(s * 11.6, 38.5, 2.0, 3.4, 0.05, 0.13 * g)  # scapular blade


def draw_limbs_and_pelvis(c: Canvas, j: Jitter) -> None:
    c.blob(0.0, 85.0, 1.1, 1.3, 0.5 * j(), 0.3)  # pubic symphysis
    for s in SIDES:
        # shoulder and arm
        c.blob(s * 16.8, 32.3, 1.8, 1.8, 0.62 * j(), 0.58 * j())
        c.blob(s * 16.1, 29.7, 0.8, 0.7, 0.4 * j(), 0.35)  # acromio-clavicular joint
        g = j()
        c.line([(s * 17.3, 34.0), (s * 18.2, 46.0), (s * 18.8, 58.5)], 0.7, 0.32 * g, 0.3 * g)
        c.blob(s * 18.9, 60.2, 1.8, 1.3, 0.5 * j(), 0.46 * j())  # elbow
        g = j()
        c.line([(s * 18.5, 61.8), (s * 19.3, 83.5)], 0.42, 0.24 * g, 0.22 * g)
        c.line([(s * 19.7, 61.8), (s * 20.4, 83.0)], 0.42, 0.22 * g, 0.24 * g)
        c.blob(s * 19.9, 85.0, 1.5, 1.0, 0.5 * j(), 0.45 * j())  # wrist
        c.blob(s * 20.1, 88.2, 1.4, 2.1, 0.42 * j(), 0.4)  # hand
        for f in (-1.0, -0.3, 0.4, 1.1):
            c.line([(s * (20.1 + f * 0.9), 90.0), (s * (20.1 + f * 1.1), 95.0)], 0.3, 0.22, 0.2)
        # pelvis
        g = j()
        ilium = [(s * 3.9, 71.6), (s * 7.0, 67.6), (s * 11.0, 66.6), (s * 13.4, 68.6),
                 (s * 13.8, 71.6), (s * 12.0, 74.6), (s * 10.4, 77.6)]
        c.line(ilium, 0.7, 0.5 * g, 0.56 * g)
        c.fill(s * 9.0, 71.3, 4.2, 3.6, 0.7, 0.3 * g, 0.36 * g, angle_deg=-s * 20)  # iliac wing
        c.line([(s * 3.8, 72.0), (s * 4.4, 78.0)], 0.6, 0.35 * j(), 0.85 * j())  # SI joint
        g = j()
        c.blob(s * 9.3, 79.6, 2.0, 2.0, 0.62 * g, 0.58 * g)  # acetabulum, femoral head
        c.line([(s * 9.0, 81.0), (s * 5.0, 83.0), (s * 1.2, 84.2)], 0.55, 0.42 * g, 0.36 * g)
        c.line([(s * 9.5, 82.0), (s * 8.0, 86.5), (s * 5.0, 87.5), (s * 1.2, 86.0)],
               0.55, 0.4 * g, 0.4 * g)
        # femur and knee
        g = j()
        c.line([(s * 9.6, 79.6), (s * 12.0, 81.5)], 0.8, 0.55 * g, 0.5 * g)
        c.blob(s * 13.0, 81.2, 1.4, 1.8, 0.58 * g, 0.55 * g)  # greater trochanter
        c.blob(s * 10.8, 84.6, 0.7, 0.8, 0.3 * g, 0.3 * g)
        c.line([(s * 12.3, 83.0), (s * 10.5, 100.0), (s * 7.8, 115.0)], 0.85, 0.38 * g, 0.35 * g)
        c.blob(s * 7.6, 116.6, 2.4, 1.5, 0.58 * j(), 0.55 * j())  # femoral condyles
        c.blob(s * 7.4, 120.0, 2.3, 1.1, 0.52 * j(), 0.5 * j())  # tibial plateau
        c.blob(s * 7.6, 116.0, 1.3, 1.5, 0.4 * j(), 0.04)  # patella
        g = j()
        c.line([(s * 7.2, 121.5), (s * 6.8, 156.0)], 0.8, 0.38 * g, 0.33 * g)
        c.line([(s * 9.6, 121.5), (s * 8.8, 156.0)], 0.4, 0.16 * g, 0.2 * g)
        c.blob(s * 7.3, 158.0, 2.1, 1.2, 0.6 * j(), 0.58 * j())  # ankle
        c.blob(s * 7.6, 160.8, 2.1, 1.5, 0.6 * j(), 0.55 * j())  # tarsus
        for f in (-1.0, 0.0, 1.0):
            c.line([(s * (7.4 + f * 0.8), 162.0), (s * (7.8 + f * 1.2), 165.5)], 0.35, 0.3, 0.25)


def draw_skeleton(c: Canvas, j: Jitter, chest: float) -> None:
    """Every bone of the normal skeleton; ``j()`` gives each structure its own gain."""
    draw_skull_and_spine(c, j)
    draw_thorax(c, j, chest)
    draw_limbs_and_pelvis(c, j)


def draw_urinary(
    c: Canvas, kidney: float, bladder: float, drop_right: float, bladder_size: tuple[float, float]
) -> None:
    """Kidneys (seen best from behind; the right one a little lower) and the bladder."""
    for s in SIDES:
        z = 58.5 + (drop_right if s < 0 else 0.0)
        c.fill(s * 5.6, z, 2.6, 5.0, 0.5, 0.42 * kidney, kidney, angle_deg=s * 14)
    ru, rz = bladder_size
    c.fill(0.0, 81.0, ru, rz, 0.6, bladder, 0.8 * bladder)
