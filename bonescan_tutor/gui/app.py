"""The QApplication: settings, the exception hook, pyqtgraph's configuration, the window.

QSettings is created here and passed in (never global); it is an INI file in the
per-user config folder, so ``--home`` and tests redirect it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

import pyqtgraph as pg
from PySide6.QtCore import QMessageLogContext, QSettings, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from bonescan_tutor import __version__, paths

log = logging.getLogger(__name__)


def configure_pyqtgraph() -> None:
    """Set once, here: numpy images are (row, column) = (y, x)."""
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


def make_settings(path: Path | None = None) -> QSettings:
    path = path or paths.settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def app_icon() -> QIcon:
    """The window and taskbar icon; the executables carry the same picture (.ico/.icns)."""
    return QIcon(str(paths.resource("icons", "bonescan-tutor.png")))


QT_NOISE = ("This plugin does not support propagateSizeHints()",)
"""Qt messages that say nothing to a user (the offscreen platform's, once per window)."""


def _qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if any(noise in message for noise in QT_NOISE):
        return
    sys.stderr.write(message + "\n")


def make_application(argv: list[str] | None = None) -> QApplication:
    qInstallMessageHandler(_qt_message)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv or [sys.argv[0]])
    app.setApplicationName("bonescan-tutor")
    app.setApplicationDisplayName("bonescan-tutor")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("bonescan-tutor")
    app.setWindowIcon(app_icon())
    configure_pyqtgraph()
    return app


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """A bug: log the traceback and show it once with "Copy details"."""
    details = "".join(traceback.format_exception(kind, exc, tb))
    log.error("unexpected error\n%s", details)
    from bonescan_tutor.gui.dialogs.error import show_error

    show_error(None, "Unexpected error", f"{kind.__name__}: {exc}", details)


def run_app(args: argparse.Namespace) -> int:
    app = make_application()
    settings = make_settings()
    from bonescan_tutor.gui.main_window import MainWindow

    if args.self_test:
        from bonescan_tutor.gui.self_test import run_self_test

        return run_self_test(app, settings)
    sys.excepthook = _excepthook
    window = MainWindow(settings, trainee=args.trainee_name)
    window.show()
    if args.quiz_set:
        window.pending_quiz_set = Path(args.quiz_set)
    last = settings.value("dataset/last", None)
    dataset = args.dataset or (last if last and Path(str(last)).exists() else None)
    QTimer.singleShot(0, lambda: start(window, dataset, ask_trainee=not args.trainee_name))
    return app.exec()


def start(window, dataset: str | None, ask_trainee: bool) -> None:
    """First steps once the window shows: who is reading (on a shared lab PC), then data."""
    store = window.store()
    window.lrs.start()  # tries to send at once what earlier sessions left waiting
    if ask_trainee and store is not None and len(store.trainees()) > 1:
        window.switch_trainee()
    if dataset:
        window.open_dataset(dataset)
    else:
        window.open_demo()
