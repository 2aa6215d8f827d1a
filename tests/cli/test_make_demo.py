"""``bonescan-tutor make-demo DIR [--patients N] [--seed S]``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bonescan_tutor import cli
from bonescan_tutor.datasets import demo

REPO = Path(__file__).resolve().parents[2]


def test_writes_a_demo_and_says_what_it_wrote(tmp_path, capsys):
    dest = tmp_path / "demo"
    assert cli.run(["make-demo", str(dest), "--patients", "3", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert str(dest) in out
    assert "1 patients (numbers 1-1)" in out and "2 patients (numbers 2-3)" in out
    assert "synthetic" in out.lower()
    assert (dest / demo.MARKER_NAME).is_file() and (dest / demo.SHEET_NAME).is_file()
    assert sorted(p.name for p in dest.rglob("*.png")) == ["A1.png", "A2.png", "A3.png",
                                                          "P1.png", "P2.png", "P3.png"]
    assert "seed 7, 3 patients" in (dest / demo.MARKER_NAME).read_text(encoding="utf-8")


def test_defaults_are_24_patients_and_seed_2024(monkeypatch, tmp_path, capsys):
    seen: dict[str, object] = {}

    def fake(dest, patients, seed, progress):
        seen.update(patients=patients, seed=seed)
        return Path(dest)

    monkeypatch.setattr(demo, "write_demo", fake)
    assert cli.run(["make-demo", str(tmp_path / "d")]) == 0
    assert seen == {"patients": 24, "seed": 2024}


def test_too_few_patients_is_a_usage_error(tmp_path, capsys):
    assert cli.run(["make-demo", str(tmp_path / "d"), "--patients", "1"]) == 2
    assert "at least 2" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_refuses_a_folder_holding_other_files(tmp_path, capsys):
    (tmp_path / "thesis.docx").write_text("precious")
    assert cli.run(["make-demo", str(tmp_path), "--patients", "2"]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and str(tmp_path) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.docx"]


def test_prints_progress_about_every_ten_percent_on_large_demos(monkeypatch, tmp_path, capsys):
    def fake(dest, patients, seed, progress):
        for done in range(1, patients + 1):
            progress(done, patients)
        return Path(dest)

    monkeypatch.setattr(demo, "write_demo", fake)
    assert cli.run(["make-demo", str(tmp_path / "d"), "--patients", "200"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "/200 patients" in ln]
    assert len(lines) == 10
    assert lines[-1].strip() == "200/200 patients (100 %)"


def test_never_imports_qt(tmp_path):
    code = (
        "import sys\n"
        "from bonescan_tutor import cli\n"
        f"assert cli.run(['make-demo', {str(tmp_path / 'd')!r}, '--patients', '2']) == 0\n"
        "bad = [m for m in ('PySide6', 'pyqtgraph', 'superqt', 'bonescan_tutor.gui') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_a_file_added_inside_an_old_demo_is_never_deleted(tmp_path, capsys):
    dest = tmp_path / "demo"
    assert cli.run(["make-demo", str(dest), "--patients", "3"]) == 0
    added = dest / "Bone metastases" / "Anterior" / "my notes.txt"
    added.write_text("mine")
    capsys.readouterr()
    assert cli.run(["make-demo", str(dest), "--patients", "4"]) == 2
    err = capsys.readouterr().err
    assert "my notes.txt" in err and "Bone metastases" in err
    assert added.read_text() == "mine"
    assert len(list(dest.rglob("*.png"))) == 6  # the old demo is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_an_image_beyond_the_old_demo_s_patients_is_not_taken_for_its_own(tmp_path, capsys):
    dest = tmp_path / "demo"
    assert cli.run(["make-demo", str(dest), "--patients", "3"]) == 0
    extra = dest / "No bone metastases" / "Anterior" / "A9.png"
    extra.write_bytes(b"a user's scan")
    capsys.readouterr()
    assert cli.run(["make-demo", str(dest), "--patients", "3"]) == 2
    assert "A9.png" in capsys.readouterr().err
    assert extra.read_bytes() == b"a user's scan"


def test_a_read_only_target_gives_a_clear_message(tmp_path, capsys, monkeypatch):
    import os
    import tempfile

    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o500)
    if os.access(parent, os.W_OK):  # root: permissions are not enforced, refuse as the OS would

        def refused(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(parent / ".demo.partial-x"))

        monkeypatch.setattr(tempfile, "mkdtemp", refused)
    try:
        assert cli.run(["make-demo", str(parent / "demo"), "--patients", "2"]) == 2
    finally:
        parent.chmod(0o700)
    err = capsys.readouterr().err
    assert "cannot write" in err and str(parent) in err
    assert "Traceback" not in err
    assert list(parent.iterdir()) == []


def test_a_failed_run_on_an_unwritable_folder_leaves_nothing(tmp_path, capsys, monkeypatch):
    dest = tmp_path / "demo"

    def no_space(self, data):  # the disk fills while the images are written
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", no_space)
    assert cli.run(["make-demo", str(dest), "--patients", "3"]) == 2
    err = capsys.readouterr().err
    assert "No space left" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_patients_are_capped_at_the_documented_limit(tmp_path, capsys):
    over = demo.MAX_PATIENTS + 1
    assert cli.run(["make-demo", str(tmp_path / "d"), "--patients", str(over)]) == 2
    err = capsys.readouterr().err
    assert f"at most {demo.MAX_PATIENTS}" in err
    assert not (tmp_path / "d").exists()
    help_text = subprocess.run([sys.executable, "-m", "bonescan_tutor", "make-demo", "--help"],
                               cwd=REPO, capture_output=True, text=True).stdout
    assert str(demo.MAX_PATIENTS) in help_text


def test_a_partial_folder_left_by_a_killed_run_is_cleared_by_the_next(tmp_path, capsys):
    dest = tmp_path / "demo"
    stale = tmp_path / ".demo.partial-abc123"
    (stale / "Bone metastases" / "Anterior").mkdir(parents=True)
    (stale / "Bone metastases" / "Anterior" / "A1.png").write_bytes(b"half")
    assert cli.run(["make-demo", str(dest), "--patients", "2"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_a_terminated_run_removes_its_partial_folder(tmp_path):
    import signal
    import time

    code = (
        "from bonescan_tutor import cli\n"
        f"cli.run(['make-demo', {str(tmp_path / 'demo')!r}, '--patients', '1000'])\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()  # "Writing a synthetic demo ..." once it has started
    while proc.poll() is None and not any(tmp_path.glob(".demo.partial-*/*/*/*.png")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert list(tmp_path.iterdir()) == []
