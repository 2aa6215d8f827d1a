from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.windowing import (
    COLORMAPS,
    DEFAULT_COLORMAP,
    MIN_WIDTH_FRACTION,
    PRESETS,
    Window,
    apply_window,
    apply_window_reference,
    auto_window,
    colormap,
    drag,
    from_level_width,
    full_range,
    percent_of_max,
    preset_for_key,
    preset_names,
    preset_window,
    skeleton_auto,
    window_lut,
)
from tests.core.phantom import phantom

windows = st.builds(
    lambda lo, width, gamma, invert: Window(lo, lo + width, gamma, invert),
    st.floats(-1000, 60000),
    st.floats(0.5, 70000),
    st.sampled_from([1.0, 0.5, 0.7, 1.3, 2.2]) | st.floats(0.1, 5.0),
    st.booleans(),
)


@pytest.fixture(scope="module")
def scan() -> np.ndarray:
    return phantom(seed=3)


# --- the window model ---------------------------------------------------------------


def test_low_not_below_high_raises_with_a_clear_message() -> None:
    with pytest.raises(UsageError, match=r"low \(10\) must be below high \(10\)"):
        Window(10, 10)
    with pytest.raises(UsageError, match="below high"):
        Window(20, 10)


@pytest.mark.parametrize("gamma", [0.0, -1.0, math.nan, math.inf])
def test_gamma_must_be_positive_and_finite(gamma: float) -> None:
    with pytest.raises(UsageError, match="gamma"):
        Window(0, 1, gamma=gamma)


def test_non_finite_bounds_are_refused() -> None:
    with pytest.raises(UsageError, match="finite"):
        Window(0, math.inf)


def test_width_level_and_inverted() -> None:
    w = Window(100, 300, gamma=0.8)
    assert (w.width, w.level) == (200, 200)
    assert w.inverted() == Window(100, 300, 0.8, True)
    assert w.inverted().inverted() == w


# --- ways to set it -----------------------------------------------------------------


def test_full_range_and_percent_of_max() -> None:
    img = np.array([[0, 50], [100, 1000]], dtype=np.uint16)
    assert full_range(img) == Window(0, 1000)
    assert percent_of_max(img, 0, 20) == Window(0, 200)
    assert percent_of_max(img, 10, 75) == Window(100, 750)
    with pytest.raises(UsageError, match="percent"):
        percent_of_max(img, 50, 20)


@pytest.mark.parametrize(
    "img",
    [
        np.zeros((8, 8), np.uint16),
        np.full((8, 8), 65535, np.uint16),
        np.full((4, 4), -3.0),
        np.full((3, 3), np.nan),
        np.zeros((0, 0)),
    ],
)
def test_flat_or_empty_images_still_get_a_valid_window(img: np.ndarray) -> None:
    for fn in (full_range, auto_window, lambda i: percent_of_max(i, 0, 50)):
        w = fn(img)
        assert w.low < w.high
    for name in preset_names():
        assert preset_window(name, img).low < preset_window(name, img).high


def test_presets_are_ordered_and_numbered_for_the_number_keys() -> None:
    assert preset_names() == ("full", "bone-75", "bone-50", "bone-35", "bone-20", "skeleton-auto")
    assert [p.key for p in PRESETS.values()] == [1, 2, 3, 4, 5, 6]
    assert preset_for_key(5).name == "bone-20"
    with pytest.raises(UsageError, match="1=full"):
        preset_for_key(9)


def test_percent_presets_follow_the_image_maximum(scan: np.ndarray) -> None:
    top = float(scan.max())
    assert preset_window("full", scan) == Window(0, top)
    assert preset_window("bone-20", scan).high == pytest.approx(0.2 * top)
    assert preset_window("bone-50", scan).high == pytest.approx(0.5 * top)


def test_unknown_preset_lists_the_valid_names(scan: np.ndarray) -> None:
    with pytest.raises(UsageError) as info:
        preset_window("lung", scan)
    message = str(info.value)
    assert "'lung'" in message
    for name in preset_names():
        assert name in message


