"""Cohort results from the Learning Record Store: the dialog shows what the .bstresult
files of the same quiz give (a real Ralph), and says clearly what is missing or wrong."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from bonescan_tutor.gui.app import make_settings
from bonescan_tutor.gui.instructor import cohort_dialog, cohort_source
from bonescan_tutor.gui.instructor.cohort_dialog import CohortDialog
from bonescan_tutor.gui.instructor.cohort_model import trainee_columns
from bonescan_tutor.gui.instructor.cohort_source import FILES, LRS
from bonescan_tutor.storage.lrs_config import ENV_URL, SETTING_URL, SETTING_USER
from tests.gui.lrs_dialog_helpers import closed_port
from tests.gui.windows import on_screen
from tests.lrs.conftest import Ralph
from tests.lrs.test_cohort_lrs import sent_to
from tests.storage.instructor_data import week4_cohort


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    for module in (cohort_dialog, cohort_source):
        monkeypatch.setattr(module, "show_error", lambda _p, _t, message: shown.append(message))
    return shown


def _quiz(tmp_path: Path):
    cohort = week4_cohort(tmp_path, quiz_id=f"q-{uuid.uuid4()}", answers={})
    return cohort.dataset, cohort.quiz_set, cohort.set_file


def _dialog(qtbot, tmp_path: Path, dataset) -> CohortDialog:
    settings = make_settings(tmp_path / "settings.ini")
    return _open(qtbot, settings, dataset)


def _open(qtbot, settings, dataset) -> CohortDialog:
    dialog = CohortDialog(settings, dataset)
    on_screen(qtbot, dialog)
    return dialog


def _rows(table, skip: tuple[int, ...] = ()) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount()) if c not in skip]
            for r in range(table.rowCount())]


def _sent(tmp_path: Path, ralph: Ralph):
    """The quiz, its three trainees' results files, and their statements in the LRS."""
    cohort = week4_cohort(tmp_path, quiz_id=f"q-{uuid.uuid4()}")
    return cohort.dataset, cohort.set_file, cohort.inbox, sent_to(ralph, tmp_path, cohort)


@pytest.mark.lrs
def test_the_lrs_source_shows_what_the_results_files_show(
        qtbot, tmp_path: Path, ralph: Ralph, ring) -> None:
    dataset, set_file, inbox, endpoint = _sent(tmp_path, ralph)
    settings = make_settings(tmp_path / "settings.ini")
    settings.setValue(SETTING_URL, endpoint)  # as Settings > Learning Record Store saves them
    settings.setValue(SETTING_USER, ralph.user)
    ring.set_password("bonescan-tutor LRS", f"{ralph.user}@{endpoint}", ralph.password)

    by_files = _open(qtbot, settings, dataset)
    by_files.use_quiz_set(set_file)
    with qtbot.waitSignal(by_files.loaded, timeout=30_000):
        by_files.load([inbox])

    dialog = _open(qtbot, settings, dataset)
    dialog.use_quiz_set(set_file)
    assert dialog.source.url.text() == endpoint  # prefilled from the settings
    assert not dialog.source.url.isVisible()
    dialog.source.choice.setFocus()
    QTest.keyClick(dialog.source.choice, Qt.Key.Key_Down)  # Learning Record Store
    assert dialog.source.kind == LRS and dialog.source.url.isVisible()
    assert not dialog.files_button.isVisible()
    with qtbot.waitSignal(dialog.loaded, timeout=30_000) as got:
        QTest.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # Read from the &LRS
        qtbot.waitUntil(lambda: dialog.source.busy.isVisible() or dialog.report is not None)
    report = got.args[0]
    assert not dialog.source.busy.isVisible() and dialog.source.read_button.isEnabled()
    assert dialog.source.read_so_far == 18  # the progress count: 3 x (start, 4 answers, end)
    assert [r.trainee for r in report.cohort.results] == ["Ana", "Ben", "Cy"]
    assert dialog.headline.text() == by_files.headline.text()
    file_col = trainee_columns().index("File")
    assert _rows(dialog.trainees, (file_col,)) == _rows(by_files.trainees, (file_col,))
    assert _rows(dialog.items) == _rows(by_files.items)
    assert all(name.endswith(".xapi") for name in
               (dialog.trainees.item(r, file_col).text() for r in range(3)))
    with qtbot.waitSignal(dialog.loaded, timeout=30_000):  # a new preference merges again
        dialog.prefer.setCurrentIndex(1)
    assert dialog.lrs_read and dialog.source.kind == LRS


