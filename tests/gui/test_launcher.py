"""Unwritable places: the progress file and a results file offer another folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from bonescan_tutor.gui.quiz import launcher


def _answers(monkeypatch, folders: list[Path], asked: list[str]) -> None:
    """The user says yes to every warning and picks ``folders`` in turn."""
    picks = iter(folders)

    def warning(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(next(picks))))


def test_an_unusable_progress_location_offers_another_folder(qapp, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    good = tmp_path / "good"
    good.mkdir()
    asked: list[str] = []
    _answers(monkeypatch, [good], asked)
    store = launcher.open_progress(None, blocker / "progress.sqlite3")
    assert store is not None and store.path == good / "progress.sqlite3"
    assert "not-a-folder" in asked[0] and "Choose another folder for your progress?" in asked[0]
    store.close()


def test_an_unwritable_results_folder_offers_another(qapp, tmp_path, monkeypatch) -> None:
    from bonescan_tutor.core.cases import Diagnosis
    from tests.storage.instructor_data import answer, quiz_set

    qs = quiz_set(results_folder=str(tmp_path / "missing"))
    attempts = [answer("1", Diagnosis.METASTASES, Diagnosis.METASTASES)]
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    good = tmp_path / "results"
    good.mkdir()
    asked: list[str] = []
    _answers(monkeypatch, [not_a_folder, good], asked)  # first pick cannot be written to
    written = launcher.save_results(None, qs, "Ana", attempts)
    assert written is not None and written.parent == good and written.suffix == ".bstresult"
    assert len(asked) == 1 and "Choose another folder for the results file?" in asked[0]