def test_skeleton_auto_saturates_the_bladder_and_spans_the_skeleton(scan: np.ndarray) -> None:
    w = skeleton_auto(scan)
    assert auto_window(scan) == w == preset_window("skeleton-auto", scan)
    bladder = float(scan[590:610, 120:136].mean())
    spine = float(np.median(scan[200:450, 125:131]))
    background = float(np.median(scan[:, :5]))
    assert w.high < 0.5 * bladder  # the bladder saturates
    assert w.low <= spine < w.high  # the spine sits inside the grey scale
    assert w.low <= background + 1e-6
    # The bone-20 preset would be set by the bladder instead.
    assert w.high < float(scan.max())


# --- drag arithmetic ----------------------------------------------------------------


def test_horizontal_drag_changes_width_vertical_changes_level() -> None:
    w = Window(1000, 3000, gamma=0.7, invert=True)
    rng = (0.0, 10000.0)
    wider = drag(w, 50, 0, rng, sensitivity=0.001)
    assert wider.width == pytest.approx(2500) and wider.level == pytest.approx(w.level)
    narrower = drag(w, -50, 0, rng, sensitivity=0.001)
    assert narrower.width == pytest.approx(1500)
    higher = drag(w, 0, 30, rng, sensitivity=0.001)
    assert higher.level == pytest.approx(2300) and higher.width == pytest.approx(2000)
    assert (higher.gamma, higher.invert) == (0.7, True)


def test_drag_is_clamped_to_the_image_range_and_a_minimum_width() -> None:
    w = Window(1000, 3000)
    rng = (0.0, 10000.0)
    tiny = drag(w, -1e6, 0, rng)
    assert tiny.width == pytest.approx(MIN_WIDTH_FRACTION * 10000)
    huge = drag(w, 1e6, 0, rng)
    assert (huge.low, huge.high) == (0.0, 10000.0)
    top = drag(w, 0, 1e6, rng)
    assert top.high == 10000.0 and top.width == pytest.approx(2000)
    bottom = drag(w, 0, -1e6, rng)
    assert bottom.low == 0.0 and bottom.width == pytest.approx(2000)


def test_from_level_width() -> None:
    assert from_level_width(500, 200, 0, 1000) == Window(400, 600)
    assert from_level_width(10, 200, 0, 1000) == Window(0, 200)
    assert from_level_width(500, 0, 0, 1000).width == pytest.approx(MIN_WIDTH_FRACTION * 1000)
    assert from_level_width(5, 1, 5, 5).low < from_level_width(5, 1, 5, 5).high


# --- colour maps and display values -------------------------------------------------


def test_colormaps_are_256_by_3_uint8_tables_and_read_only() -> None:
    assert DEFAULT_COLORMAP == "inverted gray"
    assert {"gray", "inverted gray", "hot iron", "viridis"} <= set(COLORMAPS)
    for table in COLORMAPS.values():
        assert table.shape == (256, 3) and table.dtype == np.uint8
        assert not table.flags.writeable
    assert tuple(colormap("inverted gray")[0]) == (255, 255, 255)
    assert tuple(colormap("hot iron")[0]) == (0, 0, 0)
    assert tuple(colormap("hot iron")[-1]) == (255, 255, 255)
    # viridis runs from dark purple to yellow (matplotlib's endpoints).
    assert tuple(colormap("viridis")[0]) == (68, 1, 84)
    assert tuple(colormap("viridis")[-1]) == (253, 231, 37)


def test_unknown_colormap_lists_the_valid_names() -> None:
    with pytest.raises(UsageError) as info:
        colormap("rainbow")
    for name in COLORMAPS:
        assert repr(name) in str(info.value)


def test_reference_values() -> None:
    w = Window(100, 200)
    img = np.array([[0, 100, 150, 200, 60000]], dtype=np.float64)
    assert apply_window_reference(img, w).tolist() == [[0, 0, 128, 255, 255]]
    assert apply_window_reference(img, w.inverted()).tolist() == [[255, 255, 128, 0, 0]]
    g = apply_window_reference(img, Window(100, 200, gamma=2.0))
    assert g.tolist() == [[0, 0, 64, 255, 255]]


