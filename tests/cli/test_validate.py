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
    assert r.stderr.strip().count("\n") == 0 and "no such file or folder" in r.stderr
    assert r.stdout == ""


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
    assert "(1 usable in quizzes)" in r.stdout and "case 2: the posterior view fails" in r.stdout


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


def _not_pngs(tmp_path: Path) -> Path:
    top = tmp_path / "scans"
    for name in ("A1.png", "P1.png", "A2.png"):
        f = top / "Bone metastases" / ("Anterior" if name[0] == "A" else "Posterior") / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("this is not an image")
    return top


def _manifest_missing_a_column(tmp_path: Path) -> Path:
    top = tmp_path / "mine"
    top.mkdir(exist_ok=True)
    (top / "manifest.csv").write_text("case,anterior,posterior\n1,a.png,p.png\n")
    return top


def test_validate_lists_a_problem_whenever_it_points_to_them(tmp_path: Path) -> None:
    for path in (_not_pngs(tmp_path), _manifest_missing_a_column(tmp_path),
                 _manifest_missing_a_column(tmp_path) / "manifest.csv"):
        r = cli("validate", str(path))
        assert r.returncode == 1
        problems = [ln for ln in r.stdout.splitlines() if ln.startswith("  error:")]
        assert problems, (path, r.stdout, r.stderr)
        j = cli("validate", "--json", str(path))
        report = json.loads(j.stdout)
        assert report["ok"] is False and report["error"] and report["problems"]


def test_a_manifest_missing_a_column_names_the_column(tmp_path: Path) -> None:
    r = cli("validate", str(_manifest_missing_a_column(tmp_path)))
    assert "diagnosis" in r.stderr and "not a dataset this app can read" not in r.stderr
    assert "missing column" in r.stdout or "diagnosis" in r.stdout


def test_json_output_stays_json_when_nothing_is_usable(tmp_path: Path) -> None:
    top = build(tmp_path / "d", Spec(n_met=1, n_normal=1))
    (top / "Bone metastases" / "Anterior" / "A1.png").unlink()
    (top / "No bone metastases" / "Anterior" / "A2.png").unlink()
    r = cli("validate", "--json", str(top))
    report = json.loads(r.stdout)  # nothing but the JSON on stdout
    assert r.returncode == 1 and report["ok"] is False
    assert report["quiz_cases"] == 0 and report["usable_in_quizzes"] == 0
    assert "no usable case" in r.stderr


def test_only_complete_agreed_cases_are_usable_in_quizzes(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from tests.builders import scan_array, write_png

    top = build(tmp_path / "d", Spec(n_met=2, n_normal=4))  # patients 1-2 met, 3-6 not
    (top / "Bone metastases" / "Anterior" / "A1.png").unlink()  # a missing view
    p2 = top / "Bone metastases" / "Posterior" / "P2.png"
    p2.write_bytes(p2.read_bytes()[:-200])  # a truncated image
    for view, letter in (("Anterior", "A"), ("Posterior", "P")):  # a folder/sheet conflict
        (top / "No bone metastases" / view / f"{letter}4.png").rename(
            top / "Bone metastases" / view / f"{letter}4.png")
    book = top / "Bone Scan Images Dataset.xlsx"
    wb = load_workbook(book)
    wb.active.append([9, "A9", "P9", ".png", None, "Female", 50, 60, 160, "No bone metastases"])
    wb.save(book)  # a row without images
    for letter, view in (("A", "Anterior"), ("P", "Posterior")):  # images without a row
        write_png(top / "No bone metastases" / view / f"{letter}12.png", scan_array(12))
    r = cli("validate", "--json", str(top))
    report = json.loads(r.stdout)
    assert r.returncode == 0
    assert report["cases"] == 6  # patients 1-6 load (for browsing); 9 and 12 do not
    assert report["usable_in_quizzes"] == report["quiz_cases"] == 3  # patients 3, 5 and 6
    left_out = report["left_out_of_quizzes"]
    assert set(left_out) == {"1", "2", "4"}
    assert "anterior" in left_out["1"] and "posterior" in left_out["2"]
    assert "disagree" in left_out["4"]
    text = cli("validate", str(top)).stdout
    assert f"({report['usable_in_quizzes']} usable in quizzes)" in text
