"""Where the app keeps user files: --home, $BONESCAN_TUTOR_HOME, portable mode, platformdirs.

Portable mode is tested by pretending to be frozen: ``sys.frozen`` set and
``sys.executable`` pointing at an executable in a temporary "bundle" folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from bonescan_tutor import paths


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake one-folder bundle; the app behaves as if frozen and started from it."""
    folder = tmp_path / "bonescan-tutor"
    (folder / "_internal" / "resources" / "icons").mkdir(parents=True)
    exe = folder / ("bonescan-tutor.exe" if sys.platform == "win32" else "bonescan-tutor")
    exe.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(folder / "_internal"), raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    return folder


def test_portable_marker_puts_every_user_folder_beside_the_executable(bundle: Path) -> None:
    (bundle / "portable").touch()
    data = bundle.resolve() / "data"
    assert paths.portable_dir() == data
    assert paths.home_dir() == data
    assert paths.user_config_dir() == data / "config"
    assert paths.user_data_dir() == data / "data"
    assert paths.user_cache_dir() == data / "cache"
    assert paths.datasets_dir() == data / "data" / "datasets"


def test_frozen_without_marker_uses_the_per_user_folders(bundle: Path) -> None:
    assert paths.portable_dir() is None
    assert paths.home_dir() is None
    folders = (paths.user_config_dir(), paths.user_data_dir(), paths.user_cache_dir())
    assert all(not folder.is_relative_to(bundle) for folder in folders)
    if sys.platform.startswith("linux"):  # conftest points the XDG folders at a temporary home
        assert paths.user_config_dir() == Path(os.environ["XDG_CONFIG_HOME"]) / paths.APP_NAME
        assert paths.user_data_dir() == Path(os.environ["XDG_DATA_HOME"]) / paths.APP_NAME


def test_a_folder_named_portable_counts_as_the_marker(bundle: Path) -> None:
    (bundle / "portable").mkdir()
    assert paths.portable_dir() == bundle.resolve() / "data"


def test_marker_is_ignored_when_running_from_source(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (bundle / "portable").touch()
    monkeypatch.setattr(sys, "frozen", False)
    assert paths.portable_dir() is None
    assert not paths.user_data_dir().is_relative_to(bundle)


def test_environment_home_wins_over_portable_mode(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (bundle / "portable").touch()
    lab = tmp_path / "lab-home"
    monkeypatch.setenv(paths.HOME_ENV, str(lab))
    assert paths.user_data_dir() == lab.resolve() / "data"
    assert paths.user_config_dir() == lab.resolve() / "config"


def test_home_option_wins_over_environment_and_portable_mode(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (bundle / "portable").touch()
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "lab-home"))
    paths.set_home(tmp_path / "mine")
    assert paths.user_config_dir() == (tmp_path / "mine").resolve() / "config"
    paths.set_home(None)
    assert paths.user_config_dir() == (tmp_path / "lab-home").resolve() / "config"


def test_frozen_resources_come_from_the_bundle_contents_folder(bundle: Path) -> None:
    assert paths.resources_dir() == bundle / "_internal" / "resources"
    assert paths.resource("icons", "x.png") == bundle / "_internal" / "resources" / "icons" / "x.png"


def test_source_tree_resources_hold_the_app_icon() -> None:
    icons = paths.resource("icons")
    assert (icons / "bonescan-tutor.png").is_file()
    assert (icons / "bonescan-tutor.ico").is_file()
