"""`bonescan-tutor annotations check`, run as a user would (a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.storage.annotations import write_annotations
from tests.builders import build

A = Projection.ANTERIOR


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bonescan_tutor", *args],
                          capture_output=True, text=True, timeout=120)


def _files(tmp_path: Path, cases: dict[str, CaseAnnotations], fingerprint: str | None = None
           ) -> tuple[Path, Path]:
    top = build(tmp_path / "d")
    dataset, _ = open_dataset(top)
    path = tmp_path / "a.bstann"
    write_annotations(path, AnnotationSet(dataset.name, fingerprint or dataset.fingerprint, cases))
    return top, path


def test_good_annotations_pass_with_exit_0(tmp_path: Path) -> None:
    top, path = _files(tmp_path, {"1": CaseAnnotations(lesions=(Mark(A, 100.0, 500.0, 8.0),))})
    r = cli("annotations", "check", str(path), "--dataset", str(top))
    assert r.returncode == 0, r.stderr
    assert "1 case(s), 1 lesion(s), 0 finding(s)" in r.stdout and "No problems found." in r.stdout


def test_each_bad_kind_is_refused_with_its_own_message_and_exit_1(tmp_path: Path) -> None:
    top, path = _files(tmp_path, {
        "1": CaseAnnotations(lesions=(Mark(A, 999.0, 500.0, 8.0), Mark(A, 50.0, 50.0, -1.0))),
        "4": CaseAnnotations(lesions=(Mark(A, 100.0, 500.0, 8.0),)),
        "77": CaseAnnotations(teaching_point="x"),
    })
    r = cli("annotations", "check", str(path), "--dataset", str(top))
    assert r.returncode == 1
    assert "4 problem(s): 4 error(s), 0 warning(s)" in r.stdout
    assert "case 1, lesion 1 on the anterior view: centre (999, 500) is outside the image" in r.stdout
    assert "case 1, lesion 2 on the anterior view: radius -1 px" in r.stdout
    assert "case 4: 1 lesion(s) on a case labelled 'No bone metastases'" in r.stdout
    assert "case 77: no such case in the dataset" in r.stdout
    j = json.loads(cli("annotations", "check", str(path), "--dataset", str(top), "--json").stdout)
    assert j["ok"] is False and j["fingerprint_matches"] is True
    assert [p["case"] for p in j["problems"]] == ["1", "1", "4", "77"]


def test_another_dataset_version_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    top, path = _files(tmp_path, {"1": CaseAnnotations(lesions=(Mark(A, 100.0, 500.0, 8.0),))},
                       fingerprint="00000000deadbeef")
    r = cli("annotations", "check", str(path), "--dataset", str(top), "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["ok"] is True and j["fingerprint_matches"] is False
    assert j["problems"][0]["severity"] == "warning"
    assert "00000000deadbeef" in j["problems"][0]["message"]


def test_an_unreadable_file_gives_one_line_naming_it_and_exit_1(tmp_path: Path) -> None:
    top = build(tmp_path / "d")
    bad = tmp_path / "bad.bstann"
    bad.write_text('{"format": "bonescan-tutor annotations", "version": 1', encoding="utf-8")
    r = cli("annotations", "check", str(bad), "--dataset", str(top))
    assert r.returncode == 1
    assert str(bad) in r.stdout and "truncated" in r.stdout
    r = cli("annotations", "check", str(tmp_path / "none.bstann"), "--dataset", str(top), "--json")
    assert r.returncode == 1 and "no such file" in json.loads(r.stdout)["error"]


def test_help_names_the_checks() -> None:
    r = cli("annotations", "check", "--help")
    assert r.returncode == 0
    assert "--dataset PATH" in r.stdout and "--json" in r.stdout
    assert "annotations" in cli("--help").stdout


def test_several_files_are_checked_merged(tmp_path: Path) -> None:
    top, first = _files(tmp_path, {"1": CaseAnnotations(lesions=(Mark(A, 100.0, 500.0, 8.0),))})
    second = tmp_path / "b.bstann"
    write_annotations(second, AnnotationSet("Other", "ffff", {
        "2": CaseAnnotations(lesions=(Mark(A, 100.0, 2000.0, 8.0),))}))
    r = cli("annotations", "check", str(first), str(second), "--dataset", str(top), "--json")
    assert r.returncode == 1
    j = json.loads(r.stdout)
    assert j["files"] == [str(first), str(second)] and j["cases"] == 2
    messages = [p["message"] for p in j["problems"]]
    assert any("b.bstann: made on dataset version ffff" in m for m in messages)
    assert any(m.startswith("case 2, lesion 1 on the anterior view: centre (100, 2000)")
               for m in messages)


def test_the_shipped_demo_annotations_pass_the_check() -> None:
    demo = Path(__file__).resolve().parents[2] / "resources" / "demo"
    r = cli("annotations", "check", str(demo / "annotations.bstann"), "--dataset", str(demo),
            "--json")
    assert r.returncode == 0, r.stdout
    j = json.loads(r.stdout)
    assert j["ok"] and j["fingerprint_matches"] and j["problems"] == []
    assert j["cases"] == 24 and j["lesions"] > 0 and j["findings"] > 0
