"""Synthetic whole-body Tc-99m MDP bone scans with their ground truth.

``generate_patient`` draws one patient (anterior and posterior views, 256 x 1024,
uint16 stretched so the brightest pixel is 65535, like the IICS-UNA images) from a
seed alone: a ``numpy.random.Generator``, never the global RNG. Metastatic patients
carry 2-8 focal asymmetric hot spots in the axial skeleton or a superscan; normal
patients may carry benign look-alikes (symmetric degenerative joints, a line of rib
fractures, an injection site). Every hot spot is listed as a ``Lesion`` per view.

Side convention: ``Lesion.side`` is the PATIENT's side. In the anterior view the
patient's left is on the image's right; in the posterior view (seen from behind) it
is on the image's left.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from bonescan_tutor.core.cases import ClinicalInfo, Projection
from bonescan_tutor.datasets import anatomy
from bonescan_tutor.datasets.phantom_canvas import HEIGHT, PX_PER_CM, WIDTH, Canvas, Pose

KINDS = ("metastasis", "fracture", "injection", "degenerative")


@dataclass(frozen=True)
class Lesion:
    """A hot spot as it appears in one view: pixel centre (x from the left, y from the top).

    ``radius`` (pixels) is twice the larger width (sigma) of the spot as drawn, collimator
    blur included: the circle holding about 86 % of the spot's counts.
    """

    projection: Projection
    x: float
    y: float
    side: str  # "left" or "right": the PATIENT's side
    region: str
    kind: str  # one of KINDS
    radius: float = 0.0


@dataclass(frozen=True, eq=False)
class PhantomPatient:
    """One synthetic patient: both views, the hot spots drawn, the clinical details."""

    number: int
    metastatic: bool
    anterior: NDArray[np.uint16]
    posterior: NDArray[np.uint16]
    lesions: tuple[Lesion, ...]
    clinical: ClinicalInfo
    superscan: bool = False
    pose: Pose = field(default_factory=lambda: Pose(127.5, 511.5, PX_PER_CM, PX_PER_CM))

    def image(self, projection: Projection) -> NDArray[np.uint16]:
        return self.anterior if projection is Projection.ANTERIOR else self.posterior

    def mirror(self, projection: Projection, x: float, y: float) -> tuple[float, float]:
        """The contralateral point of pixel (x, y) across this patient's (tilted) midline."""
        if projection is Projection.ANTERIOR:
            return self.pose.mirror_anterior(x, y)
        mx, my = self.pose.mirror_anterior(WIDTH - 1 - x, y)
        return WIDTH - 1 - mx, my


@dataclass(frozen=True)
class _Spot:
    """A hot spot in patient centimetres, before it is seen in either view."""

    u: float
    z: float
    sigma: float
    amp: float
    depth_a: float
    depth_p: float
    region: str
    kind: str


# Where metastases go (axial skeleton and proximal long bones) and how often.
_SITES = ("spine", "ribs", "pelvis", "skull", "proximal femur", "proximal humerus", "scapula")
_SITE_WEIGHTS = np.array([0.34, 0.26, 0.16, 0.07, 0.08, 0.05, 0.04])


def _metastasis(rng: np.random.Generator, s: int, chest: float) -> _Spot:
    site = _SITES[int(rng.choice(len(_SITES), p=_SITE_WEIGHTS))]
    sigma = float(rng.uniform(0.7, 1.2))
    amp = float(rng.uniform(1.0, 2.2))
    if site == "spine":
        levels = [("thoracic spine", z) for z, _ in anatomy.THORACIC[2:]]
        levels += [("lumbar spine", z) for z, _ in anatomy.LUMBAR]
        region, z = levels[int(rng.integers(len(levels)))]
        # pedicle: the lesion sits off the midline, as spine metastases often do
        return _Spot(s * 1.7, z, min(sigma, 0.85), amp, 0.5, 1.0, region, "metastasis")
    if site == "ribs":
        k = int(rng.integers(2, 11))
        pts, _, _ = anatomy.rib_path(k, s, chest)
        if rng.random() < 0.6:
            u, z = anatomy.point_on_path(pts[:5], float(rng.uniform(0.35, 0.9)))
            return _Spot(u, z, min(sigma, 0.9), amp, 0.5, 1.0, "ribs", "metastasis")
        u, z = anatomy.point_on_path(pts[4:], float(rng.uniform(0.1, 0.6)))
        return _Spot(u, z, min(sigma, 0.9), amp, 1.0, 0.65, "ribs", "metastasis")
    if site == "pelvis":
        u, z = s * rng.uniform(7.0, 12.0), rng.uniform(68.5, 74.0)
        return _Spot(float(u), float(z), sigma, amp, 0.9, 1.0, "pelvis", "metastasis")
    if site == "skull":
        u, z = s * rng.uniform(2.5, 5.5), rng.uniform(2.5, 9.0)
        return _Spot(float(u), float(z), sigma, amp, 0.9, 0.9, "skull", "metastasis")
    if site == "proximal femur":
        return _Spot(s * 12.0, float(rng.uniform(82.0, 92.0)), sigma, amp, 0.9, 0.9,
                     site, "metastasis")
    if site == "proximal humerus":
        return _Spot(s * 17.6, float(rng.uniform(33.0, 42.0)), sigma, amp, 0.9, 0.9,
                     site, "metastasis")
    u, z = s * rng.uniform(9.5, 13.0), rng.uniform(35.0, 44.0)
    return _Spot(float(u), float(z), sigma, amp, 0.5, 1.0, "scapula", "metastasis")


