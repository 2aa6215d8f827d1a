from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.overlays import HOTSPOT_MARK, OVERLAYS
from bonescan_tutor.core.windowing import Window, apply_window, auto_window
from bonescan_tutor.figures.scan_figure import (
    BACKGROUND,
    figure_layout,
    render_figure,
    save_png,
)
from tests.core.phantom import phantom

A, P = Projection.ANTERIOR, Projection.POSTERIOR


@pytest.fixture(scope="module")
def views() -> dict[Projection, np.ndarray]:
    return {
        A: phantom(height=512, width=128, seed=1, spot=(-40.0, 400.0, 80.0)),
        P: phantom(height=512, width=128, seed=2, spot=(40.0, 400.0, 80.0)),
    }


@pytest.fixture(scope="module")
def window(views: dict[Projection, np.ndarray]) -> Window:
    return auto_window(views[A])


def _crop(img: Image.Image, box: tuple[int, int, int, int]) -> np.ndarray:
    return np.asarray(img.crop(box))


def _inked(img: Image.Image, box: tuple[int, int, int, int]) -> bool:
    return bool((_crop(img, box) != np.array(BACKGROUND, dtype=np.uint8)).any())


@pytest.mark.parametrize("scale", [1, 2])
def test_figure_size_follows_the_views_and_the_scale(
    views: dict[Projection, np.ndarray], window: Window, scale: int
) -> None:
    img = render_figure(views, window, "inverted gray", set(), scale=scale)
    layout = figure_layout({p: v.shape for p, v in views.items()}, scale, colour_bar=False)
    assert img.size == layout.size
    # Two 128-wide views, three margins of 8; one 512-high view, strip 18, two margins.
    assert img.size == (scale * (2 * 128 + 3 * 8), scale * (512 + 18 + 2 * 8))
    assert img.mode == "RGB"


def test_both_views_are_present_anterior_left(
    views: dict[Projection, np.ndarray], window: Window
) -> None:
    img = render_figure(views, window, "gray", set())
    layout = figure_layout({p: v.shape for p, v in views.items()}, 1, colour_bar=False)
    a_box, p_box = layout.views[A], layout.views[P]
    assert a_box[0] < p_box[0]
    expected_a = np.repeat(np.asarray(img.crop(a_box))[..., :1], 3, axis=2)
    assert (np.asarray(img.crop(a_box)) == expected_a).all()  # gray: r == g == b
    # Each view box holds that view, windowed.
    np.testing.assert_array_equal(
        np.asarray(img.crop(a_box))[..., 0], apply_window(views[A], window)
    )
    np.testing.assert_array_equal(
        np.asarray(img.crop(p_box))[..., 0], apply_window(views[P], window)
    )


def test_one_view_alone(views: dict[Projection, np.ndarray], window: Window) -> None:
    img = render_figure({P: views[P]}, window, "gray", {"midline"})
    assert img.size == (128 + 2 * 8, 512 + 18 + 2 * 8)


def test_colour_bar_only_when_the_asymmetry_overlay_needs_it(
    views: dict[Projection, np.ndarray], window: Window
) -> None:
    shapes = {p: v.shape for p, v in views.items()}
    for overlays in (set(), {"midline"}, {"mirror", "hotspots"}):
        img = render_figure(views, window, "inverted gray", overlays)
        assert img.size == figure_layout(shapes, 1, colour_bar=False).size
    img = render_figure(views, window, "inverted gray", {"asymmetry"})
    layout = figure_layout(shapes, 1, colour_bar=True)
    assert img.size == layout.size
    assert layout.colour_bar is not None
    bar = _crop(img, layout.colour_bar).astype(int)
    assert (bar[:, 0, 2] > bar[:, 0, 0]).all()  # blue end on the left
    assert (bar[:, -1, 0] > bar[:, -1, 2]).all()  # red end on the right
    # The caption is written below the bar.
    under = (layout.colour_bar[0], layout.colour_bar[3], layout.colour_bar[2], img.size[1])
    assert _inked(img, under)


def test_side_letters_sit_on_the_correct_edges(
    views: dict[Projection, np.ndarray], window: Window
) -> None:
    shapes = {p: v.shape for p, v in views.items()}
    img = render_figure(views, window, "inverted gray", set())
    layout = figure_layout(shapes, 1, colour_bar=False)
    a_sides, p_sides = layout.side_boxes[A], layout.side_boxes[P]
    # Anterior: the patient's right on the image's left; posterior: the left.
    assert a_sides["R"][0] < a_sides["L"][0]
    assert p_sides["L"][0] < p_sides["R"][0]
    for box in (
        *a_sides.values(),
        *p_sides.values(),
        layout.letter_boxes[A],
        layout.letter_boxes[P],
    ):
        assert _inked(img, box)
    # The same letter looks the same wherever it is drawn; R and L differ; A and P differ.
    np.testing.assert_array_equal(_crop(img, a_sides["R"]), _crop(img, p_sides["R"]))
    np.testing.assert_array_equal(_crop(img, a_sides["L"]), _crop(img, p_sides["L"]))
    assert not np.array_equal(_crop(img, a_sides["R"]), _crop(img, a_sides["L"]))
    assert not np.array_equal(
        _crop(img, layout.letter_boxes[A]), _crop(img, layout.letter_boxes[P])
    )


