from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bonescan_tutor.core.body import gaussian_filter
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.symmetry import (
    BANDS,
    Midline,
    analyze_view,
    asymmetry_map,
    fit_midline,
    hotspots,
    mirror,
    mirror_posterior,
    regional_indices,
)
from tests.core.phantom import phantom, phantom_rate

CENTRE = 127.5  # the phantom's axis on a 256-wide view
A, P = Projection.ANTERIOR, Projection.POSTERIOR


@pytest.fixture(scope="module")
def symmetric() -> np.ndarray:
    return phantom(seed=11)


def _line(centre_x: float, angle_deg: float, pivot_y: float) -> Midline:
    b = math.tan(math.radians(angle_deg))
    return Midline(centre_x - b * pivot_y, b, True, "known")


# --- a symmetric body ---------------------------------------------------------------


def test_symmetric_phantom_reads_symmetric(symmetric: np.ndarray) -> None:
    result = analyze_view(symmetric, A)
    m = result.midline
    assert m.confident, m.reason
    assert m.a == pytest.approx(CENTRE, abs=1.0)
    assert abs(m.angle_deg) < 0.3
    assert [r.name for r in result.regions] == [name for name, _, _ in BANDS]
    for region in result.regions:
        assert abs(region.index) < 0.05, region
        assert region.left_sum > 0 and region.right_sum > 0
    assert result.hotspots == ()
    assert result.asymmetry.shape == symmetric.shape
    assert float(np.abs(result.asymmetry).max()) < 0.3


def test_bands_follow_the_body_from_head_to_feet(symmetric: np.ndarray) -> None:
    regions = analyze_view(symmetric, A).regions
    assert regions[0].y0 == pytest.approx(15, abs=4)  # top of the head
    assert regions[-1].y1 == pytest.approx(1009, abs=4)  # the feet
    for before, after in itertools.pairwise(regions):
        assert after.y0 == before.y1 + 1


# --- one focal spot -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("projection", "u", "side"),
    [
        # Anterior: the patient's right is on the image's left (u < 0).
        (A, -40.0, "right"),
        (A, 40.0, "left"),
        # Posterior: the patient's right is on the image's right (u > 0).
        (P, 40.0, "right"),
        (P, -40.0, "left"),
    ],
)
def test_a_unilateral_spot_is_the_top_hotspot_on_the_right_side(
    projection: Projection, u: float, side: str
) -> None:
    img = phantom(seed=5, spot=(u, 400.0, 80.0))
    result = analyze_view(img, projection)
    top = result.hotspots[0]
    assert math.hypot(top.x - (CENTRE + u), top.y - 400) <= 3
    assert top.side == side
    assert top.region == "lumbar spine"
    assert top.asymmetry > 0.5
    band = next(r for r in result.regions if r.name == "lumbar spine")
    assert (band.index > 0) == (side == "left")
    assert abs(band.index) > 0.01


def test_the_same_relative_excess_reads_alike_in_faint_and_hot_places() -> None:
    """+50 % in thigh soft tissue and +50 % on a shoulder give similar values."""
    rate = phantom_rate()
    spots = [(-30.0, 640.0), (-50.0, 200.0)]
    yy, xx = np.mgrid[0:1024, 0:256]
    for u, v in spots:
        x, y = CENTRE + u, v
        disc = (xx - x) ** 2 + (yy - y) ** 2 <= 36
        rate[disc] *= 1.5
    result = analyze_view(np.clip(rate * 40, 0, 65535).astype(np.uint16), A)
    values = [result.asymmetry[int(v), int(CENTRE + u)] for u, v in spots]
    assert min(values) > 0.15
    assert max(values) / min(values) < 1.6


def test_public_functions_agree_with_the_one_pass_analysis() -> None:
    img = phantom(seed=6, spot=(-40.0, 400.0, 80.0))
    result = analyze_view(img, A)
    m = fit_midline(img)
    assert m == result.midline
    np.testing.assert_array_equal(asymmetry_map(img, m), result.asymmetry)
    assert tuple(regional_indices(img, m, A)) == result.regions
    assert tuple(hotspots(img, m, A)) == result.hotspots
    assert hotspots(img, m, A, max_spots=0) == []
    assert hotspots(img, m, A, threshold=10.0) == []


def test_asymmetry_is_zero_outside_the_body(symmetric: np.ndarray) -> None:
    asym = analyze_view(phantom(seed=7, spot=(-40.0, 400.0, 80.0)), A).asymmetry
    assert (asym[:, :10] == 0).all() and (asym[:5] == 0).all()
    assert np.isfinite(asym).all()


