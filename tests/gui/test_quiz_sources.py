"""Quizzes run on every kind of case collection, and teaching notes show at feedback."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

from bonescan_tutor.core.cases import Diagnosis, Layout
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.core.quiz_session import SessionState
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.main_window import MainWindow
from bonescan_tutor.storage.progress import ProgressStore
from tests.builders import scan_array

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "manifest-example"


def _bs80k(root: Path) -> Path:
    for view in ("wholeBodyANT", "wholeBodyPOST"):
        folder = root / view
        folder.mkdir(parents=True)
        lines = []
        for i in range(1, 5):
            Image.fromarray((scan_array(i) // 257).astype("uint8")).save(folder / f"{i:04d}.jpg")
            lines.append(f"{i:04d}.jpg {int(i <= 2)}")
        (folder / f"{view}.txt").write_text("\n".join(lines) + "\n")
    return root


def _take_quiz(qtbot, settings, tmp_path: Path, dataset_path: Path) -> tuple[MainWindow, list[str]]:
    store = ProgressStore.open(tmp_path / "p.sqlite3")
    w = MainWindow(settings, store=store, trainee="Ana")
    qtbot.addWidget(w)
    w.show()
    w.set_dataset(*open_dataset(dataset_path))
    keys = tuple(c.key for c in w.dataset.quiz_cases)
    w.start_quiz(QuizSpec.create("Sources", keys, QuizMode.PRACTICE, seed=2))
    feedback = []
    for _ in keys:
        w.quiz.set_certainty(70)
        w.quiz_screen.answer(Diagnosis.METASTASES)
        feedback.append(w.quiz_screen.feedback.text())
        w.quiz_screen.next_case()
    assert w.quiz.session.state is SessionState.FINISHED
    assert len(store.attempts(session_id=w.quiz.session_id)) == len(keys)
    return w, feedback


def test_a_bs80k_collection_can_be_quizzed(qtbot, settings, tmp_path: Path) -> None:
    w, _ = _take_quiz(qtbot, settings, tmp_path, _bs80k(tmp_path / "bs"))
    assert w.dataset.layout is Layout.BS80K
    assert "BS-80K" in w.library.layout_label.text()


def test_an_instructors_manifest_can_be_quizzed_and_its_notes_teach(qtbot, settings, tmp_path) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(EXAMPLE, folder)
    w, feedback = _take_quiz(qtbot, settings, tmp_path, folder)
    assert w.dataset.layout is Layout.MANIFEST
    notes = [c.clinical.note for c in w.dataset.cases if c.clinical.note]
    assert notes and any(f"Teaching note: {n}" in text for n in notes for text in feedback)