def test_mirroring_the_posterior_swaps_its_side_letters_and_pixels(
    views: dict[Projection, np.ndarray], window: Window
) -> None:
    shapes = {p: v.shape for p, v in views.items()}
    img = render_figure(views, window, "gray", set(), mirror_posterior=True)
    layout = figure_layout(shapes, 1, colour_bar=False, posterior_mirrored=True)
    p_sides = layout.side_boxes[P]
    assert p_sides["R"][0] < p_sides["L"][0]
    plain = layout.side_boxes[A]
    np.testing.assert_array_equal(_crop(img, plain["R"]), _crop(img, p_sides["R"]))
    p_pixels = np.asarray(img.crop(layout.views[P]))[..., 0]
    np.testing.assert_array_equal(p_pixels, apply_window(views[P], window)[:, ::-1])


def test_no_labels_leaves_the_strip_empty(
    views: dict[Projection, np.ndarray], window: Window
) -> None:
    img = render_figure(views, window, "gray", set(), labels=False)
    layout = figure_layout({p: v.shape for p, v in views.items()}, 1, colour_bar=False)
    assert not _inked(img, layout.side_boxes[A]["R"])
    assert not _inked(img, layout.letter_boxes[P])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_changes_the_views(
    views: dict[Projection, np.ndarray], window: Window, overlay: str
) -> None:
    plain = np.asarray(render_figure(views, window, "inverted gray", set()))
    layout = figure_layout({p: v.shape for p, v in views.items()}, 1, colour_bar=False)
    shown = np.asarray(render_figure(views, window, "inverted gray", {overlay}))
    box = layout.views[A]
    region = (slice(box[1], box[3]), slice(box[0], box[2]))
    assert not np.array_equal(plain[region], shown[region])


def test_bad_requests_are_usage_errors(views: dict[Projection, np.ndarray], window: Window) -> None:
    with pytest.raises(UsageError, match="midline"):
        render_figure(views, window, "gray", {"grid"})
    with pytest.raises(UsageError, match="scale"):
        render_figure(views, window, "gray", set(), scale=0)
    with pytest.raises(UsageError, match="inverted gray"):
        render_figure(views, window, "jet", set())
    with pytest.raises(UsageError, match="at least one view"):
        render_figure({}, window, "gray", set())


def test_blank_views_render_without_overlays_failing(window: Window) -> None:
    blank = {A: np.zeros((64, 32), np.uint16), P: np.full((64, 32), 7, np.uint16)}
    img = render_figure(blank, Window(0, 10), "hot iron", set(OVERLAYS), scale=2)
    assert img.size[0] > 0


def test_save_png_is_atomic_and_round_trips(
    views: dict[Projection, np.ndarray], window: Window, tmp_path: Path
) -> None:
    img = render_figure(views, window, "viridis", {"asymmetry", "hotspots"})
    target = tmp_path / "case.png"
    assert save_png(img, target) == target
    save_png(img, target)  # overwriting is fine
    assert [p.name for p in tmp_path.iterdir()] == ["case.png"]
    with Image.open(target) as back:
        assert back.size == img.size
        np.testing.assert_array_equal(np.asarray(back.convert("RGB")), np.asarray(img))


def test_save_png_failure_leaves_no_temp_file(tmp_path: Path) -> None:
    img = Image.new("RGB", (4, 4))
    with pytest.raises(UsageError, match="folder"):
        save_png(img, tmp_path / "missing" / "x.png")
    target_dir = tmp_path / "out"
    target_dir.mkdir()
    (target_dir / "x.png").mkdir()  # a folder where the file should go: replace fails
    with pytest.raises(UsageError, match="could not write"):
        save_png(img, target_dir / "x.png")
    assert [p.name for p in target_dir.iterdir()] == ["x.png"]


def test_hotspot_circle_surrounds_the_spot(
    views: dict[Projection, np.ndarray], window: Window
) -> None:
    img = np.asarray(render_figure(views, window, "gray", {"hotspots"}))
    layout = figure_layout({p: v.shape for p, v in views.items()}, 1, colour_bar=False)
    for projection, spot_x in ((A, 63.5 - 20), (P, 63.5 + 20)):
        x0, y0, x1, y1 = layout.views[projection]
        ys, xs = np.nonzero((img[y0:y1, x0:x1] == HOTSPOT_MARK[0]).all(axis=2))
        assert ys.size > 10
        assert abs(xs.mean() - spot_x) < 3 and abs(ys.mean() - 200) < 3
