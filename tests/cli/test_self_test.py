"""`bonescan-tutor --self-test` passes on the shipped demo, as the bundle's smoke test runs it."""

from __future__ import annotations

import json
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


# The app as a trainee starts it (``bonescan-tutor --home HOME``, which opens the demo),
# watched where the main window learns that its first case is painted: what is loaded
# then, and once the work that waited for it has run.
WATCHED_START = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.gui import main_window

LATE = json.loads(sys.argv[1])
seen = {}
first_case_done = main_window.MainWindow.first_case_done

def watched(self):
    if not seen:
        seen["drawn"] = self.scans.drawn and all(self.displayed(p) is not None
                                                 for p in Projection)
        seen["loaded"] = [m for m in LATE if m in sys.modules]
        seen["tools"] = self.viewer.controls_holder.layout().count()
        seen["annotations"] = self.annotations is not None
        seen["lrs"] = self.lrs.sender is not None
    first_case_done(self)
    QTimer.singleShot(0, lambda: after(self))  # after what waited (queued before it)

def after(self):
    seen["tools_after"] = self.viewer.controls_holder.layout().count()
    seen["annotated_cases"] = len(self.annotations.cases) if self.annotations else 0
    seen["lrs_after"] = self.lrs.sender is not None
    seen["status"] = self.statusBar().currentMessage()
    print(json.dumps(seen), flush=True)
    QApplication.closeAllWindows()

main_window.MainWindow.first_case_done = watched
from bonescan_tutor.__main__ import main
sys.exit(main(sys.argv[2:]))
"""

LATE_MODULES = [
    # exports, the LRS client, the review scheduler, quiz sets and results, masked arrays
    "pandas", "requests", "keyring", "fsrs", "numpy.ma", "scipy", "matplotlib",
    "bonescan_tutor.storage.quizsets", "bonescan_tutor.storage.results",
    "bonescan_tutor.gui.quiz.screen",
    # the tools beside the scans (superqt), the spreadsheet reader (the demo's rows ship
    # parsed), the expert annotations
    "superqt", "bonescan_tutor.gui.viewer.controls", "openpyxl",
    "bonescan_tutor.storage.annotations",
    # the Learning Record Store sender
    "bonescan_tutor.storage.lrs_sender",
]


def test_the_first_case_is_drawn_before_what_waits_for_it_loads(tmp_path: Path) -> None:
    """A first start on the demo (an empty home), with an LRS configured: the first case
    is painted before pandas, the review scheduler, quiz-set code, the tools beside the
    scans, openpyxl, the annotations and the LRS sender load; then the tools, the
    annotations and the sender come."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",  # an LRS that refuses at once
               BONESCAN_TUTOR_LRS_URL="http://127.0.0.1:9/xAPI/",
               BONESCAN_TUTOR_LRS_USER="lab", BONESCAN_TUTOR_LRS_PASSWORD="pw")
    r = subprocess.run([sys.executable, "-c", WATCHED_START, json.dumps(LATE_MODULES),
                        "--home", str(tmp_path / "home")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    seen = json.loads(r.stdout.strip().splitlines()[-1])
    assert seen["drawn"] and seen["loaded"] == [], seen
    assert seen["tools"] == 0 and not seen["annotations"] and not seen["lrs"], seen
    assert seen["tools_after"] == 1 and seen["annotated_cases"] > 0, seen
    assert seen["lrs_after"], seen
    assert "24 cases" in seen["status"], seen


def test_the_modules_loaded_before_qt_do_not_load_it() -> None:
    """The start loads these before Qt (PySide6 then does not read their source); one
    that came to import Qt would load Qt early and for nothing."""
    code = ("import sys\nfrom bonescan_tutor.cli import BEFORE_QT, _load_before_qt\n"
            "_load_before_qt()\nprint(all(m in sys.modules for m in BEFORE_QT), sorted(\n"
            "    m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == "True []"
