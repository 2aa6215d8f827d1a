"""Instructor > Prepare teaching images, and a combined capture opened in the library."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.validation import ValidationReport
from bonescan_tutor.datasets import manifest
from bonescan_tutor.gui.instructor.deidentify_dialog import DeidentifyDialog
from bonescan_tutor.gui.main_window import MainWindow
from tests.clinic_captures import clinic_manifest


def _pixels(label) -> np.ndarray:
    image = label.pixmap().toImage()
    return np.array([[image.pixelColor(x, y).value() for x in range(image.width())]
                     for y in range(0, image.height(), 4)])


def test_the_preview_blacks_out_the_margin_and_says_text_on_the_body_stays(
    qtbot, settings, tmp_path: Path
) -> None:
    clinic_manifest(tmp_path / "d")
    ds = manifest.read(tmp_path / "d", ValidationReport())
    dialog = DeidentifyDialog(ds)
    qtbot.addWidget(dialog)
    dialog.case_box.setCurrentText("inverted")
    before, after = _pixels(dialog.before), _pixels(dialog.after)
    assert before.shape == after.shape and (after <= before + 1).all()
    assert (before > 0).sum() > (after > 0).sum()  # the R marker and the edges went black
    assert "cannot be removed" in dialog.warning.text()
    assert "blacked out in this view" in dialog.status.text()
    dialog.view_box.setCurrentText("posterior")
    assert not np.array_equal(_pixels(dialog.before), before)
    assert dialog.write_to(tmp_path / "out")
    assert "Wrote 11 files for 5 cases" in dialog.status.text()
    assert not dialog.write_to(tmp_path / "out")  # never over files already there
    assert "not an empty folder" in dialog.status.text()


def test_a_combined_capture_opens_as_two_views_and_the_menu_offers_the_copies(
    qtbot, settings, tmp_path: Path, monkeypatch
) -> None:
    clinic_manifest(tmp_path / "d")
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.open_dataset(tmp_path / "d")
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=10_000)
    assert window.dataset.cases[0].key == "inverted"  # the case shown first
    opened: list[DeidentifyDialog] = []
    monkeypatch.setattr(DeidentifyDialog, "exec", lambda self: opened.append(self) or 0)
    window.actions["teaching_images"].trigger()
    assert len(opened) == 1 and opened[0].dataset is window.dataset
    for projection in Projection:
        shown = window.displayed(projection)
        # One body column of the capture, not the whole 856-pixel-wide image.
        assert shown is not None and shown.shape[1] < 500 and shown.shape[0] > 800


def test_the_dataset_report_says_what_the_viewed_captures_held(qtbot, settings, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QLabel

    from bonescan_tutor.datasets.images import load_view
    from bonescan_tutor.gui.dialogs.validation_report import ValidationReportDialog

    clinic_manifest(tmp_path / "d")
    report = ValidationReport()
    ds = manifest.read(tmp_path / "d", report)

    def summary() -> str:
        dialog = ValidationReportDialog(ds, report)
        qtbot.addWidget(dialog)
        return dialog.findChildren(QLabel)[0].text()

    assert "display-inverted" not in summary()  # nothing viewed yet: headers only
    assert "4 combined image(s)" in summary()
    for case in ds:
        for view in case.views:
            load_view(view)
    text = summary()
    assert "4 views were display-inverted; read with uptake bright" in text
    assert "may show patient details" in text
