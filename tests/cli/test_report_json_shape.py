"""`report --json` keeps its shape: every key path of a fixed progress file's report stays
where it was (keys may be added, never renamed, moved or dropped)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
PINNED = Path(__file__).with_name("data") / "report_json_keys.txt"


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value; list items share the path ``prefix[]``."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


@pytest.fixture
def fixed_history(tmp_path: Path) -> Path:
    """Two trainees, answers of every kind (right, wrong, timed out, marked), and the
    annotations of one case."""
    answers = [  # key, truth, decision, certainty, marks
        ("1", M, M, 90, ((A, 100.0, 100.0), (A, 10.0, 900.0))),
        ("2", N, N, 80, ()),
        ("3", M, N, 60, ()),
        ("4", N, M, 70, ()),
        ("5", M, None, None, ()),
    ]
    spec = QuizSpec(id="q", title="Practice", case_keys=tuple(a[0] for a in answers),
                    mode=QuizMode.PRACTICE)
    with ProgressStore.open() as store:
        for name in ("Ana", "Ben"):
            trainee = store.get_or_create_trainee(name)
            sid = store.start_session(trainee, spec, "Tiny", "fp-1")
            for i, (key, truth, decision, certainty, marks) in enumerate(answers):
                at = 1_700_000_000.0 + 60 * i
                attempt = Answer(key, i + 1, decision, certainty, at - 6, at, 6.0 + i,
                                  marks=marks, timed_out=decision is None)
                store.record_attempt(sid, attempt, truth, "fp-1", label_shown=True)
    path = tmp_path / "a.bstann"
    write_annotations(path, AnnotationSet("Tiny", "fp-1", {
        "1": CaseAnnotations(lesions=(Mark(A, 100, 100, 8), Mark(A, 100, 400, 8)))}))
    return path


def report_json(capsys: pytest.CaptureFixture[str], annotations: Path) -> dict[str, Any]:
    code = cli.run(["report", "--json", "--annotations", str(annotations)])
    out, err = capsys.readouterr()
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def test_report_json_keeps_every_pinned_key_path(
    capsys: pytest.CaptureFixture[str], fixed_history: Path
) -> None:
    pinned = set(PINNED.read_text(encoding="utf-8").split())
    now = key_paths(report_json(capsys, fixed_history))
    assert pinned - now == set(), "report --json lost or moved keys"
    assert len(pinned) > 80  # the pinned file is the whole shape, not a sample
