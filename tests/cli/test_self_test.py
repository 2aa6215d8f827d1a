"""`bonescan-tutor --self-test` passes on the shipped demo, as the bundle's smoke test runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_self_test_passes_and_leaves_the_users_progress_alone(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BONESCAN_TUTOR_HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "bonescan_tutor", "--self-test"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "self-test: ok" in r.stdout and "practice quiz answered and saved" in r.stdout
    assert not (tmp_path / "data" / "progress.sqlite3").exists()
