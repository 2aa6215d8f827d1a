"""The status bar counts problems to fix, not notes on how clinic captures were read."""

from __future__ import annotations

from pathlib import Path

from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.main_window import MainWindow
from bonescan_tutor.storage.progress import ProgressStore
from tests.clinic_captures import clinic_manifest


def test_a_clean_capture_manifest_shows_no_problem_count(qtbot, settings, tmp_path: Path) -> None:
    data = tmp_path / "caps"
    data.mkdir()
    clinic_manifest(data)
    dataset, report = open_dataset(data)
    assert report.notes and not report.errors
    store = ProgressStore.open(tmp_path / "progress.sqlite3")
    w = MainWindow(settings, store=store, trainee="Ana")
    qtbot.addWidget(w)
    w.set_dataset(dataset, report)
    message = w.statusBar().currentMessage()
    assert "5 cases" in message
    expected = len(report.warnings)
    assert (f"{expected} problem(s)" in message) if expected else ("problem" not in message)
    w.close()
    store.close()
