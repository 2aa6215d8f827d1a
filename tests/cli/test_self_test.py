"""`bonescan-tutor --self-test` passes on the shipped demo, as the bundle's smoke test runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bonescan_tutor.gui.self_test import _check_late_libraries


def max_bracket_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(ch, 0)
        deepest = max(deepest, depth)
    return deepest


def test_self_test_passes_and_leaves_the_users_progress_alone(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BONESCAN_TUTOR_HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "bonescan_tutor", "--self-test"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "self-test: ok" in r.stdout and "practice quiz answered, saved and exported" in r.stdout
    assert max_bracket_depth(r.stdout) <= 1, r.stdout  # no brackets inside brackets
    assert not (tmp_path / "data" / "progress.sqlite3").exists()


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_self_test_touches_nothing_in_the_users_folders(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folders = {"HOME": home, "XDG_CONFIG_HOME": home / ".config", "XDG_CACHE_HOME": home / ".cache",
               "XDG_DATA_HOME": home / ".local" / "share", "XDG_STATE_HOME": home / ".local" / "state"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    before = _files(home)
    env = {k: v for k, v in os.environ.items() if k != "BONESCAN_TUTOR_HOME"}
    env.update({k: str(v) for k, v in folders.items()}, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-m", "bonescan_tutor", "--self-test"],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert _files(home) == before  # no settings, cache or progress written
    assert "propagateSizeHints" not in r.stderr


@pytest.mark.parametrize("missing", ["requests", "keyring.backends.SecretService"])
def test_self_test_names_a_library_the_lrs_client_cannot_load(
    missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle built without one of them fails its self-test, naming it."""
    monkeypatch.setitem(sys.modules, missing, None)  # import raises ImportError
    failures: list[str] = []
    _check_late_libraries(failures)
    assert len(failures) == 1 and missing in failures[0]


def test_the_first_case_is_shown_before_exports_lrs_and_quiz_code_load(tmp_path: Path) -> None:
    """Start-up does only what showing the first case needs: pandas, the LRS client, the
    review scheduler, quiz-set files and numpy's masked arrays load later (openpyxl
    loads: the demo's labels are in its spreadsheet)."""
    code = (
        "import sys\n"
        "from bonescan_tutor import paths\n"
        "from bonescan_tutor.gui.app import make_application, make_settings\n"
        "from bonescan_tutor.datasets.detect import open_dataset\n"
        "from bonescan_tutor.core.cases import Projection\n"
        "app = make_application()\n"
        "from bonescan_tutor.gui.main_window import MainWindow\n"
        "w = MainWindow(make_settings(), trainee='t'); w.show()\n"
        "w.set_dataset(*open_dataset(paths.demo_dataset_dir())); w.scans.repaint()\n"
        "assert w.displayed(Projection.ANTERIOR) is not None\n"
        "late = ('pandas', 'requests', 'keyring', 'fsrs', 'numpy.ma', 'scipy',\n"
        "        'matplotlib', 'superqt', 'bonescan_tutor.storage.quizsets',\n"
        "        'bonescan_tutor.storage.results', 'bonescan_tutor.gui.quiz.screen')\n"
        "print([m for m in late if m in sys.modules])\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BONESCAN_TUTOR_HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"
