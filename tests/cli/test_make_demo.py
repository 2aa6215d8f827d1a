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
