"""`cohort --annotations`: each annotated lesion with how many trainees found it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bonescan_tutor import cli
from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.storage.annotations import write_annotations
from bonescan_tutor.storage.cohort import load_cohort
from bonescan_tutor.storage.cohort_lesions import lesion_analysis
from bonescan_tutor.storage.quizsets import QuizSet
from bonescan_tutor.storage.results import write_results
from tests.builders import Spec, build
from tests.storage.instructor_data import M, N, answer

A = Projection.ANTERIOR


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Cases 1-2 metastatic; case 1 has lesions at (100, 100) and (100, 400), case 2 one at
    (50, 600). Ana finds both of case 1 and misses case 2; Ben finds lesion 2 of case 1
    and case 2's; Cy answers case 1 with a mark far away and leaves case 2 unanswered."""
    ds = build(tmp_path / "ds", Spec(n_met=2, n_normal=3))
    dataset, _ = open_dataset(ds)
    spec = QuizSpec(id="q1", title="Week 4", case_keys=("1", "2", "3"), mode=QuizMode.EXAM)
    qs = QuizSet.for_dataset(spec, dataset)
    inbox = tmp_path / "inbox"

    def rows(*answers):
        return [replace(answer(k, d_truth, d, position=i + 1, at=1000.0 + i),
                        marks=tuple((v.value, x, y) for v, x, y in marks))
                for i, (k, d_truth, d, marks) in enumerate(answers)]

    import datetime as dt
    for minute, (name, answers) in enumerate({
        "Ana": rows(("1", M, M, ((A, 101, 99), (A, 100, 402))), ("2", M, N, ()),
                    ("3", N, N, ((A, 5, 5),))),
        "Ben": rows(("1", M, M, ((A, 100, 400),)), ("2", M, M, ((A, 50, 600),)), ("3", N, N, ())),
        "Cy": rows(("1", M, M, ((A, 200, 900),)), ("2", M, None, ()), ("3", N, M, ())),
    }.items()):
        write_results(qs, name, answers, inbox,
                      now=dt.datetime(2026, 1, 6, 10, minute, tzinfo=dt.UTC))
    path = ds / "annotations.bstann"
    write_annotations(path, AnnotationSet(dataset.name, dataset.fingerprint, {
        "1": CaseAnnotations(lesions=(Mark(A, 100, 100, 8, "ribs"), Mark(A, 100, 400, 8, "spine"))),
        "2": CaseAnnotations(lesions=(Mark(A, 50, 600, 8, "pelvis"),)),
    }))
    return ds, inbox, path


def test_each_lesion_says_how_many_found_it(setup) -> None:
    ds, inbox, path = setup
    dataset, _ = open_dataset(ds)
    from bonescan_tutor.storage.annotations import read_annotations

    rows, figures = lesion_analysis(load_cohort([inbox], dataset), read_annotations(path))
    assert [r.text for r in rows] == [
        "lesion 1 of case 1 found by 1 of 3",  # Ana only
        "lesion 2 of case 1 found by 2 of 3",  # Ana and Ben
        "lesion 1 of case 2 found by 1 of 2",  # Ben; Cy did not answer case 2
    ]
    assert figures["Ana"].lesions_hit == 2 and figures["Ana"].lesions == 3
    assert figures["Cy"].lesions == 2 and figures["Cy"].nl_marks == 1


def test_cohort_json_and_text_with_the_annotations_beside_the_dataset(
    capsys, setup, tmp_path: Path
) -> None:
    ds, inbox, _ = setup
    code, out, err = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"),
                         "--dataset", str(ds), "--json")
    assert code == 0, err
    j = json.loads(out)
    assert [r["text"] for r in j["lesions"]][2] == "lesion 1 of case 2 found by 1 of 2"
    ana = next(t for t in j["trainees"] if t["trainee"] == "Ana")
    assert ana["localization"]["llf"] == pytest.approx(2 / 3)
    code, out, _ = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"),
                       "--dataset", str(ds))
    assert "lesion 1 of case 1 found by 1 of 3 (ribs)" in out


def test_without_annotations_the_lesion_key_is_null(capsys, setup, tmp_path: Path) -> None:
    ds, inbox, path = setup
    path.unlink()
    code, out, _ = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"),
                       "--dataset", str(ds), "--json")
    assert code == 0 and json.loads(out)["lesions"] is None


def test_explicit_annotations_of_another_version_are_named(capsys, setup, tmp_path: Path) -> None:
    ds, inbox, _ = setup
    other = tmp_path / "other.bstann"
    write_annotations(other, AnnotationSet("x", "0000", {}))
    code, out, err = run(capsys, "cohort", str(inbox), "--out", str(tmp_path / "c.xlsx"),
                         "--dataset", str(ds), "--annotations", str(other), "--json")
    assert code == 0 and "made on dataset version 0000" in err
    assert json.loads(out)["lesions"] == []