# --- a tilted patient ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("angle", "centre_x", "pivot_y"), [(5.0, 140.0, 512.0), (-5.0, 118.0, 450.0), (3.0, 127.5, 600)]
)
def test_a_tilted_off_centre_body_gives_its_angle_back(
    angle: float, centre_x: float, pivot_y: float
) -> None:
    img = phantom(seed=8, angle_deg=angle, centre_x=centre_x, pivot_y=pivot_y)
    m = fit_midline(img)
    assert m.confident, m.reason
    assert m.angle_deg == pytest.approx(angle, abs=1.0)
    assert float(m.x_at(pivot_y)) == pytest.approx(centre_x, abs=2.0)
    # Mirroring across the tilted line leaves the symmetric body without hotspots.
    assert analyze_view(img, A).hotspots == ()


@pytest.mark.parametrize("angle", [4.0, 8.0, -8.0])
@pytest.mark.parametrize("projection", [A, P])
def test_a_tilted_symmetric_patient_reads_symmetric_in_every_band(
    angle: float, projection: Projection
) -> None:
    """Bands run across the patient's axis and sides mirror across it, so a tilt (with
    an arm cut off by the frame's edge at 8 degrees) leaves the indices near 0."""
    img = phantom(seed=12, angle_deg=angle, centre_x=130.0, pivot_y=500.0)
    if projection is P:
        img = np.fliplr(img)  # the posterior view has the sides the other way round
    result = analyze_view(img, projection)
    assert result.midline.confident, result.midline.reason
    assert [r.name for r in result.regions] == [name for name, _, _ in BANDS]
    worst = max(result.regions, key=lambda r: abs(r.index))
    assert abs(worst.index) <= 0.02, worst


@pytest.mark.parametrize("angle", [0.0, 8.0])
def test_a_rib_lesion_moves_its_own_band_whatever_the_tilt(angle: float) -> None:
    """A hot spot on the patient's left ribs (image right, anterior view) raises the
    thorax index by the same amount upright and tilted; the other bands stay put."""
    before = analyze_view(phantom(seed=13, angle_deg=angle), A).regions
    after = analyze_view(phantom(seed=13, angle_deg=angle, spot=(40.0, 300.0, 150.0)), A).regions
    change = {r0.name: r1.index - r0.index for r0, r1 in zip(before, after, strict=True)}
    assert change["thorax"] > 0.015
    others = max(abs(v) for name, v in change.items() if name != "thorax")
    assert others < change["thorax"] / 5


def test_bands_cross_the_tilted_axis_and_stay_contiguous() -> None:
    img = phantom(seed=14, angle_deg=8.0, pivot_y=512.0)
    upright = analyze_view(phantom(seed=14), A).regions
    tilted = analyze_view(img, A).regions
    for before, after in itertools.pairwise(tilted):
        assert after.y0 == before.y1 + 1
    # Where the bands cross the midline, they sit as far from the top of the head
    # (measured along the axis) as the upright patient's bands do.
    head_top = tilted[0].y0
    for up, tilt in zip(upright, tilted, strict=True):
        along = (tilt.y0 - head_top) / math.cos(math.radians(8.0))
        assert along == pytest.approx(up.y0 - upright[0].y0, abs=6)


def test_angle_sign_convention() -> None:
    assert Midline(0, math.tan(math.radians(10)), True, "").angle_deg == pytest.approx(10)


# --- mirroring ----------------------------------------------------------------------


def test_mirror_about_a_vertical_line_is_a_column_flip(symmetric: np.ndarray) -> None:
    m = Midline(CENTRE, 0.0, True, "")
    np.testing.assert_array_equal(mirror(symmetric, m), np.fliplr(symmetric).astype(np.float32))
    shifted = mirror(symmetric, Midline(100.0, 0.0, True, ""))
    np.testing.assert_array_equal(shifted[:, 100], symmetric[:, 100].astype(np.float32))
    np.testing.assert_array_equal(shifted[:, 90], symmetric[:, 110].astype(np.float32))
    assert (shifted[:, 201:] == 0).all()  # reflected from outside the frame


@settings(max_examples=25, deadline=None)
@given(
    angle=st.floats(-6.0, 6.0),
    centre_x=st.floats(56.0, 72.0),
    pivot_y=st.floats(150.0, 350.0),
)
def test_mirroring_twice_is_the_identity_inside_the_body(
    angle: float, centre_x: float, pivot_y: float
) -> None:
    rate = phantom_rate(512, 128, angle_deg=angle, centre_x=centre_x, pivot_y=pivot_y)
    img = gaussian_filter(rate, 2.5)  # bilinear sampling twice blurs sharp edges a little
    line = _line(centre_x, angle, pivot_y)
    twice = mirror(mirror(img, line), line)
    # Inside the body, where every sample of both reflections stays in the frame.
    ones = np.ones_like(img)
    partner_inside = mirror(mirror(ones, line), line) > 0.999
    body = rate > 10  # soft tissue and bone, not the background
    err = np.abs(twice - img)[body & partner_inside]
    assert err.size > 1000
    assert float(err.max()) < 0.02 * float(img.max())
    assert float(err.mean()) < 0.002 * float(img.max())


