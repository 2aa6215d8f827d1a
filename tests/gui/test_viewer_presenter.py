"""The viewer presenter with a fake surface: colour maps, the ghost, late analyses."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bonescan_tutor.core import windowing
from bonescan_tutor.core.cases import Case, Diagnosis, Projection, View
from bonescan_tutor.core.overlays import GHOST, HOTSPOTS, MIDLINE, OVERLAYS, Raster
from bonescan_tutor.core.symmetry import SymmetryAnalysis, analyze_view
from bonescan_tutor.gui.viewer.model import ViewerState
from bonescan_tutor.gui.viewer.presenter import Frame, ViewerPresenter, rgb_view
from tests.core.phantom import phantom

A, P = Projection.ANTERIOR, Projection.POSTERIOR


class FakeSurface:
    def __init__(self) -> None:
        self.frames: dict[Projection, Frame] = {}

    def show_frame(self, projection: Projection, frame: Frame, state: ViewerState) -> None:
        self.frames[projection] = frame

    def show_message(self, projection: Projection, message: str) -> None:
        self.frames.pop(projection, None)

    def fit(self) -> None:
        pass


def case(key: str) -> Case:
    return Case(key=key, diagnosis=Diagnosis.NO_METASTASES,
                anterior=View(A, f"{key}a.png"), posterior=View(P, f"{key}p.png"))


def test_inversion_applies_to_grey_only() -> None:
    surface = FakeSurface()
    image = phantom(seed=4)
    p = ViewerPresenter(surface, ViewerState(invert=True))
    p.set_case(case("1"), {A: image})
    plain = p.state.windows[A]
    np.testing.assert_array_equal(surface.frames[A].display,
                                  windowing.apply_window(image, plain, "gray"))
    assert plain.invert
    for name in ("hot iron", "viridis"):
        p.set_colormap(name)
        upright = windowing.apply_window(image, windowing.Window(
            plain.low, plain.high, plain.gamma, invert=False), name)
        np.testing.assert_array_equal(surface.frames[A].display, upright)
    p.set_colormap("gray")
    p.set_invert(False)
    assert int(surface.frames[A].display.max()) == 255  # hottest pixel white on black


def test_the_ghost_is_drawn_in_a_contrasting_colour() -> None:
    surface = FakeSurface()
    image = phantom(seed=5)
    p = ViewerPresenter(surface, ViewerState(invert=True))
    p.set_case(case("1"), {A: image})
    p.set_overlay(GHOST, True)
    frame = surface.frames[A]
    (ghost,) = frame.layers[GHOST]
    assert isinstance(ghost, Raster)
    rgb = rgb_view(ghost.argb)
    assert np.all(rgb == np.array(OVERLAYS[GHOST].colour, np.uint8))  # not the scan's grey
    alpha = (ghost.argb >> 24).astype(np.uint8)
    # see-through where there is no uptake, the blend's opacity at the window's top
    assert alpha.min() == 0 and alpha.max() == round(255 * p.state.ghost_opacity)
    p.set_ghost_opacity(1.0)
    assert (surface.frames[A].layers[GHOST][0].argb >> 24).max() == 255


def test_a_late_analysis_of_another_case_is_dropped() -> None:
    surface = FakeSurface()
    waiting: list[tuple[Projection, np.ndarray, Callable[[SymmetryAnalysis], None]]] = []
    p = ViewerPresenter(surface, ViewerState(overlays=frozenset({HOTSPOTS})),
                        lambda proj, img, done: waiting.append((proj, img, done)))
    arrived: list[Projection] = []
    p.analysis_listeners.append(lambda proj, a: arrived.append(proj))
    first, second = phantom(seed=1, spot=(-40.0, 400.0, 80.0)), phantom(seed=2)
    p.set_case(case("1"), {A: first})
    p.set_case(case("2"), {A: second})
    assert len(waiting) == 2
    proj, img, done = waiting[0]  # the first case's analysis comes back late
    done(analyze_view(img, proj))
    assert p.analyses == {} and arrived == []
    assert surface.frames[A].analysis is None
    proj, img, done = waiting[1]
    done(analyze_view(img, proj))
    assert surface.frames[A].analysis is p.analyses[A] and arrived == [A]


def test_a_late_analysis_of_an_earlier_load_of_the_same_case_is_dropped() -> None:
    surface = FakeSurface()
    waiting: list[Callable[[SymmetryAnalysis], None]] = []
    p = ViewerPresenter(surface, ViewerState(overlays=frozenset({MIDLINE})),
                        lambda proj, img, done: waiting.append(done))
    same = case("1")
    old, new = phantom(seed=1), phantom(seed=2)
    p.set_case(same, {A: old})
    p.set_case(same, {A: new})
    waiting[0](analyze_view(old, A))
    assert A not in p.analyses
    waiting[1](analyze_view(new, A))
    np.testing.assert_array_equal(p.analyses[A].asymmetry, analyze_view(new, A).asymmetry)


def test_the_index_table_never_shows_the_last_cases_numbers(qtbot, settings) -> None:
    from bonescan_tutor.datasets.cache import ImageCache
    from bonescan_tutor.gui.viewer.screen import ViewerScreen

    images = {"1a.png": phantom(seed=1, spot=(-40.0, 400.0, 80.0)), "1p.png": phantom(seed=2),
              "2a.png": phantom(seed=3), "2p.png": phantom(seed=4)}
    cache = ImageCache(loader=lambda view: images[view.path])
    later: list[Callable[[], None]] = []

    def run(fn, done, failed) -> None:  # the background, finishing when the test says
        later.append(lambda: done(fn()))

    screen = ViewerScreen(settings, cache, run=run, remember=False)
    qtbot.addWidget(screen)
    screen.presenter.set_overlay(HOTSPOTS, True)
    table = screen.controls.indices
    screen.show_case(case("1"))
    while later:
        later.pop(0)()
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=2_000)
    first = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert any(t != "–" for t in first)
    screen.show_case(case("2"))  # its analysis is still on its way
    qtbot.waitUntil(lambda: table.rowCount() == 0, timeout=2_000)
    while later:
        later.pop(0)()
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=2_000)
    assert screen.presenter.analyses[A] is not None
    cache.close()


def test_turning_an_overlay_on_again_retries_a_failed_analysis() -> None:
    surface = FakeSurface()
    asked: list[Callable[[SymmetryAnalysis], None]] = []
    p = ViewerPresenter(surface, ViewerState(), lambda proj, img, done: asked.append(done))
    image = phantom(seed=6)
    p.set_case(case("1"), {A: image})
    p.set_overlay(HOTSPOTS, True)
    assert len(asked) == 1  # ... and it fails: its callback is never called
    p.set_overlay(HOTSPOTS, False)
    p.set_overlay(HOTSPOTS, True)
    assert len(asked) >= 2
    asked[-1](analyze_view(image, A))
    assert surface.frames[A].analysis is p.analyses[A]
