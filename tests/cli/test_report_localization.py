"""`report` with case annotations: localization figures from the recorded click marks
(text and --json), and the RJafroc workbook."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from bonescan_tutor import cli
from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.storage.annotations import write_annotations
from bonescan_tutor.storage.progress import ProgressStore

M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES
A = Projection.ANTERIOR


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def marked_history(tmp_path: Path) -> Path:
    """Ana answers three cases with marks, through the progress store as the app does."""
    answers = [  # key, truth, decision, certainty, marks
        ("1", M, M, 90, ((A, 100.0, 100.0), (A, 10.0, 900.0))),  # lesion hit + a false mark
        ("2", N, N, 80, ()),  # normal, unmarked: FP = -inf
        ("5", M, M, 60, ((A, 3.0, 3.0),)),  # no annotations: left out, listed
    ]
    spec = QuizSpec(id="q", title="Practice", case_keys=tuple(a[0] for a in answers),
                    mode=QuizMode.PRACTICE)
    with ProgressStore.open() as store:
        trainee = store.get_or_create_trainee("Ana")
        sid = store.start_session(trainee, spec, "Tiny", "fp-1")
        for i, (key, truth, decision, certainty, marks) in enumerate(answers):
            at = 1_700_000_000.0 + 60 * i
            attempt = Answer(key, i + 1, decision, certainty, at - 6, at, 6.0, marks=marks)
            store.record_attempt(sid, attempt, truth, "fp-1", label_shown=True)
    path = tmp_path / "a.bstann"
    write_annotations(path, AnnotationSet("Tiny", "fp-1", {
        "1": CaseAnnotations(lesions=(Mark(A, 100, 100, 8), Mark(A, 100, 400, 8)))}))
    return path


def test_json_gains_localization_figures(capsys, marked_history: Path) -> None:
    code, out, err = run(capsys, "report", "--json", "--annotations", str(marked_history))
    assert code == 0, err
    loc = json.loads(out)["trainees"][0]["localization"]
    # lesions: 1 of 2 found; NLs: 1 over 2 scored cases; wAFROC: lesion 1 (rating 90) vs
    # FP(case 2) = -inf -> 1, lesion 2 missed (-inf) vs -inf -> 0.5; weights 1/2:
    # (0.5 * 1 + 0.5 * 0.5) / (1 * 1) = 0.75
    assert (loc["lesions"], loc["lesions_hit"], loc["llf"]) == (2, 1, 0.5)
    assert (loc["cases"], loc["nl_marks"], loc["nlf"]) == (2, 1, 0.5)
    assert loc["wafroc"] == 0.75
    assert loc["unannotated_metastatic_cases"] == ["5"]
    # FROC / wAFROC points: one threshold per rating of a mark, 90 (case 1's marks; case 2
    # has none): 1 NL / 2 cases, 1 of 2 lesions, no normal case marked, weight 1/2 of 1 case
    assert loc["operating_points"] == {
        "threshold": [None, 90.0], "nlf": [0.0, 0.5], "llf": [0.0, 0.5],
        "fpf": [0.0, 0.0], "wllf": [0.0, 0.5]}
    assert "summary" in json.loads(out)["trainees"][0]  # the old keys stay


def test_without_annotations_localization_is_null(capsys, marked_history: Path) -> None:
    code, out, _ = run(capsys, "report", "--json")
    assert code == 0 and json.loads(out)["trainees"][0]["localization"] is None


def test_text_report_has_a_localization_line(capsys, marked_history: Path) -> None:
    code, out, _ = run(capsys, "report", "--annotations", str(marked_history))
    assert code == 0
    assert ("Localization:       1 of 2 lesions found (LLF 0.50), NLF 0.50 false marks per "
            "case, wAFROC 0.75") in out
    assert "left out, metastatic without annotations: 5" in out


def test_rjafroc_workbook_from_the_command_line(capsys, marked_history: Path, tmp_path: Path
                                               ) -> None:
    out_path = tmp_path / "study.xlsx"
    code, out, err = run(capsys, "report", "--annotations", str(marked_history),
                         "--rjafroc", str(out_path))
    assert code == 0, err
    assert f"Wrote {out_path}" in out and "case(s) 5" in err
    wb = openpyxl.load_workbook(out_path)
    truth = list(wb["TRUTH"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[1]) for r in truth] == [(1, 1), (1, 2), (2, 0)]
    assert list(wb["TP"].iter_rows(values_only=True))[1:] == [("1", "1", 1, 1, 90.0)]
    assert list(wb["FP"].iter_rows(values_only=True))[1:] == [("1", "1", 1, 90.0)]
    assert (tmp_path / "study.readers.csv").is_file() and (tmp_path / "study.cases.csv").is_file()


def test_rjafroc_without_annotations_says_what_to_give(capsys, marked_history: Path,
                                                       tmp_path: Path) -> None:
    code, _, err = run(capsys, "report", "--rjafroc", str(tmp_path / "x.xlsx"))
    assert code == 2 and "--annotations FILE.bstann" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_annotations_of_another_version_are_named(capsys, marked_history: Path,
                                                  tmp_path: Path) -> None:
    other = tmp_path / "b.bstann"
    write_annotations(other, AnnotationSet("Tiny", "fp-0", {}))
    code, _, err = run(capsys, "report", "--json", "--annotations", str(other))
    assert code == 0 and "made on dataset version fp-0" in err


def test_annotations_beside_the_dataset_are_used(capsys, marked_history: Path,
                                                 tmp_path: Path) -> None:
    from tests.builders import build

    top = build(tmp_path / "d")
    (top / "annotations.bstann").write_bytes(marked_history.read_bytes())
    code, out, _ = run(capsys, "--dataset", str(top), "report", "--json")
    assert code == 0
    assert json.loads(out)["trainees"][0]["localization"]["lesions_hit"] == 1