def _metastases(rng: np.random.Generator, chest: float, count: int) -> list[_Spot]:
    """``count`` lesions, none near another one or near another's mirror position."""
    spots: list[_Spot] = []
    for _ in range(200):
        if len(spots) == count:
            break
        cand = _metastasis(rng, 1 if rng.random() < 0.5 else -1, chest)
        if all(math.hypot(cand.u - o.u, cand.z - o.z) > 5.0
               and math.hypot(-cand.u - o.u, cand.z - o.z) > 5.0 for o in spots):
            spots.append(cand)
    return spots


def _look_alikes(rng: np.random.Generator, chest: float, rate: float) -> list[_Spot]:
    """Benign hot spots a trainee must learn not to call metastases."""
    spots: list[_Spot] = []
    if rng.random() < 0.3 * rate:  # degenerative joints: both sides, nearly equal
        knees = rng.random() < 0.6
        base = float(rng.uniform(0.45, 0.8))
        for s in anatomy.SIDES:
            amp = base * float(rng.uniform(0.9, 1.1))
            if knees:
                spots.append(_Spot(s * 7.5, 118.0, 1.3, amp, 1.0, 0.85, "knees", "degenerative"))
            else:
                spots.append(_Spot(s * 16.3, 30.8, 1.1, amp, 1.0, 0.9, "shoulders", "degenerative"))
    if rng.random() < 0.25 * rate:  # a line of healing rib fractures on one side
        s = 1 if rng.random() < 0.5 else -1
        first = int(rng.integers(4, 8))
        ribs = range(first, first + int(rng.integers(3, 5)))
        reach = 0.8 * chest * min(anatomy.RIB_WIDTH[k - 1] for k in ribs)
        for k in ribs:
            pts, _, _ = anatomy.rib_path(k, s, chest)
            u, z = _where_rib_reaches(pts[:5], reach)
            spots.append(_Spot(u, z, 0.55, float(rng.uniform(1.0, 1.5)), 0.6, 1.0, "ribs",
                               "fracture"))
    if rng.random() < 0.3 * rate:  # tracer left at the injection site, one arm
        s = 1 if rng.random() < 0.5 else -1
        if rng.random() < 0.6:
            spots.append(_Spot(s * 18.9, 60.6, 0.45, float(rng.uniform(2.0, 3.5)), 1.0, 0.12,
                               "antecubital fossa", "injection"))
        else:
            spots.append(_Spot(s * 19.9, 84.6, 0.45, float(rng.uniform(2.0, 3.5)), 1.0, 0.12,
                               "wrist", "injection"))
    return spots


def _where_rib_reaches(pts: list[tuple[float, float]], reach: float) -> tuple[float, float]:
    for a, b in pairwise(pts):
        if abs(a[0]) <= reach <= abs(b[0]):
            f = (reach - abs(a[0])) / (abs(b[0]) - abs(a[0]))
            return a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])
    return pts[-1]


