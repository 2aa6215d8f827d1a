"""`bonescan-tutor validate` and the front door, run as a user would (a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.builders import Spec, build


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bonescan_tutor", *args],
                          capture_output=True, text=True, timeout=120)


def test_validate_reports_layout_counts_and_no_problems(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    r = cli("validate", str(top))
    assert r.returncode == 0, r.stderr
    assert "IICS-UNA" in r.stdout and "cases:       5 (5 usable in quizzes)" in r.stdout
    assert "Bone metastases:     2" in r.stdout and "No bone metastases:  3" in r.stdout
    assert "No problems found." in r.stdout


def test_validate_json_lists_problems_with_their_files(tmp_path: Path) -> None:
    top = build(tmp_path / "d", Spec(sheet_name=None))
    (top / "Bone metastases" / "Anterior" / "A1.png").write_bytes(b"")
    r = cli("validate", str(top), "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] and report["cases"] == 5
    assert report["per_class"] == {"Bone metastases": 2, "No bone metastases": 3}
    kinds = {p["kind"]: p for p in report["problems"]}
    assert kinds["empty file"]["file"].endswith("A1.png")
    assert "no spreadsheet" in kinds


def test_validate_a_path_that_is_no_dataset_fails_with_one_line(tmp_path: Path) -> None:
    r = cli("validate", str(tmp_path / "missing"))
    assert r.returncode == 1
    assert r.stdout.strip().count("\n") == 0 and "no such file or folder" in r.stdout


def test_validate_deep_finds_damaged_pixels_in_a_zip(tmp_path: Path) -> None:
    import zipfile

    top = build(tmp_path / "d", Spec(n_met=1, n_normal=1))
    out = tmp_path / "d.zip"
    with zipfile.ZipFile(out, "w") as zf:  # stored, so a cut PNG stays a cut PNG
        for f in sorted(top.rglob("*")):
            if f.is_file():
                data = f.read_bytes()
                if f.name == "P2.png":
                    data = data[: len(data) // 2]
                zf.writestr(f.relative_to(tmp_path).as_posix(), data)
    assert "No problems found." in cli("validate", str(out)).stdout
    r = cli("validate", str(out), "--deep")
    assert r.returncode == 0 and "P2.png" in r.stdout and "incomplete" in r.stdout


def test_headless_commands_do_not_load_qt_or_pandas(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    code = (
        "import sys; from bonescan_tutor.cli import run; rc = run(['validate', sys.argv[1]]);"
        "bad = [m for m in ('PySide6', 'pyqtgraph', 'pandas') if m in sys.modules];"
        "print('LOADED', bad); sys.exit(rc)"
    )
    r = subprocess.run([sys.executable, "-c", code, str(top)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "LOADED []" in r.stdout


def test_no_display_prints_how_to_run_instead_of_aborting(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, "-m", "bonescan_tutor"], capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 2
    assert "QT_QPA_PLATFORM=offscreen" in r.stderr and "--self-test" in r.stderr


def test_help_lists_the_commands() -> None:
    r = cli("--help")
    assert r.returncode == 0 and "validate" in r.stdout and "synthetic" in r.stdout


def test_starting_the_app_loads_no_command_code_and_commands_load_only_themselves() -> None:
    from bonescan_tutor.cli import COMMANDS, commands_needed

    assert commands_needed(["--self-test"]) == ()
    assert commands_needed(["--dataset", "my data", "--trainee", "Ana"]) == ()
    assert commands_needed(["validate", "x"]) == ("validate",)
    assert commands_needed(["--home", "h", "make-demo", "d"]) == ("make_demo",)
    assert commands_needed(["--help"]) == COMMANDS
    assert commands_needed(["valdate", "x"]) == COMMANDS  # argparse then lists the choices
    r = cli("valdate", "x")
    assert r.returncode == 2 and "invalid choice" in r.stderr and "validate" in r.stderr
