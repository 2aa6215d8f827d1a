"""Tiny quiz sets, stored attempts and results files for the instructor-side tests."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Case, Dataset, Diagnosis, Layout, Projection, View
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.storage.progress_records import StoredAttempt
from bonescan_tutor.storage.quizsets import QuizSet
from bonescan_tutor.storage.results import checksum_of, write_results

M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES


def dataset(
    n_met: int = 6, n_normal: int = 14, doubtful: Sequence[str] = (), fingerprint: str = "fp-1"
) -> Dataset:
    """An in-memory dataset: keys 1..n_met metastatic, the rest not (like IICS-UNA)."""
    cases = []
    for k in range(1, n_met + n_normal + 1):
        key = str(k)
        cases.append(
            Case(
                key=key,
                diagnosis=M if k <= n_met else N,
                anterior=View(Projection.ANTERIOR, f"A{k}.png"),
                posterior=View(Projection.POSTERIOR, f"P{k}.png"),
                label_doubtful=key in doubtful,
            )
        )
    return Dataset("Tiny", Layout.IICS_UNA, "/nowhere", tuple(cases), fingerprint)


def quiz_set(
    keys: Sequence[str] = ("1", "2", "7", "8"),
    title: str = "Week 1",
    qid: str = "quiz-1",
    results_folder: str | None = None,
    mode: QuizMode = QuizMode.EXAM,
) -> QuizSet:
    spec = QuizSpec(id=qid, title=title, case_keys=tuple(keys), mode=mode, seed=11)
    return QuizSet(
        spec=spec,
        author="Dr. Rivas",
        created="2026-01-05T09:00:00Z",
        dataset_name="Tiny",
        dataset_fingerprint="fp-1",
        dataset_layout="IICS-UNA",
        results_folder=results_folder,
    )


def answer(
    key: str,
    truth: Diagnosis,
    decision: Diagnosis | None,
    certainty: int | None = 80,
    position: int = 1,
    at: float = 1_000.0,
) -> Answer:
    return Answer(
        case_key=key,
        position=position,
        decision=decision,
        certainty=certainty if decision is not None else None,
        started_at=None,
        time_on_case_s=5.0,
        answered_at=at,
        timed_out=decision is None,
        truth=truth,
    )


def stored(
    key: str,
    truth: Diagnosis,
    decision: Diagnosis | None,
    certainty: int | None = 80,
    *,
    trainee_id: int = 1,
    session_id: int = 1,
    label_shown: bool = True,
    fingerprint: str = "fp-1",
    at: float = 1_700_000_000.0,
    row_id: int = 1,
) -> StoredAttempt:
    a = Answer(
        case_key=key,
        position=1,
        decision=decision,
        certainty=certainty if decision is not None else None,
        started_at=at - 5,
        answered_at=at,
        time_on_case_s=5.0,
        timed_out=decision is None,
        truth=truth,
    )
    return StoredAttempt(row_id, session_id, trainee_id, fingerprint, a, label_shown)


def write_trainee(
    qs: QuizSet,
    folder: Path,
    trainee: str,
    decisions: dict[str, Diagnosis | None],
    truths: dict[str, Diagnosis],
    minute: int = 0,
) -> Path:
    """A results file for ``trainee`` answering ``decisions`` (key -> decision)."""
    rows = [
        answer(k, truths[k], d, position=i + 1, at=1_000.0 + i)
        for i, (k, d) in enumerate(decisions.items())
    ]
    now = dt.datetime(2026, 1, 6, 10, minute, tzinfo=dt.UTC)
    return write_results(qs, trainee, rows, folder, now=now)


def forge(path: Path, change: Callable[[dict], object]) -> Path:
    """Edit a results file as a determined trainee would: change it, recompute the checksum."""
    data = json.loads(path.read_text())
    data.pop("checksum")
    change(data)
    data["checksum"] = checksum_of(data)
    path.write_text(json.dumps(data))
    return path


THREE_TRAINEES: dict[str, dict[str, Diagnosis | None]] = {
    "Ana": {"1": M, "2": M, "3": N, "4": N},  # 4 of 4
    "Ben": {"1": N, "2": M, "3": N, "4": M},  # 2 of 4
    "Cy": {"1": N, "2": M, "3": M, "4": None},  # 1 of 4, the last case unanswered
}


@dataclass(frozen=True)
class Cohort:
    """A built dataset, the exam "Week 4" on it saved beside, and results files."""

    folder: Path  # the dataset's folder
    dataset: Dataset
    quiz_set: QuizSet
    set_file: Path
    inbox: Path
    files: tuple[Path, ...]


def week4_cohort(tmp_path: Path, quiz_id: str = "q1",
                 answers: dict[str, dict[str, Diagnosis | None]] = THREE_TRAINEES) -> Cohort:
    """A built dataset (cases 1-2 metastatic, 3-5 not), the four-case exam on cases 1-4
    in ``week4.bstquiz`` and, in ``inbox``, a results file per trainee of ``answers``."""
    from bonescan_tutor.datasets.detect import open_dataset
    from bonescan_tutor.storage.quizsets import write_quizset
    from tests.builders import Spec, build

    folder = build(tmp_path / "ds", Spec(n_met=2, n_normal=3))
    ds, _ = open_dataset(folder)
    spec = QuizSpec(id=quiz_id, title="Week 4", case_keys=("1", "2", "3", "4"), mode=QuizMode.EXAM)
    qs = QuizSet.for_dataset(spec, ds)
    set_file = tmp_path / "week4.bstquiz"
    write_quizset(qs, set_file)
    truths = {k: ds.case(k).diagnosis for k in spec.case_keys}
    inbox = tmp_path / "inbox"
    files = tuple(write_trainee(qs, inbox, name, decisions, truths, minute)
                  for minute, (name, decisions) in enumerate(answers.items()))
    return Cohort(folder, ds, qs, set_file, inbox, files)