def test_nan_and_inf_map_to_the_window_ends() -> None:
    w = Window(0, 10)
    img = np.array([[np.nan, np.inf, -np.inf, 5.0]])
    assert apply_window(img, w).tolist() == [[0, 255, 0, 128]]


@settings(max_examples=60, deadline=None)
@given(window=windows, seed=st.integers(0, 2**32 - 1))
def test_lut_fast_path_equals_the_float_reference(window: Window, seed: int) -> None:
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 65536, size=(37, 23), dtype=np.uint16)
    img[0, :4] = [0, 65535, int(window.low) % 65536, int(window.high) % 65536]
    fast = apply_window(img, window)
    assert fast.dtype == np.uint8
    np.testing.assert_array_equal(fast, apply_window_reference(img, window))
    np.testing.assert_array_equal(window_lut(window)[img], fast)


def test_lut_fast_path_on_a_whole_scan_with_many_windows(scan: np.ndarray) -> None:
    top = float(scan.max())
    for frac in (0.1, 0.2, 0.35, 0.5, 1.0):
        for gamma in (0.5, 1.0, 1.7):
            for invert in (False, True):
                w = Window(0.02 * top, frac * top, gamma, invert)
                np.testing.assert_array_equal(
                    apply_window(scan, w), apply_window_reference(scan, w)
                )


def test_uint8_and_float_inputs() -> None:
    w = Window(10, 200, 0.8)
    img8 = np.arange(256, dtype=np.uint8).reshape(16, 16)
    np.testing.assert_array_equal(apply_window(img8, w), apply_window_reference(img8, w))
    imgf = img8.astype(np.float32) / 3.0
    np.testing.assert_array_equal(apply_window(imgf, w), apply_window_reference(imgf, w))


def test_window_lut_is_cached_read_only_and_sized() -> None:
    w = Window(5, 50)
    lut = window_lut(w)
    assert lut.shape == (65536,) and lut.dtype == np.uint8
    assert window_lut(Window(5.0, 50.0)) is lut
    assert not lut.flags.writeable
    assert window_lut(w, dtype_max=255).shape == (256,)
    with pytest.raises(UsageError):
        window_lut(w, dtype_max=70000)


@pytest.mark.parametrize("name", list(COLORMAPS))
def test_colour_output_goes_through_the_map(scan: np.ndarray, name: str) -> None:
    w = auto_window(scan)
    rgb = apply_window(scan, w, name)
    assert rgb.shape == (*scan.shape, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb, colormap(name)[apply_window(scan, w)])
    as_float = apply_window(scan.astype(np.float64), w, name)
    np.testing.assert_array_equal(as_float, rgb)


def test_non_2d_input_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="2-D"):
        apply_window(np.zeros((4, 4, 3), np.uint16), Window(0, 1))


@settings(max_examples=80, deadline=None)
@given(
    window=windows,
    values=st.lists(st.floats(-5000, 70000, allow_nan=False), min_size=2, max_size=60),
)
def test_windowing_is_monotone(window: Window, values: list[float]) -> None:
    x = np.sort(np.array(values))[None, :]
    out = apply_window(x, window).astype(int)[0]
    steps = np.diff(out)
    if window.invert:
        assert (steps <= 0).all()
    else:
        assert (steps >= 0).all()
    as_int = np.clip(np.sort(np.array(values)), 0, 65535).astype(np.uint16)[None, :]
    steps16 = np.diff(apply_window(as_int, window).astype(int)[0])
    assert (steps16 <= 0).all() if window.invert else (steps16 >= 0).all()


def test_auto_window_docstring_names_the_viewers_real_default() -> None:
    from bonescan_tutor.core.windowing import auto_window
    from bonescan_tutor.gui.viewer.model import ViewerState

    default = ViewerState().preset
    assert default == "bone-35" and default in PRESETS
    doc = auto_window.__doc__ or ""
    assert f'"{default}"' in doc and "not the viewer's default" in doc