def test_mirror_posterior_flips_columns() -> None:
    img = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(mirror_posterior(img), img[:, ::-1])


# --- swapping the halves ------------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(
    u=st.floats(-40.0, 40.0).filter(lambda v: abs(v) > 8),
    v=st.floats(60.0, 480.0),
    amp=st.floats(20.0, 150.0),
    seed=st.integers(0, 1000),
)
def test_swapping_the_halves_flips_every_regional_index(
    u: float, v: float, amp: float, seed: int
) -> None:
    img = phantom(height=512, width=128, spot=(u, 2 * v, amp), seed=seed)
    for projection in (A, P):
        before = analyze_view(img, projection)
        after = analyze_view(np.fliplr(img), projection)
        assert after.midline.a == pytest.approx(127 - before.midline.a, abs=1e-3)
        assert after.midline.b == pytest.approx(-before.midline.b, abs=1e-5)
        assert len(before.regions) == len(after.regions) == len(BANDS)
        for r0, r1 in zip(before.regions, after.regions, strict=True):
            assert r1.index == pytest.approx(-r0.index, abs=1e-4)
            assert r1.left_sum == pytest.approx(r0.right_sum, rel=1e-4)


# --- bad input ----------------------------------------------------------------------


def _noise() -> np.ndarray:
    return np.random.default_rng(1).poisson(50, (1024, 256)).astype(np.uint16)


@pytest.mark.parametrize(
    "img",
    [
        np.zeros((1024, 256), np.uint16),
        np.full((1024, 256), 65535, np.uint16),
        np.ones((5, 3), np.uint16),
        np.zeros((0, 0)),
        np.full((64, 32), np.nan),
        _noise(),
        np.random.default_rng(2).random((1024, 256)),
        np.random.default_rng(3).normal(0, 1, (512, 128)),
    ],
    ids=["zeros", "saturated", "tiny", "empty", "all-nan", "poisson-noise", "uniform", "normal"],
)
def test_bad_input_gives_no_confident_midline_and_no_hotspots(img: np.ndarray) -> None:
    for projection in (A, P):
        result = analyze_view(img, projection)
        assert not result.midline.confident
        assert result.midline.reason
        assert result.hotspots == ()
        assert result.asymmetry.shape == img.shape
        assert np.isfinite(result.asymmetry).all()
        json.dumps(result.as_dict())
    assert mirror(img, fit_midline(img)).shape == img.shape


@pytest.mark.parametrize(
    "convert",
    [
        lambda x: (x.astype(np.float64) * (255.0 / x.max())).astype(np.uint8),
        lambda x: x.astype(np.float32) * 1e-6,
        lambda x: x.astype(np.float64) * 1e12 - 5e12,
    ],
    ids=["8-bit", "tiny-float", "huge-offset-float"],
)
def test_any_numeric_range_gives_the_same_reading(
    convert: Callable[[np.ndarray], np.ndarray],
) -> None:
    img = phantom(seed=9, spot=(-40.0, 400.0, 80.0))
    reference = analyze_view(img, A)
    result = analyze_view(convert(img), A)
    assert result.midline.confident
    assert result.midline.a == pytest.approx(reference.midline.a, abs=1.0)
    assert result.hotspots[0].side == "right"
    assert math.hypot(result.hotspots[0].x - 87.5, result.hotspots[0].y - 400) <= 3
    assert np.isfinite(result.asymmetry).all()


def test_nan_pixels_do_not_spread() -> None:
    img = phantom(seed=10).astype(np.float64)
    img[100:110, 20:30] = np.nan
    img[500, 0] = np.inf
    result = analyze_view(img, P)
    assert result.midline.confident
    assert np.isfinite(result.asymmetry).all()
    assert all(math.isfinite(r.index) for r in result.regions)


def test_as_dict_is_json_ready() -> None:
    result = analyze_view(phantom(seed=12, spot=(-40.0, 400.0, 80.0)), A)
    data = json.loads(json.dumps(result.as_dict()))
    assert set(data) == {"midline", "regions", "hotspots"}
    assert {"a", "b", "angle_deg", "confident"} <= set(data["midline"])
    assert {"name", "y0", "y1", "left_sum", "right_sum", "index"} <= set(data["regions"][0])
    assert set(data["hotspots"][0]) == {"x", "y", "side", "region", "asymmetry"}
    assert data["hotspots"][0]["side"] == "right"
