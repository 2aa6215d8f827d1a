"""ROC curve, Mann-Whitney AUC, DeLong interval and Brier score."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.metrics import roc_curve as sk_roc_curve

from bonescan_tutor.core.estimates import Z95
from bonescan_tutor.core.roc import (
    auc_delong,
    auc_mann_whitney,
    brier,
    delong_variance,
    midranks,
    roc_curve,
)

LEVELS = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])


def naive_delong(truth: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """DeLong straight from the definition, O(m n): the reference for the fast version."""
    x, y = p[truth], p[~truth]
    psi = (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    var = np.var(v10, ddof=1) / x.size + np.var(v01, ddof=1) / y.size
    return float(psi.mean()), float(var)


def random_reads(seed: int, n: int, prevalence: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Labels and P(metastases) on the 11 levels a trainee can produce."""
    rng = np.random.default_rng(seed)
    truth = rng.random(n) < prevalence
    signal = truth * 3 + rng.integers(0, 8, n)
    return truth, LEVELS[np.clip(signal, 0, 10)]


def test_midranks_average_ties() -> None:
    assert midranks(np.array([0.3, 0.1, 0.3, 0.2, 0.3])).tolist() == [4.0, 1.0, 4.0, 2.0, 4.0]


def test_auc_with_ties_by_hand() -> None:
    # Pairs (pos, neg): (.8,.5)=1, (.8,.2)=1, (.5,.5)=1/2, (.5,.2)=1 -> 3.5 / 4
    assert auc_mann_whitney([1, 1, 0, 0], [0.8, 0.5, 0.5, 0.2]) == pytest.approx(0.875)


def test_auc_all_tied_is_one_half() -> None:
    assert auc_mann_whitney([1, 0, 1, 0], [0.5] * 4) == pytest.approx(0.5)


def test_delong_variance_by_hand() -> None:
    # X = .8 .6 .4 (metastases), Y = .6 .2. V10 = 1, .75, .5 -> s2 = .0625;
    # V01 = .5, 1 -> s2 = .125; var = .0625/3 + .125/2 = 1/12; AUC = .75.
    auc, var = delong_variance([1, 1, 1, 0, 0], [0.8, 0.6, 0.4, 0.6, 0.2])  # type: ignore[misc]
    assert auc == pytest.approx(0.75)
    assert var == pytest.approx(1 / 12)


def test_hanley_mcneil_ct_ratings() -> None:
    # Hanley & McNeil (1982), Radiology 143:29, table 1: 5-point ratings of 109 CT
    # images; published AUC 0.893 and SE 0.032 (their exponential approximation,
    # which DeLong's nonparametric SE should be close to).
    neg = np.repeat([1, 2, 3, 4, 5], [33, 6, 6, 11, 2])
    pos = np.repeat([1, 2, 3, 4, 5], [3, 2, 2, 11, 33])
    truth = np.r_[np.ones(pos.size, bool), np.zeros(neg.size, bool)]
    est = auc_delong(truth, np.r_[pos, neg].astype(float))
    assert est.value == pytest.approx(0.893, abs=5e-4)
    assert est.se == pytest.approx(0.032, abs=0.003)
    assert est.low == pytest.approx(est.value - Z95 * est.se)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.sampled_from(LEVELS.tolist())), min_size=4, max_size=60)
)
def test_fast_delong_equals_definition(rows: list[tuple[bool, float]]) -> None:
    truth = np.array([r[0] for r in rows])
    p = np.array([r[1] for r in rows])
    result = delong_variance(truth, p)
    if truth.sum() < 2 or (~truth).sum() < 2:
        assert result is None
        return
    assert result is not None
    auc, var = naive_delong(truth, p)
    assert result[0] == pytest.approx(auc)
    assert result[1] == pytest.approx(var, abs=1e-12)


def test_delong_se_agrees_with_bootstrap() -> None:
    truth, p = random_reads(7, 300)
    est = auc_delong(truth, p)
    assert est.se is not None
    rng = np.random.default_rng(11)
    pos, neg = p[truth], p[~truth]
    boots = []
    for _ in range(1000):  # stratified: resample each class, as DeLong conditions on m, n
        bp = rng.choice(pos, pos.size)
        bn = rng.choice(neg, neg.size)
        boots.append(
            naive_delong(np.r_[np.ones(bp.size, bool), np.zeros(bn.size, bool)], np.r_[bp, bn])[0]
        )
    assert est.se == pytest.approx(np.std(boots), rel=0.15)


@pytest.mark.parametrize("seed", range(5))
def test_auc_roc_brier_match_sklearn(seed: int) -> None:
    truth, p = random_reads(seed, 500)
    assert auc_mann_whitney(truth, p) == pytest.approx(roc_auc_score(truth, p))
    assert auc_delong(truth, p).value == pytest.approx(roc_auc_score(truth, p))
    fpr, tpr, thr = roc_curve(truth, p)
    sk_fpr, sk_tpr, sk_thr = sk_roc_curve(truth, p, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    np.testing.assert_array_equal(thr[1:], sk_thr[1:])
    assert np.isinf(thr[0])
    assert brier(truth, p).value == pytest.approx(brier_score_loss(truth, p))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=2, max_size=40))
def test_auc_matches_sklearn_on_any_scores(rows: list[tuple[bool, float]]) -> None:
    truth = np.array([r[0] for r in rows])
    p = np.array([r[1] for r in rows])
    if truth.all() or not truth.any():
        assert auc_mann_whitney(truth, p) is None
    else:
        assert auc_mann_whitney(truth, p) == pytest.approx(roc_auc_score(truth, p))


def test_roc_runs_from_corner_to_corner() -> None:
    fpr, tpr, _ = roc_curve([1, 0, 1, 0, 1], [0.9, 0.1, 0.7, 0.7, 0.5])
    assert (fpr[0], tpr[0]) == (0.0, 0.0)
    assert (fpr[-1], tpr[-1]) == (1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)


@pytest.mark.parametrize(
    ("truth", "word"), [([0, 0, 0], "with metastases"), ([1, 1], "without metastases")]
)
def test_one_class_gives_explained_undefined_auc(truth: list[int], word: str) -> None:
    p = [0.9] * len(truth)
    est = auc_delong(truth, p)
    assert est.value is None and est.low is None
    assert word in est.note
    assert auc_mann_whitney(truth, p) is None
    assert all(a.size == 0 for a in roc_curve(truth, p))


def test_single_case_of_a_class_has_auc_without_interval() -> None:
    est = auc_delong([1, 0, 0, 0], [0.9, 0.2, 0.4, 0.9])
    assert est.value == pytest.approx((1 + 1 + 0.5) / 3)
    assert est.low is None and est.high is None
    assert "at least 2" in est.note


def test_perfect_separation_interval_has_no_width() -> None:
    est = auc_delong([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1])
    assert (est.value, est.low, est.high, est.se) == (1.0, 1.0, 1.0, 0.0)
    assert est.note


def test_interval_is_clipped_to_unit_range() -> None:
    est = auc_delong([1, 1, 0, 0, 1], [0.9, 0.8, 0.2, 0.85, 0.1])
    assert est.low is not None and est.high is not None
    assert 0.0 <= est.low <= est.value <= est.high <= 1.0  # type: ignore[operator]


def test_brier_by_hand_and_empty() -> None:
    # (0.9-1)^2 + (0.3-0)^2 = 0.01 + 0.09 -> mean 0.05
    assert brier([1, 0], [0.9, 0.3]).value == pytest.approx(0.05)
    empty = brier([], [])
    assert empty.value is None and empty.note
