"""The app's link to its Learning Record Store: the background sender and its status.

``LrsLink`` resolves the LRS (the ``BONESCAN_TUTOR_LRS_*`` environment over the
settings), tells the progress file to queue statements while one is configured, and
runs a ``Sender`` on that file: it tries at once on every start, is woken after each
commit that queued statements, and is closed on quit within the sender's 2 s bound
(what it had not sent waits in the file for the next start).

The status bar shows "N waiting to send" while statements wait and the LRS does not
take them (unreachable, refused credentials, statements it rejects, or none
configured); the label's tooltip holds the exact reason, and a refusal (HTTP 401/403)
or a rejection (HTTP 400/422) is also shown once as a status message. Statements are
always kept.

The settings dialog calls ``reconfigure(config)`` with the LRS it saved, or
``reload_settings()`` to take the settings and environment afresh.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.storage import lrs_config
from bonescan_tutor.storage.lrs_config import LrsConfig, PasswordStore

if TYPE_CHECKING:  # requests loads with the first configured LRS, not at start-up
    from bonescan_tutor.storage.lrs_sender import Sender
    from bonescan_tutor.storage.progress import ProgressStore

log = logging.getLogger(__name__)

POLL_MS = 2000
NO_LRS = (
    "No Learning Record Store is configured: set one in Settings > Learning Record Store "
    "(or BONESCAN_TUTOR_LRS_URL), and the app sends them."
)


def settings_values(settings: QSettings) -> dict[str, str]:
    """The LRS keys of the settings file, as text."""
    keys = (lrs_config.SETTING_URL, lrs_config.SETTING_USER, lrs_config.SETTING_HOME_PAGE)
    return {k: str(settings.value(k, "") or "") for k in keys}


def waiting_text(count: int) -> str:
    return f"{count} waiting to send"


class LrsLink(QObject):
    """The sender of one app window and the status-bar label that reports on it."""

    def __init__(
        self,
        settings: QSettings,
        store: Callable[[], ProgressStore | None],
        status_bar: QStatusBar,
        *,
        environ: Mapping[str, str] | None = None,
        passwords: PasswordStore | None = None,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(status_bar)
        self._settings = settings
        self._store = store
        self._status_bar = status_bar
        self._environ = environ
        self._passwords = passwords
        #: The LRS in use (read by the sender at each send), or None.
        self.config: LrsConfig | None = None
        self.sender: Sender | None = None
        self._sender_path: Path | None = None
        self._applied_to: ProgressStore | None = None
        self._config_problem: str | None = None
        self._announced: str | None = None
        self.label = QLabel()
        self.label.setObjectName("lrsWaiting")
        self.label.setVisible(False)
        status_bar.addPermanentWidget(self.label)
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.refresh)

    # -- what the app and the settings dialog call ---------------------------------------
    def start(self) -> None:
        """Resolve the LRS from the environment and settings and start sending."""
        self.reload_settings()
        self._timer.start()

    def reload_settings(self) -> None:
        """Take the LRS from the environment and the settings afresh (after they changed)."""
        values = settings_values(self._settings)
        try:
            config = lrs_config.resolve(values, self._environ, self._passwords)
        except BonescanError as exc:
            self._config_problem = str(exc)
            config = None
        else:
            self._config_problem = None
        self.reconfigure(config)

    def reconfigure(self, config: LrsConfig | None) -> None:
        """Send to ``config`` from now on (None: stop sending and queue nothing new).

        Statements already waiting go to the new LRS; the sender tries at once.
        """
        self.config = config
        self._applied_to = None
        self._apply()
        if self.sender is not None:
            self.sender.wake()
        self.refresh()

    def wake(self) -> None:
        if self.sender is not None:
            self.sender.wake()

    def close(self) -> bool:
        """Stop sending, waiting at most the sender's 2 s bound; True when it stopped."""
        self._timer.stop()
        sender, self.sender = self.sender, None
        return True if sender is None else sender.close()

    # -- the status bar ------------------------------------------------------------------
    def waiting(self) -> int:
        store = self._store()
        if store is None:
            return 0
        try:
            return sum(store.waiting_statements().values())
        except BonescanError as exc:
            log.warning("%s", exc)
            return 0

    def problem(self) -> str | None:
        """Why waiting statements are not going out now, or None (sending, or all sent)."""
        if self.config is None:
            return self._config_problem or NO_LRS
        return None if self.sender is None else self.sender.last_error

    def refresh(self) -> None:
        """Bring the sender up to date with the progress file, then the label."""
        self._apply()
        count = self.waiting()
        problem = self.problem() if count else None
        self.label.setVisible(problem is not None)
        if problem is None:
            self._announced = None
            return
        self.label.setText(waiting_text(count))
        self.label.setToolTip(problem)
        failure = None if self.sender is None else self.sender.failure
        if failure is not None and _needs_a_person(failure) and self._announced != problem:
            self._announced = problem
            self._status_bar.showMessage(problem, 15000)

    # -- internals -----------------------------------------------------------------------
    def _apply(self) -> None:
        """Queue statements in the current progress file while an LRS is configured, and
        run the sender on that file (a new one after File > relocation or a new store)."""
        store = self._store()
        if store is not None and store is not self._applied_to:
            self._applied_to = store
            if self.config is None:
                store.statements = None
            else:
                from bonescan_tutor.storage.progress_xapi import StatementOptions

                home = lrs_config.home_page(settings_values(self._settings))
                store.statements = StatementOptions(home_page=home)
            store.on_queued = self.wake
        path = None if store is None or self.config is None else store.path
        if path == self._sender_path and (self.sender is not None) == (path is not None):
            return
        if self.sender is not None:
            self.sender.close(0.0)  # never blocks the screen; an old request just ends
            self.sender = None
        self._sender_path = path
        if path is not None:
            from bonescan_tutor.storage.lrs_sender import Sender

            self.sender = Sender(path, lambda: self.config)
            self.sender.start()


def _needs_a_person(failure: BonescanError) -> bool:
    from bonescan_tutor.storage.lrs_sender import LrsAuthError, LrsRejected

    return isinstance(failure, LrsAuthError | LrsRejected)
