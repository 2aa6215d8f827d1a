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
from tests.storage.instructor_data import THREE_TRAINEES, M, N, forge, week4_cohort


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    """A built dataset (cases 1-2 metastatic, 3-5 not) and a folder of results."""
    cohort = week4_cohort(tmp_path, answers={**THREE_TRAINEES,
                                              "Cy": {"1": N, "2": M, "3": M, "4": N}})
    (cohort.inbox / "readme.txt").write_text("hello")
    return cohort.folder, cohort.inbox


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


# -- trust: labels from the dataset, duplicates named, extensions honoured ----------------

UNVERIFIED_START = "Truth taken from the trainees' files, unverified"


def file_of(inbox: Path, who: str) -> Path:
    return next(inbox.glob(f"*-{who}-*.bstresult"))


def test_without_the_dataset_every_output_says_so_first(
    capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path
) -> None:
    import csv

    from openpyxl import load_workbook

    _, inbox = setup
    xlsx, table = tmp_path / "c.xlsx", tmp_path / "c.csv"
    code, text, _ = run(capsys, "cohort", str(inbox), "--out", str(xlsx))
    assert code == 0 and text.splitlines()[0].startswith(UNVERIFIED_START)
    assert load_workbook(xlsx).worksheets[0]["A1"].value.startswith(UNVERIFIED_START)
    code, text, _ = run(capsys, "cohort", str(inbox), "--out", str(xlsx), "--json")
    assert code == 0 and text.splitlines()[1].strip().startswith(f'"truth": "{UNVERIFIED_START}')
    assert json.loads(text)["truth_verified"] is False
    code, _, _ = run(capsys, "cohort", str(inbox), "--out", str(table))
    with table.open(newline="", encoding="utf-8") as fh:
        lines = list(csv.reader(fh))
    assert lines[0][0].startswith(UNVERIFIED_START) and len(lines[0]) == 1
    assert lines[1][0] == "trainee" and [r[0] for r in lines[2:]] == ["Ana", "Ben", "Cy"]


def test_a_forged_file_scores_its_real_score_with_the_dataset(
    capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path
) -> None:
    ds, inbox = setup

    def all_right(d: dict) -> None:
        for a in d["attempts"]:
            a["truth"] = a["decision"]

    forged = forge(file_of(inbox, "ben"), all_right)
    out = tmp_path / "c.xlsx"
    code, text, _ = run(capsys, "cohort", str(inbox), "--out", str(out), "--dataset", str(ds), "--json")
    data = json.loads(text)
    assert code == 0 and data["truth_verified"] is True
    ben = next(t for t in data["trainees"] if t["trainee"] == "Ben")
    assert ben["accuracy"] == pytest.approx(0.5)
    assert any(w["file"] == str(forged) and "differ from the dataset" in w["message"]
               for w in data["warnings"])
    code, text, _ = run(capsys, "cohort", str(inbox), "--out", str(out), "--dataset", str(ds))
    assert text.splitlines()[0].startswith("Truth from the dataset")
    assert f"{forged}: its labels differ from the dataset for 2 case(s)" in text


def test_two_files_for_one_trainee_are_both_named(
    capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path
) -> None:
    ds, inbox = setup
    renamed = forge(file_of(inbox, "cy"), lambda d: d.update(trainee="Ana", created="2026-02-01T00:00:00Z"))
    ana = file_of(inbox, "ana")
    out = tmp_path / "c.xlsx"
    code, text, _ = run(capsys, "cohort", str(inbox), "--out", str(out), "--dataset", str(ds))
    assert code == 0 and "2 trainee(s)" in text
    line = next(x for x in text.splitlines() if "sent 2 results files" in x)
    assert renamed.name in line and ana.name in line and "(the later) is used" in line
    code, text, _ = run(capsys, "cohort", str(inbox), "--out", str(out), "--dataset", str(ds),
                        "--prefer", "earliest", "--json")
    data = json.loads(text)
    [dup] = data["duplicates"]
    assert dup["used"] == str(ana) and set(dup["files"]) == {str(ana), str(renamed)}
    assert next(t for t in data["trainees"] if t["trainee"] == "Ana")["accuracy"] == 1.0


def test_out_of_set_answers_and_incomplete_results_are_shown(
    capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path
) -> None:
    from bonescan_tutor.storage.results import ResultStatus

    ds, inbox = setup
    extra = {"case_key": "5", "position": 5, "decision": "metastases", "certainty": 90,
             "time_on_case_s": 3.0, "answered_at": 2000.0, "timed_out": False,
             "truth": "metastases", "note": "", "marks": []}
    ben = forge(file_of(inbox, "ben"), lambda d: d["attempts"].append(extra))
    forge(file_of(inbox, "cy"), lambda d: d.update(status=ResultStatus.INCOMPLETE.value))
    code, text, _ = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"),
                        "--dataset", str(ds))
    assert code == 0 and "4 case(s)" in text
    assert f"{ben}: answers to case(s) 5 outside the quiz set were dropped." in text
    assert "Cy (incomplete: abandoned before the end)" in text


def test_out_writes_what_its_extension_says(
    capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path
) -> None:
    _, inbox = setup
    code, _, err = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.ods"))
    assert code != 0 and "c.ods" in err and ".xlsx" in err and ".csv" in err
    assert not (tmp_path / "c.ods").exists()
    code, _, _ = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.CSV"))
    assert code == 0 and not (tmp_path / "c.CSV").read_bytes().startswith(b"PK")
    code, _, _ = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"))
    assert code == 0 and (tmp_path / "c.xlsx").read_bytes().startswith(b"PK")


def test_the_quiz_set_file_can_be_given(
    capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path
) -> None:
    from bonescan_tutor.storage.quizsets import write_quizset

    ds, inbox = setup
    dataset, _ = open_dataset(ds)
    spec = QuizSpec(id="q9", title="Week 9", case_keys=("1",), mode=QuizMode.EXAM)
    other = QuizSet.for_dataset(spec, dataset)
    write_quizset(other, tmp_path / "w9.bstquiz")
    code, text, _ = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"),
                        "--quiz-set", str(tmp_path / "w9.bstquiz"))
    assert code == 1 and "results of another quiz set than the cohort's" in text
