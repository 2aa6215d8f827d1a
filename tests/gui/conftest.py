"""GUI fixtures: settings in a temporary INI file, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_zenodo import fake_zenodo

__all__ = ["fake_zenodo", "settings"]


@pytest.fixture
def settings(tmp_path: Path, qapp):
    from bonescan_tutor.gui.app import configure_pyqtgraph, make_settings

    configure_pyqtgraph()
    return make_settings(tmp_path / "settings.ini")
