"""`bonescan-tutor cohort`: merge a folder, name every problem file, thumbnails, JSON."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from bonescan_tutor import cli
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.storage.quizsets import QuizSet
from tests.builders import Spec, build
from tests.storage.instructor_data import M, N, write_trainee


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    """A built dataset (cases 1-2 metastatic, 3-5 not) and a folder of results."""
    ds = build(tmp_path / "ds", Spec(n_met=2, n_normal=3))
    dataset, _ = open_dataset(ds)
    spec = QuizSpec(id="q1", title="Week 4", case_keys=("1", "2", "3", "4"), mode=QuizMode.EXAM)
    qs = QuizSet.for_dataset(spec, dataset)
    truths = {k: dataset.case(k).diagnosis for k in spec.case_keys}
    inbox = tmp_path / "inbox"
    write_trainee(qs, inbox, "Ana", {"1": M, "2": M, "3": N, "4": N}, truths, 0)
    write_trainee(qs, inbox, "Ben", {"1": N, "2": M, "3": N, "4": M}, truths, 1)
    write_trainee(qs, inbox, "Cy", {"1": N, "2": M, "3": M, "4": N}, truths, 2)
    (inbox / "readme.txt").write_text("hello")
    return ds, inbox


def test_summary_and_problem_files(
    capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path
) -> None:
    _, inbox = setup
    out = tmp_path / "cohort.xlsx"
    code, text, _ = run(capsys, "cohort", str(inbox), "--out", str(out))
    assert code == 0
    assert "Quiz set 'Week 4': 3 trainee(s), 4 case(s)" in text
    assert "mean accuracy: 66.7 %" in text  # (4 + 2 + 2) / 12
    assert "case 1" in text.split("most missed:")[1].splitlines()[1]  # 1/3 correct
    assert "readme.txt: not a results file" in text
    assert pd.read_excel(out, sheet_name="Trainees")["trainee"].tolist() == ["Ana", "Ben", "Cy"]


def test_thumbnails_with_the_dataset(
    capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path
) -> None:
    ds, inbox = setup
    out = tmp_path / "cohort.xlsx"
    code, _, _ = run(
        capsys, "cohort", str(inbox), "--out", str(out), "--dataset", str(ds), "--most-missed", "2"
    )
    assert code == 0
    with zipfile.ZipFile(out) as z:
        media = [n for n in z.namelist() if n.startswith("xl/media/")]
    assert len(media) == 2


def test_json(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path) -> None:
    _, inbox = setup
    code, text, _ = run(
        capsys,
        "cohort",
        *map(str, sorted(inbox.glob("*.bstresult"))),
        "--out",
        str(tmp_path / "c.xlsx"),
        "--json",
    )
    assert code == 0
    data = json.loads(text)
    assert [t["trainee"] for t in data["trainees"]] == ["Ana", "Ben", "Cy"]
    assert data["most_missed"][0]["case_key"] == "1"
    assert data["most_missed"][0]["difficulty"] == pytest.approx(1 / 3)
    assert data["problems"] == []


def test_nothing_mergeable(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.bstresult").write_text("{")
    code, text, _ = run(capsys, "cohort", str(tmp_path), "--out", str(tmp_path / "c.xlsx"))
    assert code == 1 and "a.bstresult" in text and "no results file could be merged" in text
    assert not (tmp_path / "c.xlsx").exists()


def test_a_hostile_file_is_listed_and_the_rest_merged(
    capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path
) -> None:
    _, inbox = setup
    (inbox / "deep.bstresult").write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (inbox / "big.bstresult").write_text('{"format": "bonescan-tutor results", "version": 1' + "0" * 5000 + "}")
    code, text, _ = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"))
    assert code == 0 and "3 trainee(s)" in text
    assert "deep.bstresult: not a complete bonescan-tutor results file: nested 100001 levels" in text
    assert "big.bstresult: not a complete bonescan-tutor results file: a number 5001 characters" in text
