"""The app itself sends a practice quiz to a real LRS as it is taken."""

from __future__ import annotations

from pathlib import Path

import pytest

from bonescan_tutor.storage import lrs_config
from bonescan_tutor.storage.progress import ProgressStore
from tests.gui.test_lrs_status import practice
from tests.gui.test_quiz import dataset_path  # noqa: F401 - fixture
from tests.gui.windows import main_window
from tests.lrs.conftest import Ralph

pytestmark = pytest.mark.lrs

WAIT_MS = 20_000  # a deadline for a stuck sender, not a speed target


def test_a_practice_quiz_reaches_the_lrs_one_statement_per_answer(
    qtbot, tmp_path: Path, dataset_path: Path, ralph: Ralph, monkeypatch  # noqa: F811
) -> None:
    from bonescan_tutor.gui.app import configure_pyqtgraph, make_settings

    configure_pyqtgraph()
    settings = make_settings(tmp_path / "settings.ini")
    monkeypatch.setenv(lrs_config.ENV_URL, f"{ralph.url}/xAPI/")
    monkeypatch.setenv(lrs_config.ENV_USER, ralph.user)
    monkeypatch.setenv(lrs_config.ENV_PASSWORD, ralph.password)
    with ProgressStore.open(tmp_path / "progress.sqlite3") as store:
        w = main_window(qtbot, settings, store, dataset_path)
        w.lrs.start()
        practice(qtbot, w, 3)
        qtbot.waitUntil(lambda: not store.waiting_statements(), timeout=WAIT_MS)
        registration = store.session(w.quiz.session_id).registration
        w.lrs.refresh()
        assert not w.lrs.label.isVisible()
        w.close()
    stored = ralph.statements(registration=registration)
    verbs = sorted(s["verb"]["display"]["en-US"] for s in stored)
    assert verbs == ["answered", "answered", "answered", "attempted", "completed"]
    assert {s["actor"]["name"] for s in stored} == {"Ana"}