def test_reading_the_lrs_needs_the_quiz_set_and_says_so(qtbot, tmp_path: Path, ring,
                                                        errors) -> None:
    dataset, _qs, set_file = _quiz(tmp_path)
    dialog = _dialog(qtbot, tmp_path, dataset)
    dialog.source.choose(LRS)
    dialog.source.url.setText("https://lrs.example.org/xAPI/")
    dialog.source.read_button.click()
    assert errors == ["Choose the quiz set first (Quiz set…): its statements are read."]
    assert dialog.headline.text() == errors[0]
    nothing = _dialog(qtbot, tmp_path, None)
    nothing.use_quiz_set(set_file)
    nothing.source.choose(LRS)
    nothing.source.url.setText("https://lrs.example.org/xAPI/")
    nothing.source.read_button.click()
    assert "Open the dataset the quiz was made on first" in errors[-1]
    dialog.use_quiz_set(set_file)
    dialog.source.url.setText("")
    dialog.source.read_button.click()
    assert "Give the LRS address first" in errors[-1]


def test_an_lrs_that_does_not_answer_is_named(qtbot, tmp_path: Path, ring, errors) -> None:
    dataset, _qs, set_file = _quiz(tmp_path)
    dialog = _dialog(qtbot, tmp_path, dataset)
    dialog.use_quiz_set(set_file)
    dialog.source.choose(LRS)
    url = f"http://127.0.0.1:{closed_port()}/xAPI/"
    dialog.source.url.setText(url)
    dialog.source.read_button.click()
    qtbot.waitUntil(lambda: bool(errors), timeout=30_000)
    assert errors == [f"The Learning Record Store at {url} cannot be reached (ConnectionError)."]
    assert dialog.headline.text() == errors[0] and dialog.source.read_button.isEnabled()
    assert dialog.files_button.isEnabled()
    dialog.source.choose(FILES)
    assert dialog.files_button.isVisible() and not dialog.source.url.isVisible()


def test_the_lab_environment_names_the_lrs_read_only(qtbot, tmp_path: Path, ring,
                                                     monkeypatch) -> None:
    dataset, _qs, _set = _quiz(tmp_path)
    monkeypatch.setenv(ENV_URL, "http://lab-lrs:8100/xAPI/")
    dialog = _dialog(qtbot, tmp_path, dataset)
    dialog.source.choose(LRS)
    assert dialog.source.url.text() == "http://lab-lrs:8100/xAPI/"
    assert dialog.source.url.isReadOnly()


@pytest.mark.lrs
def test_cohort_lrs_on_the_command_line_takes_the_user_and_password_of_the_settings(
        qapp, tmp_path: Path, ralph: Ralph, ring, capsys) -> None:
    import json

    from bonescan_tutor import cli
    from bonescan_tutor.gui.dialogs.lrs_settings_model import LrsForm

    dataset, set_file, _inbox, endpoint = _sent(tmp_path, ralph)
    settings = make_settings()  # the app's own settings file, in the test's home
    LrsForm(url=endpoint, user=ralph.user, password=ralph.password).save(settings)
    settings.sync()
    assert ring.kept  # the password went to the keyring, the user to the settings file
    common = ["--quiz-set", str(set_file), "--dataset", str(dataset.root), "--json"]
    assert cli.run(["cohort", "--lrs", endpoint, "--out", str(tmp_path / "lrs.xlsx"),
                    *common]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [t["trainee"] for t in report["trainees"]] == ["Ana", "Ben", "Cy"]
