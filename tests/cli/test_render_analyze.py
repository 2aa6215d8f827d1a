"""`render` and `analyze` on the demo: figures written, planted lesions found, bad input told."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from bonescan_tutor import paths
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.datasets.demo import demo_plan, generate_patient

DEMO = str(paths.demo_dataset_dir())


def image(path: Path) -> Image.Image:
    with Image.open(path) as im:
        im.load()
        return im


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bonescan_tutor", *args],
                          capture_output=True, text=True)


def test_render_writes_a_labelled_figure_with_a_colour_bar_only_for_asymmetry(tmp_path: Path) -> None:
    plain, overlaid = tmp_path / "plain.png", tmp_path / "asym.png"
    assert cli("render", DEMO, "--case", "3", "--out", str(plain)).returncode == 0
    r = cli("render", DEMO, "--case", "3", "--out", str(overlaid), "--overlay", "asymmetry,hotspots",
            "--scale", "2", "--preset", "bone-20", "--colormap", "hot iron")
    assert r.returncode == 0, r.stderr
    a, b = image(plain), image(overlaid)
    assert b.width == 2 * a.width and b.height > 2 * a.height  # scaled, plus the colour bar
    assert np.asarray(a.convert("L")).std() > 10


def test_render_one_view_and_a_raw_window(tmp_path: Path) -> None:
    out = tmp_path / "p.png"
    r = cli("render", DEMO, "--case", "9", "--view", "posterior", "--window", "0:30000",
            "--no-invert", "--out", str(out))
    assert r.returncode == 0, r.stderr
    both = tmp_path / "both.png"
    cli("render", DEMO, "--case", "9", "--out", str(both))
    assert image(out).width < image(both).width


def test_analyze_json_finds_the_planted_lesions() -> None:
    plan = next(p for p in demo_plan(24, 2024) if p.metastatic and not p.superscan)
    truth = generate_patient(plan.number, True, 2024)
    r = cli("analyze", DEMO, "--case", str(plan.number), "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert "not a diagnosis" in report["note"]
    for projection in Projection:
        spots = report["views"][projection.value]["hotspots"]
        lesions = [les for les in truth.lesions if les.projection is projection
                   and les.kind == "metastasis" and les.region not in ("spine", "sacrum", "sternum")]
        found = 0
        for les in lesions:
            near = [s for s in spots if abs(s["x"] - les.x) <= 8 and abs(s["y"] - les.y) <= 8]
            if near:
                found += 1
                assert near[0]["side"] == les.side, (projection, les)
        assert found >= max(1, len(lesions) // 2), (projection, lesions, spots)


def test_a_normal_case_gives_near_zero_indices() -> None:
    plan = next(p for p in demo_plan(24, 2024) if not p.metastatic)
    report = json.loads(cli("analyze", DEMO, "--case", str(plan.number), "--json").stdout)
    for view in report["views"].values():
        assert view["midline"]["confident"]
        assert all(abs(r["index"]) < 0.15 for r in view["regions"])


def test_bad_requests_say_what_would_work(tmp_path: Path) -> None:
    out = str(tmp_path / "x.png")
    r = cli("render", DEMO, "--case", "999", "--out", out)
    assert r.returncode == 2 and "no case '999'" in r.stderr and "1, 2, 3" in r.stderr
    r = cli("render", DEMO, "--case", "1", "--preset", "bone-99", "--out", out)
    assert r.returncode == 2 and "skeleton-auto" in r.stderr
    r = cli("render", DEMO, "--case", "1", "--colormap", "rainbow", "--out", out)
    assert r.returncode == 2 and "hot iron" in r.stderr
    r = cli("render", DEMO, "--case", "1", "--window", "50:10", "--out", out)
    assert r.returncode == 2 and "below the high" in r.stderr
    r = cli("analyze", DEMO, "--case", "nope")
    assert r.returncode == 2 and "case keys are" in r.stderr
    assert not Path(out).exists()


def test_analyze_json_holds_the_numbers_the_viewer_and_figure_compute(monkeypatch) -> None:
    """One analysis (core.symmetry.analyze_view on the loaded view) feeds the JSON, the
    viewer's index table and the render figure: the JSON equals it number for number."""
    import argparse

    from bonescan_tutor.commands.imaging import load_views
    from bonescan_tutor.core.symmetry import analyze_view
    from bonescan_tutor.core.windowing import Window
    from bonescan_tutor.figures import scan_figure as figures

    plan = next(p for p in demo_plan(24, 2024) if p.metastatic and not p.superscan)
    report = json.loads(cli("analyze", DEMO, "--case", str(plan.number), "--json").stdout)
    args = argparse.Namespace(path=DEMO, case=str(plan.number), view="both")
    _dataset, _case, views = load_views(args)
    for projection, img in views.items():
        expected = json.loads(json.dumps(analyze_view(img, projection).as_dict()))
        assert report["views"][projection.value] == expected
        assert [r["name"] for r in expected["regions"]][:2] == ["head", "shoulders"]
    # The figure draws the hotspots of that same analysis.
    drawn: list[object] = []
    original = figures.paint

    def spy(names, data):  # type: ignore[no-untyped-def]
        drawn.append(data.analysis.as_dict())
        return original(names, data)

    monkeypatch.setattr(figures, "paint", spy)
    figures.render_figure({Projection.ANTERIOR: views[Projection.ANTERIOR]},
                          Window(0.0, 30000.0), "gray", overlays=("hotspots",))
    assert json.loads(json.dumps(drawn[0])) == report["views"]["anterior"]