def _clinical(rng: np.random.Generator, metastatic: bool) -> ClinicalInfo:
    age = int(np.clip(round(rng.normal(57.0 if metastatic else 54.0, 11.0)), 30, 85))
    height = int(np.clip(round(rng.normal(157.0, 6.5)), 142, 180))
    bmi = float(np.clip(rng.normal(28.0, 5.0), 18.5, 42.0))
    weight = round(bmi * (height / 100.0) ** 2)
    date = dt.date(2020, 1, 2) + dt.timedelta(days=int(rng.integers(0, 1820)))
    return ClinicalInfo(age=age, sex="Female", weight_kg=weight, height_cm=height,
                        acquisition_date=date)


def _pose(rng: np.random.Generator, height_cm: float, bmi: float) -> Pose:
    sy = PX_PER_CM * height_cm / 165.0
    sx = sy * float(rng.uniform(0.96, 1.04)) * (1.0 + 0.008 * (bmi - 27.0))
    tilt = float(rng.uniform(-3.0, 3.0))
    cx = 127.5 + float(np.clip(rng.normal(0.0, 3.0), -6.0, 6.0))
    # keep the hands inside the 256-pixel field
    sx = min(sx, (118.0 - abs(cx - 127.5) - 50.0 * sy * abs(math.sin(math.radians(tilt)))) / 22.0)
    top = float(rng.uniform(12.0, max(13.0, HEIGHT - 168.0 * sy - 12.0)))
    side = rng.normal(0.0, [0.015, 0.015, 0.35, 0.35]).clip([-0.03, -0.03, -0.7, -0.7],
                                                            [0.03, 0.03, 0.7, 0.7])
    return Pose(cx=cx, cy=top + 80.0 * sy, sx=sx, sy=sy, tilt_deg=tilt,
                k_left=float(side[0]), k_right=float(side[1]),
                dz_left=float(side[2]), dz_right=float(side[3]))


