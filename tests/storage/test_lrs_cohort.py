"""A cohort read from statements counts the latest answer to each case of each session."""

from __future__ import annotations

import uuid

from bonescan_tutor.core import xapi
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.storage.lrs_cohort import results_from_statements
from tests.core.test_xapi import context
from tests.storage.instructor_data import dataset

M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES


def body(ctx: xapi.QuizContext, key: str, decision: Diagnosis, at: float, trainee: str = "Ana"):
    answer = Answer(key, int(key), decision, 80, None, at, 5.0, truth=M)
    return xapi.statement_for(answer, xapi.Actor(trainee), ctx).as_dict()


def test_the_latest_answer_to_a_case_counts_once_per_session() -> None:
    ana, ben = context(str(uuid.uuid4())), context(str(uuid.uuid4()))
    statements = [
        body(ana, "2", N, 300.0),  # the later answer, sent first
        body(ben, "1", M, 100.0, "Ben"),
        body(ana, "1", N, 100.0),
        body(ana, "1", M, 100.0),  # same time: the one sent later counts
        body(ana, "2", M, 200.0),
    ]
    results, problems = results_from_statements(statements, dataset())
    assert problems == []
    assert [r.trainee for r in results] == ["Ana", "Ben"]  # sessions as they first appear
    got = [(a.case_key, a.decision, a.answered_at, a.truth) for a in results[0].attempts]
    assert got == [("1", M, 100.0, M), ("2", N, 300.0, M)]
    assert [(a.case_key, a.decision) for a in results[1].attempts] == [("1", M)]
