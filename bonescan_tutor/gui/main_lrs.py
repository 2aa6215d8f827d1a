"""The main window's Learning Record Store commands: Settings > Learning Record Store,
and the endpoint a quiz set proposes when it is opened.

``lrs_changed`` is the one place that tells the running sender the configuration
changed, after the dialog's OK or an accepted proposal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QMessageBox

from bonescan_tutor.gui.dialogs import lrs_settings_model as model

if TYPE_CHECKING:
    from bonescan_tutor.gui.main_window import MainWindow
    from bonescan_tutor.storage.quizsets import QuizSet


def lrs_settings(window: MainWindow) -> bool:
    """Settings > Learning Record Store; True when OK saved it."""
    from bonescan_tutor.gui.dialogs.lrs_settings import LrsSettingsDialog

    if window._blocked("lrs_settings"):
        return False
    dialog = LrsSettingsDialog(window.settings, window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    lrs_changed(window)
    if dialog.saved_warning:
        window.statusBar().showMessage(dialog.saved_warning, 15_000)
    return True


def lrs_changed(window: MainWindow) -> None:
    """The LRS settings changed: the sender sends to the new one from its next try
    (statements already waiting included), and the status bar says so."""
    window.lrs.reload_settings()


def proposal_box(window: MainWindow, quiz_set: QuizSet, endpoint: str) -> QMessageBox:
    current = str(window.settings.value(model.SETTING_URL, "") or "") or "none is set"
    box = QMessageBox(QMessageBox.Icon.Question, "Learning Record Store",
                      f"The quiz set “{quiz_set.title}” proposes sending your answers and "
                      f"results to the Learning Record Store at\n\n{endpoint}\n\n"
                      f"(the one in Settings now: {current}).\n\nUse this one from now on? "
                      "You will be asked for its user name and password.", parent=window)
    box.setObjectName("lrsProposal")
    box.addButton("&Use this LRS", QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton("&Keep mine", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    return box


def propose_endpoint(window: MainWindow, quiz_set: QuizSet) -> None:
    """Offer the quiz set's LRS endpoint when it differs from the configured one;
    declined, it is not offered again for this quiz set."""
    endpoint = getattr(quiz_set, "lrs_endpoint", None)
    if not model.should_propose(window.settings, quiz_set.id, endpoint):
        return
    assert endpoint is not None
    box = proposal_box(window, quiz_set, endpoint)
    box.exec()
    if box.buttonRole(box.clickedButton()) is not QMessageBox.ButtonRole.AcceptRole:
        model.decline(window.settings, quiz_set.id, endpoint)
        return
    model.accept_endpoint(window.settings, endpoint)
    if not lrs_settings(window):  # credentials not given now: the endpoint is still used
        lrs_changed(window)
