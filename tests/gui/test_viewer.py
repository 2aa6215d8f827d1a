"""The viewer as a resident uses it: keys, drags, overlays, linked views, settings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.overlays import ASYMMETRY, GHOST, HOTSPOTS, MIDLINE
from bonescan_tutor.gui.main_window import MainWindow
from bonescan_tutor.gui.viewer.model import corresponding_point
from tests.builders import build

A, P = Projection.ANTERIOR, Projection.POSTERIOR


@pytest.fixture
def window(qtbot, settings, tmp_path: Path) -> MainWindow:
    top = build(tmp_path / "d")
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1280, 691)  # the first-start size on a 1366 x 768 screen
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.open_dataset(top)
    qtbot.waitUntil(lambda: w.viewer.presenter.case is not None, timeout=10_000)
    return w


def press(qtbot, w: MainWindow, key: Qt.Key) -> None:
    QTest.keyClick(w.scans, key)
    qtbot.wait(1)


def test_keys_step_through_cases(qtbot, window: MainWindow) -> None:
    assert window.viewer.presenter.case.key == "1"
    window.scans.setFocus()
    press(qtbot, window, Qt.Key.Key_Down)
    press(qtbot, window, Qt.Key.Key_Down)
    assert window.viewer.presenter.case.key == "3"
    press(qtbot, window, Qt.Key.Key_Up)
    assert window.viewer.presenter.case.key == "2"
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert window.viewer.presenter.case.key == "5"


def test_drag_changes_the_window_on_both_views(qtbot, window: MainWindow) -> None:
    p = window.viewer.presenter
    before = {v: p.state.windows[v] for v in (A, P)}
    shown_before = window.displayed(P).copy()
    window.scans.windowDragged.emit(A, 40.0, -25.0)  # the signal a left-drag emits
    after = p.state.windows
    assert after[A] != before[A] and after[P] != before[P]
    assert p.state.preset is None
    assert after[A].width > before[A].width  # right = wider
    assert not np.array_equal(window.displayed(P), shown_before)


def test_a_real_mouse_drag_reaches_the_window(qtbot, window: MainWindow) -> None:
    box = window.scans.views[A].box
    p = window.viewer.presenter
    before = p.state.windows[A]
    centre = box.mapViewToScene(QPointF(128, 512))
    view_pos = window.scans.mapFromScene(centre)
    vp = window.scans.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, pos=view_pos)
    for step in range(1, 6):
        QTest.mouseMove(vp, view_pos + type(view_pos)(step * 8, 0))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=view_pos + type(view_pos)(40, 0))
    assert p.state.windows[A].width > before.width


def test_presets_auto_and_invert_keys(qtbot, window: MainWindow) -> None:
    p = window.viewer.presenter
    window.scans.setFocus()
    press(qtbot, window, Qt.Key.Key_1)
    assert p.state.preset == "full"
    top = float(p.images[A].max())
    assert p.state.windows[A].high == pytest.approx(top)
    press(qtbot, window, Qt.Key.Key_5)
    assert p.state.preset == "bone-20"
    assert p.state.windows[A].high == pytest.approx(0.2 * top)
    press(qtbot, window, Qt.Key.Key_0)
    assert p.state.preset == "skeleton-auto"
    inverted = window.displayed(A).copy()
    press(qtbot, window, Qt.Key.Key_I)
    assert p.state.invert is False
    np.testing.assert_array_equal(window.displayed(A), 255 - inverted)


def test_mirror_posterior_flips_the_view_and_its_side_markers(qtbot, window: MainWindow) -> None:
    view = window.scans.views[P]
    assert view.side_texts == ("L", "R")
    before = window.displayed(P).copy()
    window.scans.setFocus()
    press(qtbot, window, Qt.Key.Key_H)
    assert view.side_texts == ("R", "L")
    np.testing.assert_array_equal(window.displayed(P), before[:, ::-1])
    assert window.scans.views[A].side_texts == ("R", "L")


def test_overlays_toggle_on_and_off(qtbot, window: MainWindow) -> None:
    view = window.scans.views[A]
    window.scans.setFocus()
    def shown(name: str) -> bool:
        items = view.overlay_items.get(name, [])
        return bool(items) and all(item.isVisible() for item in items)

    for key, overlay in ((Qt.Key.Key_M, MIDLINE), (Qt.Key.Key_A, ASYMMETRY),
                         (Qt.Key.Key_S, HOTSPOTS), (Qt.Key.Key_G, GHOST)):
        press(qtbot, window, key)
        assert overlay in window.viewer.presenter.state.overlays
        qtbot.waitUntil(lambda o=overlay: shown(o), timeout=10_000)
        press(qtbot, window, key)
        assert not any(item.isVisible() for item in view.overlay_items[overlay])
    # the index table follows the analysis at the controls' next refresh (a short timer)
    qtbot.waitUntil(lambda: window.viewer.controls.indices.rowCount() > 0, timeout=10_000)


def test_zoom_is_linked_between_the_views(qtbot, window: MainWindow) -> None:
    ant, post = window.scans.views[A].box, window.scans.views[P].box
    full = post.viewRange()
    ant.setRange(xRange=(50, 150), yRange=(300, 500), padding=0)
    qtbot.wait(10)
    (x0, x1), (y0, y1) = post.viewRange()
    assert y1 - y0 < 0.5 * (full[1][1] - full[1][0])  # the posterior view zoomed in too
    assert (y0, y1) == pytest.approx(tuple(ant.viewRange()[1]), abs=0.5)
    assert x1 - x0 == pytest.approx(ant.viewRange()[0][1] - ant.viewRange()[0][0], rel=0.01)


def test_crosshair_marks_the_same_point_in_the_other_view(qtbot, window: MainWindow) -> None:
    mapped = window.scans.point_at(A, 40, 300)
    assert mapped == (215, 300)  # the patient's right is image-left in A, image-right in P
    x, y = window.scans.views[P].crosshair.getData()
    assert (x[0], y[0]) == (215.5, 300.5)
    window.viewer.presenter.toggle_mirror_posterior()
    assert window.scans.point_at(A, 40, 300) == (40, 300)
    assert corresponding_point(215, 300, 256, P, False) == (40, 300)


def test_value_readout_is_percent_of_the_views_maximum(qtbot, window: MainWindow) -> None:
    p = window.viewer.presenter
    img = p.images[A]
    y, x = np.unravel_index(int(np.argmax(img)), img.shape)
    assert p.value_percent(A, int(x), int(y)) == pytest.approx(100.0)
    window.scans.hovered.emit(A, int(x), int(y))
    assert "100.0 % of this view's maximum" in window.viewer.readout.text()


def test_settings_are_restored_in_a_new_window(qtbot, window: MainWindow, settings, tmp_path) -> None:
    p = window.viewer.presenter
    p.apply_preset("bone-50")
    p.set_colormap("hot iron")
    p.toggle_invert()
    p.set_overlay(MIDLINE, True)
    window.resize(700, 520)
    size = window.size()
    window.close()
    again = MainWindow(settings)
    qtbot.addWidget(again)
    state = again.viewer.presenter.state
    assert (state.preset, state.colormap, state.invert) == ("bone-50", "hot iron", False)
    assert state.overlays == frozenset({MIDLINE})
    assert again.size() == size
    assert settings.value("dataset/recent")


def test_drop_a_folder_opens_it(qtbot, window: MainWindow, tmp_path: Path) -> None:
    other = build(tmp_path / "other", )
    (other / "SYNTHETIC_DEMO.txt").write_text("x")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.dataset is not None and window.dataset.synthetic, timeout=10_000)
    assert window.banner.isVisible()


def test_every_shortcut_in_the_help_dialog_is_a_working_action(qtbot, window: MainWindow) -> None:
    rows = window.actions.shortcuts()
    keys = [k for _, _, k in rows]
    assert len(keys) == len(set(keys)), "two commands share a key"
    for needed in ("I", "H", "M", "A", "S", "R", "0", "1", "Up", "Down", "PgUp", "PgDown"):
        assert needed in keys
    from bonescan_tutor.gui.dialogs.shortcuts import ShortcutsDialog

    dialog = ShortcutsDialog(rows)
    qtbot.addWidget(dialog)
    from bonescan_tutor.gui.dialogs.shortcuts import MOUSE

    assert dialog.table.rowCount() == len(rows) + len(MOUSE)
    gestures = [dialog.table.item(r, 2).text() for r in range(len(rows), len(rows) + len(MOUSE))]
    for gesture in ("drag", "Middle-drag", "Wheel", "Hover", "Left click"):
        assert any(gesture in g for g in gestures), gesture


def test_the_library_table_shows_every_column_whole(qtbot, window: MainWindow) -> None:
    table = window.library.table
    qtbot.wait(20)
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()


def test_the_invert_box_is_off_limits_with_a_colour_map(qtbot, window: MainWindow) -> None:
    controls, p = window.viewer.controls, window.viewer.presenter
    assert controls.invert.isEnabled()
    p.set_colormap("hot iron")
    qtbot.waitUntil(lambda: not controls.invert.isEnabled(), timeout=2_000)
    p.set_colormap("gray")
    qtbot.waitUntil(controls.invert.isEnabled, timeout=2_000)
