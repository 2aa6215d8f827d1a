"""Dialogs open sized to the screen they open on; the builder's preview is readable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from bonescan_tutor import paths
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.dialogs.shortcuts import ShortcutsDialog
from bonescan_tutor.gui.dialogs.validation_report import ValidationReportDialog
from bonescan_tutor.gui.instructor.annotate_dialog import AnnotateDialog
from bonescan_tutor.gui.instructor.cohort_dialog import CohortDialog
from bonescan_tutor.gui.instructor.quizset_dialog import QuizSetDialog


@pytest.fixture(scope="module")
def demo():
    return open_dataset(paths.demo_dataset_dir())


def _fits(widget) -> None:
    available = (widget.screen() or QApplication.primaryScreen()).availableGeometry()
    size = widget.size()
    assert size.width() <= available.width() and size.height() <= available.height(), (
        size, available)
    assert available.contains(widget.geometry())


def test_each_dialog_fits_the_screen_it_opens_on(qtbot, settings, demo) -> None:
    dataset, report = demo
    cache = ImageCache()
    dialogs = [QuizSetDialog(dataset, settings, cache), CohortDialog(settings, dataset),
               ValidationReportDialog(dataset, report), ShortcutsDialog([("File", "Quit", "Ctrl+Q")])]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        _fits(dialog)  # the offscreen screen is 800 x 600: every one of them is larger
    cache.close()


def test_the_builder_preview_shows_both_scans_large_with_their_side_markers(
        qtbot, settings, demo) -> None:
    dataset, _ = demo
    cache = ImageCache()
    builder = QuizSetDialog(dataset, settings, cache)
    qtbot.addWidget(builder)
    builder.resize(1297, 691)  # what it opens at on a 1366 x 768 screen
    builder.show()
    qtbot.waitExposed(builder)
    builder.table.setCurrentCell(0, 1)
    qtbot.waitUntil(lambda: builder.viewer.presenter.case is not None, timeout=5_000)
    qtbot.wait(50)
    for view in builder.viewer.scans.views.values():
        box = view.box.boundingRect()
        scan = view.image_rect().intersected(box)
        assert scan.width() >= 150 and scan.height() >= 550, (view.projection, scan)
        for marker in (view.left_marker, view.right_marker, view.letter):
            rect = marker.mapRectToItem(view.box, marker.boundingRect())
            assert marker.isVisible() and box.contains(rect)
        x0, y0, x1, y1 = view.extent()
        body = view.box.mapFromViewToItem(view.box, QRectF(x0, y0, x1 - x0, y1 - y0))
        assert not view.left_marker.mapRectToItem(view.box, view.left_marker.boundingRect()
                                                  ).intersects(body.boundingRect())
    assert builder.viewer.scans.views[Projection.ANTERIOR].side_texts == ("R", "L")
    cache.close()


def test_the_annotation_editor_opens_as_large_as_the_screen_allows(qtbot, settings, demo) -> None:
    """Its scans are what the instructor marks on: at its size hint they were thumbnails."""
    from bonescan_tutor.gui.screen_fit import HEIGHT_SHARE, WIDTH_SHARE

    dataset, _ = demo
    cache = ImageCache()
    dialog = AnnotateDialog(settings, cache, dataset)
    qtbot.addWidget(dialog)
    _fits(dialog)
    available = (dialog.screen() or QApplication.primaryScreen()).availableGeometry()
    assert dialog.width() == min(1366, int(available.width() * WIDTH_SHARE))
    assert dialog.height() == min(900, int(available.height() * HEIGHT_SHARE))
    cache.close()
