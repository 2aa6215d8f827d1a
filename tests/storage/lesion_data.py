"""A small cohort with click marks and case annotations, for the per-lesion tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.storage.annotations import write_annotations
from bonescan_tutor.storage.quizsets import QuizSet
from bonescan_tutor.storage.results import write_results
from tests.builders import Spec, build
from tests.storage.instructor_data import M, N, answer

A = Projection.ANTERIOR


def lesion_cohort(tmp_path: Path, note: str = "") -> tuple[Path, Path, Path]:
    """(dataset folder, results folder, annotations.bstann beside the dataset).

    Cases 1-2 metastatic; case 1 has lesions at (100, 100) and (100, 400), case 2 one at
    (50, 600). Ana finds both of case 1 and misses case 2; Ben finds lesion 2 of case 1
    and case 2's; Cy answers case 1 with a mark far away and leaves case 2 unanswered.
    ``note`` is lesion 1 of case 1's note."""
    ds = build(tmp_path / "ds", Spec(n_met=2, n_normal=3))
    dataset, _ = open_dataset(ds)
    spec = QuizSpec(id="q1", title="Week 4", case_keys=("1", "2", "3"), mode=QuizMode.EXAM)
    qs = QuizSet.for_dataset(spec, dataset)
    inbox = tmp_path / "inbox"

    def rows(*answers):
        return [replace(answer(k, d_truth, d, position=i + 1, at=1000.0 + i),
                        marks=tuple(marks))
                for i, (k, d_truth, d, marks) in enumerate(answers)]

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
        "1": CaseAnnotations(lesions=(Mark(A, 100, 100, 8, "ribs", note),
                                      Mark(A, 100, 400, 8, "spine"))),
        "2": CaseAnnotations(lesions=(Mark(A, 50, 600, 8, "pelvis"),)),
    }))
    return ds, inbox, path
