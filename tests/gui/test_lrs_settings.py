"""Settings > Learning Record Store, driven by keys: saved on OK, nothing on Cancel, the
lab's environment read-only and its password never written, the keyring or a
user-only file with a warning, and Test's exact errors."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from bonescan_tutor.gui.dialogs.lrs_settings import LrsSettingsDialog
from bonescan_tutor.storage.lrs_config import (
    ENV_PASSWORD,
    ENV_URL,
    ENV_USER,
    KEYRING_SERVICE,
    SETTING_HOME_PAGE,
    SETTING_URL,
    SETTING_USER,
    PasswordStore,
)
from tests.gui.lrs_dialog_helpers import (
    MemoryKeyring,
    answering,
    clean_env,
    closed_port,
    no_keyring,
    silent,
    type_into,
    using_keyring,
)
from tests.gui.windows import on_screen

ENDPOINT = "https://lrs.example.org/xAPI/"


def _dialog(qtbot, settings, tmp_path: Path, **kw) -> LrsSettingsDialog:
    dialog = LrsSettingsDialog(settings, passwords=PasswordStore(tmp_path / "data"), **kw)
    on_screen(qtbot, dialog)
    return dialog


def _key(dialog, key, mod=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(dialog.focusWidget() or dialog, key, mod)


def _fill_by_keys(dialog, url: str, user: str, password: str, home: str = "") -> None:
    """The first field has the focus; Tab walks endpoint, user, password, home page."""
    assert dialog.focusWidget() is dialog.url
    for text in (url, user, password, home):
        type_into(dialog.focusWidget(), text)
        _key(dialog, Qt.Key.Key_Tab)


def _ini(settings) -> str:
    settings.sync()
    return Path(settings.fileName()).read_text(encoding="utf-8")


def test_ok_saves_the_fields_and_the_password_goes_to_the_keyring(
        qtbot, settings, tmp_path, ring) -> None:
    dialog = _dialog(qtbot, settings, tmp_path)
    assert not dialog.env_note.isVisible() and not dialog.keyring_warning.isVisible()
    _fill_by_keys(dialog, ENDPOINT, "site-a", "typed-pass-77", "https://nm.example.edu")
    _key(dialog, Qt.Key.Key_Return)  # OK
    assert dialog.result() == dialog.DialogCode.Accepted
    assert settings.value(SETTING_URL) == ENDPOINT
    assert settings.value(SETTING_USER) == "site-a"
    assert settings.value(SETTING_HOME_PAGE) == "https://nm.example.edu"
    assert ring.kept == {(KEYRING_SERVICE, f"site-a@{ENDPOINT}"): "typed-pass-77"}
    assert "typed-pass-77" not in _ini(settings)
    assert not (tmp_path / "data").exists()  # nothing in a file when a keyring exists

    again = _dialog(qtbot, settings, tmp_path)  # remembered; the password is never shown
    assert (again.url.text(), again.user.text(), again.home_page.text()) == (
        ENDPOINT, "site-a", "https://nm.example.edu")
    assert again.password.text() == "" and "kept" in again.password.placeholderText()


def test_cancel_changes_nothing(qtbot, settings, tmp_path, ring) -> None:
    settings.setValue(SETTING_URL, ENDPOINT)
    dialog = _dialog(qtbot, settings, tmp_path)
    _fill_by_keys(dialog, "https://other.example.org/xAPI/", "bob", "pw")
    _key(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == dialog.DialogCode.Rejected
    assert settings.value(SETTING_URL) == ENDPOINT and settings.value(SETTING_USER) is None
    assert ring.kept == {}


def test_a_bad_address_is_refused_on_ok_and_by_test(qtbot, settings, tmp_path, ring) -> None:
    dialog = _dialog(qtbot, settings, tmp_path)
    _fill_by_keys(dialog, "lrs.example.org/xAPI", "u", "")
    _key(dialog, Qt.Key.Key_Return)
    assert dialog.isVisible() and settings.value(SETTING_URL) is None
    assert "must be an http(s) URL such as" in dialog.result_text
    dialog.test_button.click()
    assert "must be an http(s) URL such as" in dialog.result_text
    dialog.url.setText("https://ana:pw@lrs.example.org/xAPI/")
    dialog.test_button.click()
    assert "must not hold a user name or password" in dialog.result_text


def test_the_lab_environment_is_read_only_and_its_password_never_written(
        qtbot, settings, tmp_path, monkeypatch, ring) -> None:
    monkeypatch.setenv(ENV_URL, "http://lab-lrs:8100/xAPI/")
    monkeypatch.setenv(ENV_USER, "lab")
    monkeypatch.setenv(ENV_PASSWORD, "env-secret-42")
    settings.setValue(SETTING_URL, ENDPOINT)
    dialog = _dialog(qtbot, settings, tmp_path)
    assert dialog.env_note.isVisible()
    for name in (ENV_URL, ENV_USER, ENV_PASSWORD):
        assert name in dialog.env_note.text()
    assert "lab environment" in dialog.env_note.text()
    assert dialog.url.isReadOnly() and dialog.user.isReadOnly() and dialog.password.isReadOnly()
    assert dialog.url.text() == "http://lab-lrs:8100/xAPI/" and dialog.user.text() == "lab"
    assert dialog.password.text() == ""  # never shown
    assert dialog.focusWidget() is dialog.home_page  # the first field that can be typed in
    QTest.keyClicks(dialog.password, "typed-over")  # read-only: keys do nothing
    assert dialog.password.text() == ""
    assert dialog.typed().config().password == "env-secret-42"  # what Test would use
    type_into(dialog.home_page, "https://nm.example.edu")
    _key(dialog, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    text = _ini(settings)
    assert "env-secret-42" not in text and "lab-lrs" not in text
    assert settings.value(SETTING_URL) == ENDPOINT  # the user's own setting is kept
    assert settings.value(SETTING_HOME_PAGE) == "https://nm.example.edu"
    assert ring.kept == {} and not (tmp_path / "data").exists()


def test_without_a_keyring_the_password_goes_to_a_user_only_file_with_a_warning(
        qtbot, settings, tmp_path, monkeypatch) -> None:
    clean_env(monkeypatch)
    with using_keyring(no_keyring()):
        dialog = _dialog(qtbot, settings, tmp_path)
        warning = dialog.keyring_warning
        assert warning.isVisible()
        assert "No system keyring" in warning.text()
        assert str(tmp_path / "data" / "lrs-passwords.json") in warning.text()
        _fill_by_keys(dialog, ENDPOINT, "site-a", "file-pass-9")
        _key(dialog, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    kept = tmp_path / "data" / "lrs-passwords.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert json.loads(kept.read_text()) == {f"site-a@{ENDPOINT}": "file-pass-9"}
    assert "readable by your user account alone" in (dialog.saved_warning or "")
    assert "file-pass-9" not in _ini(settings)


def _test_by_key(qtbot, dialog, press: bool = True) -> str:
    if press:  # Alt+T: the button's mnemonic clicks it (animated, so a moment later)
        _key(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.result_text != "" and not dialog.result_text.startswith(
        "Asking") and dialog.test_button.isEnabled(), timeout=30_000)
    assert not dialog.busy.isVisible()
    return dialog.result_text


def test_test_on_a_closed_port_says_the_connection_was_refused(
        qtbot, settings, tmp_path, ring) -> None:
    dialog = _dialog(qtbot, settings, tmp_path)
    port = closed_port()
    _fill_by_keys(dialog, f"http://127.0.0.1:{port}/xAPI/", "u", "p")
    said = _test_by_key(qtbot, dialog)
    assert said.startswith(f"The LRS at http://127.0.0.1:{port}/xAPI/ refused the connection")
    assert f"127.0.0.1:{port}" in said and "Is the LRS running" in said
    assert settings.value(SETTING_URL) is None  # Test saves nothing


def test_test_reports_the_version_from_about(qtbot, settings, tmp_path, ring) -> None:
    # an LRS that publishes /about and answers a statements query (a real HTTP server)
    body = json.dumps({"version": ["1.0.3"], "statements": []}).encode()
    with answering(200, "application/json", body) as url:
        dialog = _dialog(qtbot, settings, tmp_path)
        _fill_by_keys(dialog, f"{url}/xAPI/", "u", "p")
        said = _test_by_key(qtbot, dialog)
    assert said == f"Connected: the LRS at {url}/xAPI/ speaks xAPI 1.0.3 (from its /about), " \
                   "and accepts the user 'u'."


def test_test_on_a_web_page_says_it_is_not_an_lrs(qtbot, settings, tmp_path, ring) -> None:
    with answering(200, "text/html; charset=utf-8", b"<html><body>Welcome</body></html>") as url:
        dialog = _dialog(qtbot, settings, tmp_path)
        _fill_by_keys(dialog, url + "/", "", "")
        said = _test_by_key(qtbot, dialog)
    assert said.startswith(f"The address {url}/ answered /about with a web page (HTTP 200), "
                           "not an xAPI Learning Record Store.")


def test_test_on_a_silent_server_says_timeout(qtbot, settings, tmp_path, ring) -> None:
    with silent() as url:
        dialog = _dialog(qtbot, settings, tmp_path)
        dialog.timeout = (2.0, 0.5)
        _fill_by_keys(dialog, url + "/xAPI/", "u", "p")
        _key(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(dialog.busy.isVisible)  # busy meanwhile, Test disabled
        assert not dialog.test_button.isEnabled() and dialog.result_text.startswith("Asking ")
        said = _test_by_key(qtbot, dialog, press=False)
    assert "sent no answer within 0.5 s (timeout)" in said


def test_the_password_never_reaches_the_log_or_the_result(
        qtbot, settings, tmp_path, ring, caplog) -> None:
    caplog.set_level("DEBUG")
    dialog = _dialog(qtbot, settings, tmp_path)
    _fill_by_keys(dialog, f"http://127.0.0.1:{closed_port()}/xAPI/", "u", "pw-never-shown")
    said = _test_by_key(qtbot, dialog)
    assert "pw-never-shown" not in said and "pw-never-shown" not in caplog.text
    assert "pw-never-shown" not in repr(dialog.typed().config())


def test_the_command_line_reads_what_the_dialog_saved(qtbot, settings, tmp_path, ring) -> None:
    from bonescan_tutor.storage.lrs_config import settings_file_values

    settings.setValue("ui/geometry", b"\x00\x01binary")  # a QVariant beside the text
    dialog = _dialog(qtbot, settings, tmp_path)
    user = 'Ñandú, "Ana" \\ B'
    dialog.url.setText(ENDPOINT)
    dialog.user.setText(user)  # characters no key types here
    dialog.home_page.setText("https://nm.example.edu/a,b")
    _key(dialog, Qt.Key.Key_Return)
    _ini(settings)
    assert settings_file_values(Path(settings.fileName())) == {
        SETTING_URL: ENDPOINT, SETTING_USER: user, SETTING_HOME_PAGE: "https://nm.example.edu/a,b"}
    assert settings_file_values(tmp_path / "none.ini") == {
        SETTING_URL: "", SETTING_USER: "", SETTING_HOME_PAGE: ""}


def test_a_keyring_that_refuses_is_said_and_the_dialog_stays(qtbot, settings, tmp_path,
                                                              monkeypatch) -> None:
    from keyring.errors import PasswordSetError

    clean_env(monkeypatch)

    class Locked(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise PasswordSetError("the wallet is locked")

    with using_keyring(Locked()):
        dialog = _dialog(qtbot, settings, tmp_path)
        _fill_by_keys(dialog, ENDPOINT, "site-a", "pw-locked")
        _key(dialog, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.result_text == ("The system keyring did not keep the LRS password (the wallet "
                                  "is locked); unlock it and press OK again.")
    assert settings.value(SETTING_URL) is None and settings.value(SETTING_USER) is None
