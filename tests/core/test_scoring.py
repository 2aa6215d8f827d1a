"""Confusion counts, Wilson intervals, kappa, calibration, learning curves and summaries."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    balanced_accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    roc_auc_score,
)

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.scoring import (
    Answer,
    AnswerTable,
    Confusion,
    calibration_note,
    calibration_table,
    confusion,
    learning_curve,
    metrics,
    metrics_from_confusion,
    p_metastases,
    summary,
    time_summary,
    wilson,
)

decisions = st.sampled_from([True, False, None])


def hand_example() -> tuple[list[bool], list[bool | None]]:
    """tp=8, fn=2, tn=15, fp=5 (30 cases)."""
    truth = [True] * 10 + [False] * 20
    decision: list[bool | None] = [True] * 8 + [False] * 2 + [False] * 15 + [True] * 5
    return truth, decision


def random_table(seed: int, n: int, unanswered: float = 0.05) -> AnswerTable:
    rng = np.random.default_rng(seed)
    truth = rng.random(n) < 0.3
    decision = np.where(rng.random(n) < 0.75, truth, ~truth).astype(np.int8)
    decision[rng.random(n) < unanswered] = -1
    certainty = rng.choice([50, 60, 70, 80, 90, 100], n).astype(np.int16)
    certainty[decision == -1] = 0
    return AnswerTable.from_arrays(
        truth, decision, certainty, rng.gamma(2.0, 10.0, n), rng.permutation(n).astype(float)
    )


def headline_numbers(s: dict[str, object]) -> None:
    """Serialise strictly: any NaN or infinity anywhere would raise."""
    json.dumps(s, allow_nan=False)


# -- Wilson intervals -------------------------------------------------------------------


def test_wilson_by_hand() -> None:
    # 8/10: centre (0.8 + z^2/20) / (1 + z^2/10) = 0.716742, half-width 0.226577
    p = wilson(8, 10)
    assert (round(p.low, 4), round(p.high, 4)) == (0.4902, 0.9433)  # type: ignore[arg-type]
    # 15/20: centre 0.709723, half-width 0.178420
    q = wilson(15, 20)
    assert (round(q.low, 4), round(q.high, 4)) == (0.5313, 0.8881)  # type: ignore[arg-type]


def test_wilson_edges() -> None:
    assert wilson(0, 7).low == 0.0 and wilson(0, 7).high == pytest.approx(0.3543, abs=1e-4)
    assert wilson(7, 7).high == 1.0
    empty = wilson(0, 0, empty_note="nothing yet")
    assert (empty.estimate, empty.low, empty.high, empty.note) == (None, None, None, "nothing yet")
    assert str(empty) == "nothing yet"
    assert str(wilson(8, 10)) == "80 % (49-94 %, 8/10)"


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_brackets_the_estimate(kn: tuple[int, int]) -> None:
    k, n = kn
    p = wilson(k, n)
    if n == 0:
        assert p.estimate is None
    else:
        assert 0.0 <= p.low <= p.estimate <= p.high <= 1.0  # type: ignore[operator]


# -- confusion and rates ----------------------------------------------------------------


def test_hand_worked_metrics() -> None:
    m = metrics(*hand_example())
    assert m.counts == Confusion(tp=8, fp=5, tn=15, fn=2)
    assert (m.sensitivity.k, m.sensitivity.n, m.sensitivity.estimate) == (8, 10, 0.8)
    assert round(m.sensitivity.low, 4) == 0.4902  # type: ignore[arg-type]
    assert (m.specificity.k, m.specificity.n) == (15, 20)
    assert (m.ppv.k, m.ppv.n, m.npv.k, m.npv.n) == (8, 13, 15, 17)
    assert (m.accuracy.k, m.accuracy.n) == (23, 30)
    assert m.balanced_accuracy.value == pytest.approx(0.775)
    # po = 23/30, pe = (10*13 + 20*17)/900 = 470/900 -> kappa = 0.5116
    assert round(m.kappa.value, 4) == 0.5116  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.booleans(), decisions), min_size=1, max_size=80))
def test_counts_and_kappa_match_sklearn(rows: list[tuple[bool, bool | None]]) -> None:
    truth = np.array([r[0] for r in rows])
    coded = np.array([-1 if d is None else int(d) for _, d in rows])
    c = confusion(truth, [r[1] for r in rows])
    (tn, fp), (fn, tp) = confusion_matrix(truth.astype(int), coded, labels=[0, 1])
    assert (c.tp, c.fp, c.tn, c.fn) == (tp, fp, tn, fn)
    assert c.unanswered == int((coded == -1).sum())
    assert c.positives == truth.sum() and c.n == len(rows)
    m = metrics_from_confusion(c)
    assert m.accuracy.estimate == pytest.approx(np.mean(coded == truth))
    labels = sorted(set(truth.astype(int)) | set(coded.tolist()))
    if m.kappa.value is None:
        assert len(labels) == 1 and m.kappa.note
    else:  # an unanswered case is a third label that never agrees
        assert m.kappa.value == pytest.approx(cohen_kappa_score(truth.astype(int), coded))
    answered = coded != -1
    if m.balanced_accuracy.value is not None and answered.all():
        assert m.balanced_accuracy.value == pytest.approx(
            balanced_accuracy_score(truth, coded.astype(bool))
        )


def test_unanswered_counts_as_wrong_and_as_missed_metastasis() -> None:
    m = metrics([True, True, False, False], [True, None, False, None])
    assert (m.sensitivity.k, m.sensitivity.n) == (1, 2)
    assert (m.specificity.k, m.specificity.n) == (1, 2)
    assert (m.accuracy.k, m.accuracy.n) == (2, 4)
    assert (m.ppv.n, m.npv.n) == (1, 1)  # no answer is no call
    assert m.counts.unanswered == 2 and m.counts.unanswered_positives == 1


def test_decision_forms_agree() -> None:
    truth = [True, False, True]
    by_list = confusion(truth, [True, None, False])
    by_codes = confusion(truth, np.array([1, -1, 0], dtype=np.int8))
    assert by_list == by_codes
    assert confusion(truth, np.array([True, False, False])) == Confusion(1, 0, 1, 1)


def test_p_metastases() -> None:
    assert p_metastases(True, 90) == pytest.approx(0.9)
    assert p_metastases(False, 90) == pytest.approx(0.1)
    assert p_metastases(False, 50) == pytest.approx(0.5)
    arr = p_metastases(np.array([1, 0], np.int8), np.array([70, 100], np.int16))
    np.testing.assert_allclose(arr, [0.7, 0.0])


# -- calibration ------------------------------------------------------------------------


def test_calibration_table_counts_and_rounding() -> None:
    truth = [True, True, False, False, True, False]
    decision: list[bool | None] = [True, False, False, True, True, None]
    certainty: list[int | None] = [90, 90, 75, 100, 94, None]
    bins = {b.certainty: b for b in calibration_table(truth, decision, certainty)}
    assert list(bins) == [50, 60, 70, 80, 90, 100]
    assert (bins[90].n, bins[90].observed_accuracy.k) == (3, 2)  # 94 rounds to 90
    assert (bins[80].n, bins[80].observed_accuracy.k) == (1, 1)  # 75 rounds up to 80
    assert (bins[100].n, bins[100].observed_accuracy.k) == (1, 0)
    assert bins[50].n == 0 and bins[50].observed_accuracy.estimate is None
    assert "50 %" in bins[50].observed_accuracy.note


def test_calibration_note_words() -> None:
    over = calibration_table([True] * 14, [True] * 10 + [False] * 4, [90] * 14)
    assert calibration_note(over) == (  # Wilson 10/14 tops out at 88 % < 90 %
        "When you said 90 %, you were right 71 % of the time (n=14): you were more sure than right."
    )
    fits = calibration_table([True] * 14, [True] * 12 + [False] * 2, [90] * 14)
    assert calibration_note(fits).endswith("(n=14), about as often as you expected.")
    under = calibration_table([True] * 20, [True] * 20, [60] * 20)
    assert calibration_note(under).endswith("right more often than you thought.")
    assert calibration_note(calibration_table([True], [None], [None])) == (
        "No answers with a certainty yet."
    )


def test_certainty_outside_range_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="certainty 40"):
        calibration_table([True], [True], [40])
    with pytest.raises(UsageError, match="lengths"):
        AnswerTable.from_arrays([True, False], [True])


# -- learning curves and time -------------------------------------------------------------


def test_learning_curve_against_a_loop() -> None:
    table = random_table(3, 200)
    curve = learning_curve(table.truth, table.decision, 20, table.answered_at)
    order = np.argsort(table.answered_at, kind="stable")
    truth, right = table.truth[order], table.correct[order]
    for i in (0, 18, 19, 57, 199):
        assert curve.cum_accuracy[i] == pytest.approx(right[: i + 1].mean())
        pos = truth[: i + 1]
        want = right[: i + 1][pos].mean() if pos.any() else math.nan
        assert curve.cum_sensitivity[i] == pytest.approx(want, nan_ok=True)
        if i >= 19:
            assert curve.rolling_accuracy[i] == pytest.approx(right[i - 19 : i + 1].mean())
        else:
            assert math.isnan(curve.rolling_accuracy[i])
    assert curve.n_read.tolist() == list(range(1, 201))


def test_learning_curve_follows_answer_time_not_input_order() -> None:
    curve = learning_curve([True, False], [True, True], window=1, answered_at=[20.0, 10.0])
    assert curve.cum_accuracy.tolist() == [0.0, 0.5]
    assert math.isnan(curve.cum_sensitivity[0]) and curve.cum_sensitivity[1] == 1.0
    assert curve.cum_specificity.tolist() == [0.0, 0.0]


def test_learning_curve_rejects_bad_window() -> None:
    with pytest.raises(UsageError):
        learning_curve([True], [True], window=0)


def test_time_summary_skips_timeouts_and_missing_times() -> None:
    t = time_summary([10.0, 20.0, 30.0, 40.0, 90.0, math.nan], [1, 1, 1, 1, 0, 1])
    assert (t.n, t.median_s, t.q1_s, t.q3_s, t.iqr_s) == (4, 25.0, 17.5, 32.5, 15.0)
    empty = time_summary([])
    assert empty.median_s is None and empty.note


# -- summary ------------------------------------------------------------------------------


def test_summary_matches_parts_and_is_json_safe() -> None:
    table = random_table(5, 2000)
    s = summary(table)
    headline_numbers(s.as_dict())
    answered = table.answered
    p = p_metastases(table.decision[answered], table.certainty[answered])
    assert s.auc.value == pytest.approx(roc_auc_score(table.truth[answered], p))
    assert s.metrics.counts == confusion(table.truth, table.decision)
    assert s.n_answered == answered.sum() and s.n_attempts == 2000
    assert sum(b.n for b in s.calibration) == s.n_answered
    assert len(s.learning) == 2000


M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES


def scored(key: str, truth: Diagnosis, decision: Diagnosis | None, certainty: int | None,
           seconds: float, at: float) -> Answer:
    return Answer(key, 1, decision, certainty, None, at, seconds, timed_out=decision is None,
                  truth=truth)


def test_summary_from_answers_equals_from_arrays() -> None:
    answers = [
        scored("a", M, M, 90, 12.0, 3.0),
        scored("b", N, M, 60, 8.0, 1.0),
        scored("c", N, None, None, 30.0, 2.0),
        scored("d", M, N, 70, 5.0, 4.0),
    ]
    a = summary(answers).as_dict()
    b = summary(
        AnswerTable.from_arrays(
            [True, False, False, True],
            [True, True, None, False],
            [90, 60, None, 70],
            [12.0, 8.0, 30.0, 5.0],
            [3.0, 1.0, 2.0, 4.0],
        )
    ).as_dict()
    assert a == b
    assert a["learning"]["cum_accuracy"] == [0.0, 0.0, 1 / 3, 0.25]  # type: ignore[index]


@pytest.mark.parametrize(
    ("truth", "decision", "certainty", "undefined"),
    [
        ([False] * 5, [False] * 4 + [True], [90] * 5, {"sensitivity", "auc"}),
        ([True] * 5, [True] * 5, [80] * 5, {"specificity", "auc", "kappa", "npv"}),
        ([True], [False], [60], {"specificity", "auc", "ppv"}),
        ([True, False, True, False], [True, False, True, False], [100] * 4, set()),
        ([True, False, True], [None, None, None], [None] * 3, {"ppv", "npv", "auc", "brier"}),
        (
            [],
            [],
            [],
            {"sensitivity", "specificity", "accuracy", "ppv", "npv", "kappa", "auc", "brier"},
        ),
    ],
    ids=["no-positives", "no-negatives", "one-attempt", "all-correct", "all-unanswered", "empty"],
)
def test_degenerate_inputs_give_explained_results(
    truth: list[bool], decision: list[bool | None], certainty: list[int | None], undefined: set[str]
) -> None:
    s = summary(AnswerTable.from_arrays(truth, decision, certainty))
    d = s.as_dict()
    headline_numbers(d)
    m = s.metrics
    figures = {
        "sensitivity": m.sensitivity.estimate,
        "specificity": m.specificity.estimate,
        "accuracy": m.accuracy.estimate,
        "ppv": m.ppv.estimate,
        "npv": m.npv.estimate,
        "kappa": m.kappa.value,
        "auc": s.auc.value,
        "brier": s.brier.value,
    }
    notes = {
        "sensitivity": m.sensitivity.note,
        "specificity": m.specificity.note,
        "accuracy": m.accuracy.note,
        "ppv": m.ppv.note,
        "npv": m.npv.note,
        "kappa": m.kappa.note,
        "auc": s.auc.note,
        "brier": s.brier.note,
    }
    for name, value in figures.items():
        if name in undefined:
            assert value is None, name
            assert notes[name], f"{name} is undefined without a reason"
        else:
            assert value is not None and math.isfinite(value), name
    if "auc" in undefined:
        assert s.roc.fpr.size == 0 and s.roc.note
    assert s.calibration_note


def test_all_correct_is_perfect() -> None:
    s = summary(AnswerTable.from_arrays([True, False, True, False], [True, False, True, False]))
    assert s.metrics.accuracy.estimate == 1.0 and s.metrics.kappa.value == 1.0
    assert s.auc.value == 1.0 and s.brier.value == 0.0
