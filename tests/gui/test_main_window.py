"""The first window: a dataset opens in the background and the first case's views show."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bonescan_tutor.core.cases import Projection
from bonescan_tutor.gui.main_window import MainWindow
from tests.builders import build


def _open(qtbot, settings, path: Path) -> MainWindow:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.open_dataset(path)
    qtbot.waitUntil(lambda: window.dataset is not None, timeout=10_000)
    return window


def test_opening_a_dataset_shows_the_first_case(qtbot, settings, tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    window = _open(qtbot, settings, top)
    for projection in Projection:
        shown = window.displayed(projection)
        assert shown is not None and shown.shape[:2] == (1024, 256) and np.std(shown) > 1
    assert "5 cases" in window.statusBar().currentMessage()
    assert not window.banner.isVisible()
    assert settings.value("dataset/last") == str(top)


def test_a_broken_view_shows_its_reason_and_the_other_still_shows(qtbot, settings, tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    png = top / "Bone metastases" / "Posterior" / "P1.png"
    data = png.read_bytes()  # header and end marker intact, compressed pixels garbage
    png.write_bytes(data[:60] + b"\xff" * (len(data) - 72) + data[-12:])
    window = _open(qtbot, settings, top)
    post = window.scans.views[Projection.POSTERIOR]
    assert window.displayed(Projection.POSTERIOR) is None
    assert post.error.isVisible() and "P1.png" in post.error.toPlainText()
    assert window.displayed(Projection.ANTERIOR) is not None


def test_synthetic_dataset_shows_the_banner(qtbot, settings, tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    (top / "SYNTHETIC_DEMO.txt").write_text("synthetic")
    window = _open(qtbot, settings, top)
    assert window.banner.isVisible() and "not for clinical" in window.banner.text()
