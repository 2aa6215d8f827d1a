"""Settings > Learning Record Store's Test against a real Ralph, driven by keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from bonescan_tutor.gui.app import make_settings
from bonescan_tutor.storage.lrs_config import SETTING_URL, SETTING_USER
from tests.gui.lrs_dialog_helpers import MemoryKeyring, clean_env, using_keyring
from tests.gui.test_lrs_settings import _dialog, _fill_by_keys, _key, _test_by_key
from tests.lrs.conftest import Ralph

pytestmark = pytest.mark.lrs


@pytest.fixture
def settings(tmp_path: Path, qapp, monkeypatch):
    clean_env(monkeypatch)
    with using_keyring(MemoryKeyring()):
        yield make_settings(tmp_path / "settings.ini")


def test_test_against_ralph_says_it_answers_and_takes_the_user(
        qtbot, settings, tmp_path: Path, ralph: Ralph) -> None:
    from PySide6.QtCore import Qt

    endpoint = f"{ralph.url}/xAPI/"
    dialog = _dialog(qtbot, settings, tmp_path)
    _fill_by_keys(dialog, endpoint, ralph.user, ralph.password)
    said = _test_by_key(qtbot, dialog)
    # Ralph has no xAPI About resource: the version is said to be unknown, not made up.
    assert said == (f"Connected: the LRS at {endpoint} answers xAPI statement queries; it has "
                    "no /about resource, so its version is not known, and accepts the user "
                    f"'{ralph.user}'.")
    _key(dialog, Qt.Key.Key_Return)
    assert settings.value(SETTING_URL) == endpoint and settings.value(SETTING_USER) == ralph.user


def test_a_wrong_password_says_ralph_refused_the_user(
        qtbot, settings, tmp_path: Path, ralph: Ralph) -> None:
    endpoint = f"{ralph.url}/xAPI/"
    dialog = _dialog(qtbot, settings, tmp_path)
    _fill_by_keys(dialog, endpoint, ralph.user, "not-the-password")
    said = _test_by_key(qtbot, dialog)
    assert said == (f"The LRS at {endpoint} refused the user '{ralph.user}' (HTTP 401): the "
                    "user name or password is wrong.")
    assert "not-the-password" not in said


def test_the_lrs_root_instead_of_its_xapi_endpoint_is_named(
        qtbot, settings, tmp_path: Path, ralph: Ralph) -> None:
    dialog = _dialog(qtbot, settings, tmp_path)
    _fill_by_keys(dialog, ralph.url + "/", ralph.user, ralph.password)
    said = _test_by_key(qtbot, dialog)
    assert said.startswith(f"There is no xAPI LRS at {ralph.url}/ (HTTP 404")


def test_a_password_fixed_in_the_dialog_lets_the_waiting_statements_go(
        qtbot, settings, tmp_path: Path, ralph: Ralph) -> None:
    """The app refused by the LRS (a wrong password); the trainee opens Settings >
    Learning Record Store, types the right one, OK: what waited arrives."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from bonescan_tutor.gui.dialogs.lrs_settings import LrsSettingsDialog
    from bonescan_tutor.gui.dialogs.lrs_settings_model import LrsForm
    from bonescan_tutor.gui.main_window import MainWindow
    from bonescan_tutor.storage.progress import ProgressStore
    from tests.builders import Spec, build
    from tests.gui.test_lrs_proposal import Robot
    from tests.gui.test_lrs_status import practice
    from tests.gui.windows import main_window

    endpoint = f"{ralph.url}/xAPI/"
    LrsForm(url=endpoint, user=ralph.user, password="wrong").save(settings)

    def fix(modal) -> bool:
        if not isinstance(modal, LrsSettingsDialog):
            return False
        assert modal.url.text() == endpoint and "kept" in modal.password.placeholderText()
        QTest.keyClicks(modal.password, ralph.password)
        QTest.keyClick(modal.password, Qt.Key.Key_Return)
        return True

    with ProgressStore.open(tmp_path / "progress.sqlite3") as store:
        w: MainWindow = main_window(qtbot, settings, store, build(tmp_path / "ds", Spec()))
        w.lrs.start()
        practice(qtbot, w, 2)
        qtbot.waitUntil(lambda: "refused" in w.lrs.label.toolTip(), timeout=20_000)
        registration = store.session(w.quiz.session_id).registration
        assert sum(store.waiting_statements().values()) == 4
        robot = Robot([fix])
        try:
            w.actions["lrs_settings"].trigger()
        finally:
            robot.stop()
        assert robot.seen
        qtbot.waitUntil(lambda: not store.waiting_statements(), timeout=20_000)
        w.close()
    assert len(ralph.statements(registration=registration)) == 4
