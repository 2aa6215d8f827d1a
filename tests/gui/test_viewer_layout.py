"""The scans use the room they have: measured in screen pixels, offscreen, at the size
the window opens with on a 1366 x 768 lab screen (1280 x 691)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from bonescan_tutor import paths
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.overlays import OVERLAYS
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.main_window import MainWindow
from bonescan_tutor.gui.viewer.scan_view import (
    LABEL_PX,
    SIDE_PX,
    TOP_STRIP_PX,
    DualScanView,
    PlanarView,
)

FIRST_START = (1280, 691)  # 95 % x 90 % of a 1366 x 768 screen


def drawn(view: PlanarView) -> QRectF:
    """The part of the scan on screen, in pixels."""
    return view.image_rect().intersected(view.box.boundingRect())


def body_on_screen(view: PlanarView) -> QRectF:
    x0, y0, x1, y1 = view.extent()
    return view.box.mapFromViewToItem(view.box, QRectF(x0, y0, x1 - x0, y1 - y0)).boundingRect()


def sizes(scans: DualScanView) -> list[tuple[int, int]]:
    return [(round(drawn(v).width()), round(drawn(v).height())) for v in scans.views.values()]


@pytest.fixture
def window(qtbot, settings) -> MainWindow:
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(*FIRST_START)
    w.show()
    qtbot.waitExposed(w)
    w.set_dataset(*open_dataset(paths.demo_dataset_dir()))  # the banner shows, as at first start
    qtbot.waitUntil(lambda: w.viewer._controls is not None, timeout=10_000)
    qtbot.wait(50)
    return w


def test_each_scan_is_drawn_at_least_150_by_600_pixels_with_every_overlay(qtbot, window) -> None:
    assert window.banner.isVisible()
    p = window.viewer.presenter
    before = sizes(window.scans)
    for overlay in OVERLAYS:
        p.set_overlay(overlay, True)
    qtbot.waitUntil(lambda: len(p.analyses) == 2, timeout=10_000)
    qtbot.waitUntil(window.viewer.controls.indices.isVisible, timeout=5_000)
    qtbot.wait(100)  # the tool column has laid out its index table
    for view in window.scans.views.values():
        r = drawn(view)
        assert r.width() >= 150 and r.height() >= 600, (r.width(), r.height())
        # the body, not empty film, fills the height below the letters' strip
        assert body_on_screen(view).height() >= view.box.height() - TOP_STRIP_PX - SIDE_PX - 1
    assert sizes(window.scans) == before  # the tools scrolled; the scans kept their size
    for overlay in OVERLAYS:
        p.set_overlay(overlay, False)
    qtbot.wait(50)
    assert sizes(window.scans) == before


def test_the_views_fit_again_on_resize_unless_zoomed(qtbot, window) -> None:
    scans, ant = window.scans, window.scans.views[Projection.ANTERIOR]
    full = body_on_screen(ant).height()
    window.resize(FIRST_START[0], FIRST_START[1] - 200)
    qtbot.waitUntil(lambda: body_on_screen(ant).height() < full - 150, timeout=5_000)
    window.resize(*FIRST_START)
    qtbot.waitUntil(lambda: abs(body_on_screen(ant).height() - full) < 2, timeout=5_000)
    ant.box.scaleBy(s=(0.5, 0.5))  # the trainee zooms in (the wheel does this)
    ant.box.sigRangeChangedManually.emit([True, True])
    window.resize(FIRST_START[0], FIRST_START[1] - 100)
    qtbot.wait(100)
    assert scans.zoomed and body_on_screen(ant).height() > ant.box.height()  # still zoomed in
    window.reset_view()  # R
    qtbot.waitUntil(lambda: not scans.zoomed, timeout=2_000)
    assert body_on_screen(ant).height() < ant.box.height()


def test_letters_keep_their_size_and_stay_off_the_body(qtbot, window) -> None:
    for view in window.scans.views.values():
        for item in (view.letter, view.left_marker, view.right_marker):
            rect = item.mapRectToItem(view.box, item.boundingRect())
            assert rect.height() < 1.6 * LABEL_PX
            assert not rect.intersects(body_on_screen(view))  # above the head, never on it
    ant = window.scans.views[Projection.ANTERIOR]
    before = ant.letter.mapRectToItem(ant.box, ant.letter.boundingRect()).size()
    ant.box.scaleBy(s=(0.25, 0.25))
    assert ant.letter.mapRectToItem(ant.box, ant.letter.boundingRect()).size() == before
    assert ant.box.boundingRect().contains(ant.letter.mapRectToItem(ant.box, ant.letter.boundingRect()))
