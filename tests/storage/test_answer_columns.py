"""Attempts read as numpy columns: the same answers as ``attempts()``, hidden labels
never read out of the file, and the filters and order of ``attempts()``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bonescan_tutor.core.answers import METASTASES, NO_METASTASES, UNANSWERED, Answer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.storage.answer_columns import HIDDEN, AnswerColumns
from bonescan_tutor.storage.progress import ProgressStore, StoredAttempt, Trainee

M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES


def spec(mode: QuizMode = QuizMode.PRACTICE) -> QuizSpec:
    return QuizSpec(id=f"q-{mode.value}", title="Week 1", case_keys=("1", "2", "3"), mode=mode)


def answer(key: str, at: float, decision: Diagnosis | None = M, certainty: int | None = 80,
           seconds: float = 12.5) -> Answer:
    return Answer(
        case_key=key, position=int(key), decision=decision,
        certainty=None if decision is None else certainty, started_at=at - seconds,
        answered_at=at, time_on_case_s=seconds, timed_out=decision is None,
    )


@pytest.fixture
def store(tmp_path: Path):
    with ProgressStore.open(tmp_path / "progress.sqlite3") as s:
        yield s


@pytest.fixture
def ana(store: ProgressStore) -> Trainee:
    """Ana's history: a practice session (all shown) and an exam not yet submitted."""
    ana = store.get_or_create_trainee("Ana")
    practice = store.start_session(ana, spec(), "demo", "fp-new")
    store.record_attempt(practice, answer("1", 10.0), M, "fp-new", label_shown=True)
    store.record_attempt(practice, answer("2", 20.0, N, None), M, "fp-old", label_shown=True)
    store.record_attempt(practice, answer("3", 30.0, None), N, "fp-new", label_shown=True)
    exam = store.start_session(ana, spec(QuizMode.EXAM), "demo", "fp-new")
    store.record_attempt(exam, answer("1", 40.0, N, 90, seconds=777.0), M, "fp-new")
    return ana


def test_columns_hold_the_same_answers_as_attempts(store: ProgressStore, ana: Trainee) -> None:
    stored = store.attempts(trainee=ana)
    cols = store.answer_columns(trainee=ana)
    assert len(cols) == len(stored) == 4
    assert cols.id.tolist() == [s.id for s in stored]
    assert cols.session_id.tolist() == [s.session_id for s in stored]
    assert cols.case_key.tolist() == ["1", "2", "3", "1"]
    assert cols.decision.tolist() == [METASTASES, NO_METASTASES, UNANSWERED, NO_METASTASES]
    assert cols.certainty.tolist() == [80, 0, 0, 90]  # 0: not asked, or no answer
    assert cols.time_on_case_s.tolist() == [12.5, 12.5, 12.5, 777.0]
    assert cols.answered_at.tolist() == [10.0, 20.0, 30.0, 40.0]
    assert cols.dataset_fingerprint.tolist() == ["fp-new", "fp-old", "fp-new", "fp-new"]
    assert cols.timed_out.tolist() == [False, False, True, False]


def test_a_label_not_yet_shown_never_leaves_the_file(store: ProgressStore, ana: Trainee) -> None:
    cols = store.answer_columns(trainee=ana)
    assert cols.revealed_truth.tolist() == [METASTASES, METASTASES, NO_METASTASES, HIDDEN]
    assert cols.label_shown.tolist() == [True, True, True, False]
    (exam,) = {s.session_id for s in store.attempts() if not s.label_shown}
    store.finish_session(exam, submitted=True)
    assert store.answer_columns(trainee=ana).revealed_truth[-1] == METASTASES


def test_built_from_stored_attempts_they_are_the_same(store: ProgressStore, ana: Trainee) -> None:
    direct = store.answer_columns(trainee=ana)
    rebuilt = AnswerColumns.from_attempts(store.attempts(trainee=ana))
    for name in AnswerColumns.__dataclass_fields__:
        a, b = getattr(direct, name), getattr(rebuilt, name)
        assert a.dtype == b.dtype and a.tolist() == b.tolist(), name


def test_filters_match_attempts(store: ProgressStore, ana: Trainee) -> None:
    bruno = store.get_or_create_trainee("Bruno")
    other = store.start_session(bruno, spec(), "demo", "fp-new")
    store.record_attempt(other, answer("2", 25.0), M, "fp-new", label_shown=True)

    def same(**kw: object) -> list[int]:
        ids = [s.id for s in store.attempts(**kw)]  # type: ignore[arg-type]
        assert store.answer_columns(**kw).id.tolist() == ids  # type: ignore[arg-type]
        return ids

    assert len(same()) == 5 and len(same(trainee=ana)) == 4
    assert len(same(trainee=ana, since=20.0)) == 3
    assert len(same(session_id=other)) == 1 and same(trainee=bruno, since=99.0) == []


def test_empty_and_reordered_columns() -> None:
    empty = AnswerColumns.from_attempts([])
    assert len(empty) == 0 and empty.decision.dtype == np.int8
    assert empty.in_answer_order() is empty

    def stored(aid: int, at: float) -> StoredAttempt:
        return StoredAttempt(aid, 1, 1, "fp", answer("1", at).with_truth(M), True)

    cols = AnswerColumns.from_attempts([stored(3, 20.0), stored(2, 10.0), stored(1, 20.0)])
    assert cols.in_answer_order().id.tolist() == [2, 1, 3]  # by time, ties by id
    ordered = cols.in_answer_order()
    assert ordered.in_answer_order() is ordered
