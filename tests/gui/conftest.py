"""GUI fixtures: settings in a temporary INI file and progress in a temporary database,
never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_zenodo import fake_zenodo

__all__ = ["fake_zenodo", "settings", "store"]


@pytest.fixture
def settings(tmp_path: Path, qapp):
    from bonescan_tutor.gui.app import configure_pyqtgraph, make_settings

    configure_pyqtgraph()
    return make_settings(tmp_path / "settings.ini")


@pytest.fixture
def store(tmp_path: Path, qapp):
    """A progress database of its own; main windows still open are closed first (they
    save on closing), then the database. Only windows still shown: a window an earlier
    test closed is left to pytest-qt, which deletes it (closing it again, half torn
    down, crashed Qt)."""
    from PySide6.QtWidgets import QApplication

    from bonescan_tutor.gui.main_window import MainWindow
    from bonescan_tutor.storage.progress import ProgressStore

    s = ProgressStore.open(tmp_path / "progress.sqlite3")
    yield s
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            widget.close()
    s.close()
