"""A manifest of clinic screen captures through `validate --deep` and `analyze`."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from bonescan_tutor.core.cases import Projection
from tests.clinic_captures import LEFT, TOP, clinic_manifest


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bonescan_tutor", *args],
                          capture_output=True, text=True)


def test_validate_deep_names_inverted_and_combined_images(tmp_path: Path) -> None:
    caps = clinic_manifest(tmp_path)
    r = cli("validate", str(tmp_path), "--deep", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["cases"] == 5 and report["usable_in_quizzes"] == 5
    assert not [p for p in report["problems"] if p["severity"] == "error"]
    inverted = report["display_inverted"]
    assert sorted(inverted) == sorted(f"{caps[k].path} ({p.value})" for k in ("inverted", "jpeg")
                                      for p in Projection)
    assert sorted(report["combined_images"]) == sorted(str(c.path) for c in caps.values())
    assert sorted(report["may_show_patient_details"]) == sorted(str(c.path) for c in caps.values())
    text = cli("validate", str(tmp_path), "--deep").stdout
    assert "4 views were display-inverted; read with uptake bright" in text
    assert "inverted.jpg is a 856 x 1132 8-bit colour JPEG read as luminance" in text


def test_analyze_finds_the_lesion_where_the_separate_16_bit_views_have_it(tmp_path: Path) -> None:
    clinic_manifest(tmp_path)
    sep = json.loads(cli("analyze", str(tmp_path), "--case", "sep", "--json").stdout)
    truth = sep["views"]["anterior"]["hotspots"][0]
    assert truth["side"] == "right"
    # The separate view was pasted at (LEFT, TOP) of each AP capture.
    want = (truth["x"] + LEFT, truth["y"] + TOP)
    for key in ("normal", "inverted", "jpeg", "pa"):
        r = cli("analyze", str(tmp_path), "--case", key, "--json")
        assert r.returncode == 0, r.stderr
        report = json.loads(r.stdout)
        assert set(report) == set(sep) and set(report["views"]) == set(sep["views"])
        view = report["views"]["anterior"]
        assert set(sep["views"]["anterior"]) <= set(view)
        spot = view["hotspots"][0]
        assert spot["side"] == "right" and spot["region"] == truth["region"]
        x0, y0 = view["box"][:2]
        origin = (LEFT + 256 + 64, TOP) if key == "pa" else (LEFT, TOP)
        x, y = spot["x"] + x0 - origin[0] + LEFT, spot["y"] + y0 - origin[1] + TOP
        assert math.hypot(x - want[0], y - want[1]) <= 8, (key, x, y, want)
        assert view["display_inverted"] == (key in ("inverted", "jpeg"))


def test_render_of_a_combined_capture_shows_the_two_crops(tmp_path: Path) -> None:
    from PIL import Image

    clinic_manifest(tmp_path)
    out = tmp_path / "fig.png"
    r = cli("render", str(tmp_path), "--case", "inverted", "--out", str(out))
    assert r.returncode == 0, r.stderr
    with Image.open(out) as im:
        # Two crops about one view wide each, not the whole 856-pixel capture.
        assert 2 * 240 <= im.width <= 2 * 256 + 40 and im.height >= 1000


def test_notes_on_how_captures_were_read_are_not_counted_as_problems(tmp_path: Path) -> None:
    """A clean capture manifest has notes (split, inverted, JPEG) but nothing to fix: the
    count of problems says 0, the notes are counted apart, in the CLI and the report."""
    from bonescan_tutor.core.validation import ProblemKind, Severity, ValidationReport
    from bonescan_tutor.datasets.detect import open_dataset

    clinic_manifest(tmp_path)
    r = cli("validate", str(tmp_path), "--deep")
    assert r.returncode == 0, r.stderr
    problems = json.loads(cli("validate", str(tmp_path), "--deep", "--json").stdout)["problems"]
    to_fix = sum(p["severity"] != "info" for p in problems)
    notes = len(problems) - to_fix
    assert notes > 0
    assert f"{to_fix} problem(s): 0 error(s), {to_fix} warning(s); {notes} note(s)" in r.stdout
    _, report = open_dataset(tmp_path)
    assert report.notes and report.counts_text().startswith(f"{len(report.warnings)} problem(s)")
    mixed = ValidationReport()
    mixed.add("a.png", ProblemKind.TRUNCATED_IMAGE, "cut short")
    mixed.add("b.png", ProblemKind.COMBINED_IMAGE, "split", Severity.INFO)
    assert mixed.counts_text() == "1 problem(s): 1 error(s), 0 warning(s); 1 note(s)"
