"""The one answer value: its label, correctness, the certainty scoring counts, and the
one rule that picks the latest answer to each case."""

from __future__ import annotations

import numpy as np
import pytest

from bonescan_tutor.core.answers import Answer, AnswerTable, latest_per_case
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.errors import UsageError

M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES


def answer(key: str = "7", decision: Diagnosis | None = M, certainty: int | None = 70,
           truth: Diagnosis | None = None) -> Answer:
    return Answer(key, 1, decision, certainty, 10.0, 15.0, 5.0, timed_out=decision is None,
                  truth=truth)


def test_an_answer_is_correct_only_against_a_known_label() -> None:
    given = answer()
    assert not given.correct  # no label here: never counted right
    assert given.with_truth(M).correct and not given.with_truth(N).correct
    assert not answer(decision=None).with_truth(M).correct
    assert not answer(decision=None).correct  # None is not a match for an unknown label
    assert given.with_truth(M).with_truth(None) == given
    with pytest.raises(UsageError, match="case 7 carries no label"):
        _ = given.known_truth


def test_scoring_certainty_and_probability() -> None:
    assert answer(certainty=None).scored_certainty == 100  # a bare decision is certain
    assert answer(decision=None, certainty=None).scored_certainty is None
    assert answer(decision=N, certainty=90).p_metastases == pytest.approx(0.1)
    assert answer(decision=None).p_metastases is None


def test_the_table_is_built_from_answers_with_labels_only() -> None:
    table = AnswerTable.from_answers([answer(truth=M), answer("8", None, None, truth=N)])
    assert table.truth.tolist() == [True, False] and table.decision.tolist() == [1, -1]
    assert table.case_key == ("7", "8")
    with pytest.raises(UsageError, match="case 9 has no label"):
        AnswerTable.from_answers([answer("9")])


def test_latest_per_case_keeps_the_last_answer_to_each_case() -> None:
    assert latest_per_case(["1", "2", "1", "3", "2"]).tolist() == [False, False, True, True, True]
    keys = np.array(["a", "a"], dtype=object)
    assert latest_per_case(keys).tolist() == [False, True]
    assert latest_per_case([]).tolist() == []
    # several trainees: one latest answer each
    assert latest_per_case([(1, "a"), (2, "a"), (1, "a")]).tolist() == [False, True, True]
