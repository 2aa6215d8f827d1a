"""The viewer's fast paths equal the plain computations they replace."""

from __future__ import annotations

import numpy as np
import pytest

from bonescan_tutor.core import windowing
from bonescan_tutor.core.cases import Projection, View
from bonescan_tutor.core.symmetry import analyze_view
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui.viewer.analyses import AnalysisMemo
from bonescan_tutor.gui.viewer.controls import histogram
from bonescan_tutor.gui.viewer.presenter import packed_display, rgb_view
from tests.core.phantom import phantom


@pytest.mark.parametrize("top", [0, 1, 3, 99, 255, 2999, 65535])
def test_histogram_counts_as_numpy_does(top: int) -> None:
    rng = np.random.default_rng(top)
    dtype = np.uint8 if top <= 255 else np.uint16
    image = (rng.random((40, 30)) ** 2 * (top + 1)).astype(dtype)
    image[0, 0] = top
    counts, edges = histogram(image)
    expected, expected_edges = np.histogram(image, bins=100, range=(0, max(float(top), 1.0)))
    np.testing.assert_array_equal(counts, expected)
    np.testing.assert_array_equal(edges, expected_edges)


@pytest.mark.parametrize("cmap", ["gray", "hot iron"])
@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
def test_packed_pixels_show_what_apply_window_computes(cmap: str, dtype) -> None:
    image = phantom(seed=3).astype(dtype)
    window = windowing.Window(10.0, 0.4 * float(image.max()), gamma=0.8, invert=True)
    pixels = packed_display(image, window, cmap, float(image.max()))
    assert pixels.dtype == np.uint32 and pixels.shape == image.shape
    assert np.all(pixels >> 24 == 0xFF)  # opaque
    np.testing.assert_array_equal(rgb_view(pixels), windowing.apply_window(image, window, cmap))


def _sync(fn, done, failed) -> None:
    try:
        result = fn()
    except BaseException as exc:  # handed on, as run_in_background does
        failed(exc)
    else:
        done(result)


def test_analyses_are_remembered_and_prepared_ahead() -> None:
    images = {"a.png": phantom(seed=1, spot=(-40.0, 400.0, 80.0)), "b.png": phantom(seed=2)}
    cache = ImageCache(loader=lambda view: images[view.path].copy())
    runs: list[str] = []

    def run(fn, done, failed) -> None:
        runs.append("run")
        _sync(fn, done, failed)

    memo = AnalysisMemo(cache, run)
    a, b = View(Projection.ANTERIOR, "a.png"), View(Projection.POSTERIOR, "b.png")
    memo.prefetch([(Projection.ANTERIOR, a), (Projection.POSTERIOR, b)])
    assert len(memo) == 2 and len(runs) == 2
    got = []
    memo.analyze(Projection.ANTERIOR, cache.get(a), got.append)  # known: no new run
    assert len(runs) == 2 and len(got) == 1
    expected = analyze_view(images["a.png"], Projection.ANTERIOR)
    np.testing.assert_array_equal(got[0].asymmetry, expected.asymmetry)
    other = cache.get(a).copy()  # an equal array is another image: analysed afresh
    memo.analyze(Projection.ANTERIOR, other, got.append)
    assert len(runs) == 3 and len(got) == 2
    cache.close()