def _soft_tissue(c: Canvas, fat: float) -> None:
    """The body outline, drawn at half resolution: it is smooth, and this is its slow part."""
    half = Canvas(c.pose.halved(), c.blur_px / 2, (HEIGHT // 2, WIDTH // 2))
    anatomy.draw_soft_tissue(half, fat)
    c.soft = np.repeat(np.repeat(half.soft, 2, axis=0), 2, axis=1)


def _stretch(counts: NDArray[np.float64]) -> NDArray[np.uint16]:
    """Rescale so the brightest pixel is 65535, as the IICS-UNA images are."""
    top = float(counts.max())
    scaled = counts * (65535.0 / top) if top > 0 else counts
    return np.rint(scaled).astype(np.uint16)


def _expose(
    c: Canvas, rng: np.random.Generator | None, soft: float, counts: float
) -> tuple[NDArray[np.uint16], NDArray[np.uint16]]:
    """Poisson counting noise on the (already blurred) activity; none when ``rng`` is None.

    Pixels far outside the body (expected count below 0.01) stay zero, which also
    keeps the noise draw to the body's pixels.
    """
    views = []
    for layer, flip in ((c.ant, False), (c.post, True)):
        lam = (layer + soft * c.soft) * counts
        if rng is None:
            data = lam.astype(np.float64)
        else:
            data = np.zeros(lam.shape, dtype=np.float64)
            inside = lam >= 0.01
            data[inside] = rng.poisson(lam[inside])
        views.append(_stretch(data[:, ::-1] if flip else data))
    return views[0], views[1]


def _record(pose: Pose, spots: list[_Spot], sz: list[float], blur_px: float
            ) -> tuple[Lesion, ...]:
    """Each spot as it shows in each view where it is bright enough to see; ``sz`` holds
    the vertical width each spot was drawn with."""
    out: list[Lesion] = []
    for sp, height in zip(spots, sz, strict=True):
        (x,), (y,) = pose.to_image([sp.u], [sp.z])
        side = "left" if sp.u > 0 else "right"
        radius = 2.0 * max(math.hypot(pose.sx * sp.sigma, blur_px),
                           math.hypot(pose.sy * height, blur_px))
        if sp.depth_a >= 0.45:
            out.append(Lesion(Projection.ANTERIOR, float(x), float(y), side, sp.region, sp.kind,
                              radius))
        if sp.depth_p >= 0.45:
            out.append(Lesion(Projection.POSTERIOR, float(WIDTH - 1 - x), float(y), side,
                              sp.region, sp.kind, radius))
    return tuple(out)


def generate_patient(
    number: int, metastatic: bool, seed: int, *, superscan: bool = False
) -> PhantomPatient:
    """One synthetic patient, fully determined by (number, metastatic, seed, superscan).

    A superscan (diffuse skeletal uptake, faint kidneys and bladder) is always
    metastatic and still carries a few focal lesions on top.
    """
    if seed < 0 or number < 0:
        raise ValueError("seed and number must be non-negative")
    metastatic = metastatic or superscan
    rng = np.random.default_rng([seed, number, int(metastatic), int(superscan)])
    clinical = _clinical(rng, metastatic)
    assert clinical.height_cm is not None and clinical.weight_kg is not None
    bmi = clinical.weight_kg / (clinical.height_cm / 100.0) ** 2
    pose = _pose(rng, clinical.height_cm, bmi)
    chest = float(rng.uniform(0.93, 1.05)) * (1.0 + 0.006 * (bmi - 27.0))
    gain = float(rng.uniform(2.0, 2.5)) if superscan else 1.0

    c = Canvas(pose, blur_px=float(rng.uniform(1.1, 1.5)))
    _soft_tissue(c, fat=float(np.clip(0.85 + 0.02 * (bmi - 22.0), 0.85, 1.25)))
    anatomy.draw_skeleton(c, lambda: gain * float(rng.normal(1.0, 0.05)), chest)
    kidney = float(rng.uniform(0.55, 0.85)) * (0.06 if superscan else 1.0)
    bladder = float(rng.uniform(0.6, 1.0) if superscan else rng.uniform(4.0, 7.5))
    anatomy.draw_urinary(c, kidney, bladder, float(rng.uniform(0.5, 1.8)),
                         (float(rng.uniform(3.0, 4.8)), float(rng.uniform(2.6, 3.8))))
    spots: list[_Spot] = []
    if metastatic:
        count = int(rng.integers(3, 6)) if superscan else int(rng.integers(2, 9))
        spots += _metastases(rng, chest, count)
    # none on a superscan: they would drown in its diffuse uptake yet stay in the truth
    spots += _look_alikes(rng, chest, 0.0 if superscan else (0.5 if metastatic else 1.0))
    heights: list[float] = []
    for sp in spots:
        amp = sp.amp * (gain if sp.kind == "metastasis" else 1.0)
        heights.append(sp.sigma * float(rng.uniform(0.9, 1.3)))
        c.blob(sp.u, sp.z, sp.sigma, heights[-1], amp * sp.depth_a, amp * sp.depth_p)
    soft = float(rng.uniform(0.12, 0.18)) * (0.5 if superscan else 1.0) * (bmi / 27.0) ** 0.5
    anterior, posterior = _expose(c, rng, soft, float(rng.uniform(28.0, 50.0)))
    return PhantomPatient(number, metastatic, anterior, posterior,
                          _record(pose, spots, heights, c.blur_px), clinical, superscan, pose)


def symmetric_phantom(
    seed: int = 0,
    tilt_deg: float = 0.0,
    spot: tuple[float, float] | None = None,
    *,
    spot_gain: float = 1.5,
    noise: bool = True,
) -> NDArray[np.uint16]:
    """A left-right symmetric anterior whole-body view, for symmetry tools' tests.

    The body midline passes through the image centre (x 127.5, y 511.5), turned by
    ``tilt_deg`` (positive turns the head towards the image's right). No side
    variation, kidneys level, no look-alikes. ``spot=(x, y)`` plants one focal hot
    spot (Gaussian, sigma ~1 cm ~ 4.8 px) of ``spot_gain`` times a lumbar vertebra's
    uptake at that pixel. With ``noise=False`` and no tilt, the image equals its
    left-right mirror to within rounding; ``seed`` only drives the Poisson noise.
    """
    pose = Pose(cx=127.5, cy=511.5, sx=PX_PER_CM, sy=PX_PER_CM * 0.98, tilt_deg=tilt_deg)
    c = Canvas(pose, blur_px=1.3)
    _soft_tissue(c, fat=1.0)
    anatomy.draw_skeleton(c, lambda: 1.0, 1.0)
    anatomy.draw_urinary(c, 0.55, 5.0, 0.0, (4.0, 3.2))
    if spot is not None:
        gy, gx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
        sigma = math.hypot(PX_PER_CM, 1.3)
        c.ant += spot_gain * np.exp(-((gx - spot[0]) ** 2 + (gy - spot[1]) ** 2) / (2 * sigma**2))
    rng = np.random.default_rng([seed, 7]) if noise else None
    anterior, _ = _expose(c, rng, 0.14, 40.0)
    return anterior
