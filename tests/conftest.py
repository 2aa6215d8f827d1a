"""Test-wide setup: Qt offscreen, a temporary home, never the real user's files."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own settings/progress home; the user's real one is never touched."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BONESCAN_TUTOR_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    from bonescan_tutor import paths

    paths.set_home(None)
    yield home
    paths.set_home(None)


@pytest.fixture
def ring(monkeypatch: pytest.MonkeyPatch):
    """No LRS address or password from the environment, and a keyring in memory."""
    from tests.gui.lrs_dialog_helpers import MemoryKeyring, clean_env, using_keyring

    clean_env(monkeypatch)
    with using_keyring(MemoryKeyring()) as ring:
        yield ring
