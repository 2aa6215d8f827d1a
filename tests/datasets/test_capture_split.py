"""Splitting a capture on drawn shapes whose boxes are known to the pixel: an arm held apart
joins its view, a spot view is dropped, padding never reaches into the other view."""

from __future__ import annotations

import numpy as np
import pytest

from bonescan_tutor.core.errors import ImageError
from bonescan_tutor.datasets import captures
from bonescan_tutor.datasets.captures import CaptureSplit


def _body(a: np.ndarray, x: int) -> None:
    """A figure that does not fill its box (so not a panel): trunk and wider shoulders."""
    a[100:900, x:x + 40] = 200
    a[40:100, x - 20:x + 60] = 150


def _capture(gap: int = 200, arm: bool = True, spot: bool = True) -> np.ndarray:
    a = np.zeros((1024, 640), np.uint8)
    _body(a, 60)
    _body(a, 100 + gap)
    if arm:  # an L-shaped arm held apart, right of the left figure, level with it
        a[300:600, 124:132] = 120
        a[592:600, 124:172] = 120
    if spot:  # a square spot view beyond the right figure
        a[100:160, 560:620] = 90
    return a


def test_an_arm_beside_a_view_joins_it_and_a_spot_view_is_dropped() -> None:
    split = captures.split_capture(_capture())
    assert split == CaptureSplit((24, 24, 188, 916), (264, 24, 376, 916), ((560, 100, 620, 160),))


def test_posterior_on_the_left_swaps_the_boxes_in_any_case_of_letters() -> None:
    ap = captures.split_capture(_capture(), "AP")
    assert captures.split_capture(_capture(), "pa") == CaptureSplit(ap.posterior, ap.anterior,
                                                                     ap.dropped)


def test_a_shape_apart_from_both_views_is_dropped_not_joined() -> None:
    a = _capture(arm=False, spot=False)
    a[300:600, 160:168] = 120  # too far right of the left figure to be its arm
    a[592:600, 160:200] = 120
    split = captures.split_capture(a)
    assert split.dropped == ((160, 300, 200, 600),)
    assert split.anterior == (24, 24, 136, 916)


def test_views_close_together_are_cut_midway_not_padded_into_each_other() -> None:
    split = captures.split_capture(_capture(gap=60, arm=False, spot=False))
    assert split == CaptureSplit((24, 24, 130, 916), (130, 24, 236, 916), ())


@pytest.mark.parametrize("image", [
    np.zeros((1024, 640)),  # blank
    np.arange(28 * 640).reshape(28, 640),  # fewer than 8 blocks tall
    np.arange(1024 * 12).reshape(1024, 12),  # fewer than 4 blocks wide
], ids=["blank", "short", "narrow"])
def test_a_blank_or_tiny_image_is_refused_by_name(image: np.ndarray) -> None:
    with pytest.raises(ImageError) as info:
        captures.split_capture(image, name="x.png")
    assert str(info.value) == ("x.png: the image is too small or blank to hold two whole-body "
                               "views.")


def test_one_tall_column_is_refused_with_the_fix() -> None:
    a = np.zeros((1024, 640), np.uint8)
    _body(a, 60)
    with pytest.raises(ImageError) as info:
        captures.split_capture(a, name="x.png")
    assert str(info.value) == (
        "x.png: two whole-body views side by side were not found (found 1 tall body "
        "column(s)). Give the manifest row 'anterior box' and 'posterior box' columns "
        "(x0,y0,x1,y1 in pixels), or separate anterior and posterior files.")
