"""Settings > Learning Record Store: endpoint, user, password, home page, and a Test.

A dumb view over ``lrs_settings_model.LrsForm``. Fields set by the lab's environment
variables are shown read-only with a sentence saying so; a password from the
environment is never shown (the field stays empty) and never written. A typed password
goes to the OS keyring, or where none exists to a user-only file, which the dialog
warns about before anything is typed. Test runs off the GUI thread
(``gui.tasks.run_in_background``) with a busy bar, and reports the LRS's xAPI version
or the exact error. OK saves; Cancel changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.xapi import DEFAULT_HOME_PAGE
from bonescan_tutor.gui.dialogs.lrs_settings_model import LrsForm, Settings
from bonescan_tutor.gui.tasks import run_in_background
from bonescan_tutor.storage.lrs_config import ENV_PASSWORD, ENV_URL, ENV_USER, PasswordStore
from bonescan_tutor.storage.lrs_probe import PROBE_TIMEOUT_S, LrsProbe, probe

FROM_ENV = ("Set by the lab environment ({names}); to change {it}, change the environment, "
            "not this dialog.")


class LrsSettingsDialog(QDialog):
    """The dialog; ``accept`` saves (the caller then reconfigures the sender)."""

    def __init__(self, settings: Settings, parent: QWidget | None = None, *,
                 environ: Mapping[str, str] | None = None,
                 passwords: PasswordStore | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.environ = os.environ if environ is None else environ
        self.passwords = passwords or PasswordStore()
        self.timeout: float | tuple[float, float] = PROBE_TIMEOUT_S
        self.form = LrsForm.load(settings, self.environ, self.passwords)
        #: the last saved form's password-store warning (a file instead of a keyring)
        self.saved_warning: str | None = None
        self.setWindowTitle("Learning Record Store")
        self.setMinimumWidth(560)
        f = self.form

        intro = QLabel("Answers and quiz results are also sent as xAPI statements to your "
                       "program's Learning Record Store, when one is set here. Nothing is lost "
                       "while it cannot be reached: statements wait and are sent later.")
        intro.setWordWrap(True)
        self.url = QLineEdit(f.url)
        self.url.setPlaceholderText("https://lrs.example.org/xAPI/")
        self.user = QLineEdit(f.user)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(
            "set by the lab environment" if f.password_from_env
            else "kept; type to replace it" if f.password_kept else "")
        self.home_page = QLineEdit(f.home_page)
        self.home_page.setPlaceholderText(DEFAULT_HOME_PAGE)
        self.home_page.setToolTip("Your program's web address: trainees are named as accounts "
                                  "on it in every statement. Empty: " + DEFAULT_HOME_PAGE)
        for field, locked in ((self.url, f.url_from_env), (self.user, f.user_from_env),
                              (self.password, f.password_from_env)):
            field.setReadOnly(locked)
            if locked:
                field.setToolTip("Set by the lab environment")

        form = QFormLayout()
        for text, field in (("&Endpoint:", self.url), ("&User:", self.user),
                            ("&Password:", self.password), ("&Home page:", self.home_page)):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)

        names = [n for n, on in ((ENV_URL, f.url_from_env), (ENV_USER, f.user_from_env),
                                 (ENV_PASSWORD, f.password_from_env)) if on]
        self.env_note = QLabel(FROM_ENV.format(names=", ".join(names),
                                               it="them" if len(names) > 1 else "it"))
        self.env_note.setObjectName("envNote")
        self.env_note.setWordWrap(True)
        self.env_note.setVisible(bool(names))
        self.keyring_warning = QLabel(
            "" if f.password_file is None else
            f"No system keyring is available: a password typed here is kept in the file "
            f"{f.password_file}, readable by your user account alone.")
        self.keyring_warning.setObjectName("keyringWarning")
        self.keyring_warning.setStyleSheet("font-weight: bold;")
        self.keyring_warning.setWordWrap(True)
        self.keyring_warning.setVisible(f.password_file is not None and not f.password_from_env)

        self.test_button = QPushButton("&Test")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # busy, no percentage
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(120)
        self.busy.setVisible(False)
        self.test_result = QLabel("")
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.busy)
        test_row.addStretch(1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.env_note)
        layout.addLayout(form)
        layout.addWidget(self.keyring_warning)
        layout.addLayout(test_row)
        layout.addWidget(self.test_result)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        first = next((w for w in (self.url, self.user, self.password, self.home_page)
                      if not w.isReadOnly()), self.test_button)
        first.setFocus()

    @property
    def result_text(self) -> str:
        """What the last Test or a refused OK said."""
        return self.test_result.text()

    def typed(self) -> LrsForm:
        """The form as typed now."""
        return replace(self.form, url=self.url.text(), user=self.user.text(),
                       password=self.password.text(), home_page=self.home_page.text())

    # --- Test ----------------------------------------------------------------------------
    def test(self) -> None:
        """Try the typed endpoint and credentials in the background; show what it said."""
        try:
            config = self.typed().config(self.environ, self.passwords)
        except BonescanError as exc:
            self._show_result(str(exc), ok=False)
            return
        self.test_button.setEnabled(False)
        self.busy.setVisible(True)
        self.test_result.setText(f"Asking {config.url}…")
        timeout = self.timeout
        run_in_background(lambda: probe(config, timeout), self._tested, self._test_failed)

    def _tested(self, found: LrsProbe) -> None:
        self._show_result(found.describe(), ok=True)

    def _test_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, BonescanError):
            self._show_result("", ok=False)
            raise exc
        self._show_result(str(exc), ok=False)

    def _show_result(self, text: str, ok: bool) -> None:
        self.test_button.setEnabled(True)
        self.busy.setVisible(False)
        self.test_result.setText(text)
        self.test_result.setProperty("ok", ok)
        self.test_result.setStyleSheet("" if ok else "font-weight: bold;")

    # --- OK / Cancel ---------------------------------------------------------------------
    def accept(self) -> None:
        typed = self.typed()
        try:
            self.saved_warning = typed.save(self.settings, self.passwords)
        except BonescanError as exc:
            self._show_result(str(exc), ok=False)
            return
        if hasattr(self.settings, "sync"):
            self.settings.sync()
        super().accept()
