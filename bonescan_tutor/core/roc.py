"""The trainee's own ROC curve, AUC with a DeLong interval, and the Brier score.

Each answered case gives P(metastases) = certainty/100 for a "metastases" call and
1 - certainty/100 otherwise; these probabilities are the scores. Unanswered cases
have no probability and are left out here (they still count as wrong in the rates).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bonescan_tutor.core.estimates import Z95, Estimate, undefined

NO_ANSWERS = "No answered case yet, so there is no ROC curve or AUC."
NO_POSITIVES = (
    "No case with metastases among the answered cases yet, so there is no ROC curve or AUC."
)
NO_NEGATIVES = (
    "No case without metastases among the answered cases yet, so there is no ROC curve or AUC."
)


def _arrays(truth: ArrayLike, p: ArrayLike) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    t = np.asarray(truth).astype(bool, copy=False).reshape(-1)
    s = np.asarray(p, dtype=np.float64).reshape(-1)
    if t.size != s.size:
        raise ValueError(f"{t.size} labels but {s.size} probabilities")
    return t, s


def undefined_reason(t: NDArray[np.bool_]) -> str | None:
    """Why there is no ROC curve for these labels (one class missing), or None."""
    m = int(np.count_nonzero(t))
    if t.size == 0:
        return NO_ANSWERS
    if m == 0:
        return NO_POSITIVES
    if m == t.size:
        return NO_NEGATIVES
    return None


def midranks(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """1-based ranks of ``x`` with ties given their average rank; O(n log n)."""
    n = x.size
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.concatenate(([True], xs[1:] != xs[:-1])))
    ends = np.append(starts[1:], n)
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks


def roc_curve(
    truth: ArrayLike, p: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The empirical ROC curve: (fpr, tpr, thresholds), one point per distinct score.

    Points are "call metastases when P >= threshold" for each distinct P from high to
    low, preceded by (0, 0) at threshold +inf, as scikit-learn's ``roc_curve`` with
    ``drop_intermediate=False``. Empty arrays when either class is missing.
    """
    t, s = _arrays(truth, p)
    if undefined_reason(t) is not None:
        empty = np.empty(0, dtype=np.float64)
        return empty, empty.copy(), empty.copy()
    order = np.argsort(-s, kind="stable")
    ss = s[order]
    last_of_value = np.append(np.flatnonzero(ss[1:] != ss[:-1]), ss.size - 1)
    tps = np.cumsum(t[order])[last_of_value]
    fps = last_of_value + 1 - tps
    tpr = np.concatenate(([0.0], tps / tps[-1]))
    fpr = np.concatenate(([0.0], fps / fps[-1]))
    thresholds = np.concatenate(([np.inf], ss[last_of_value]))
    return fpr, tpr, thresholds


def auc_mann_whitney(truth: ArrayLike, p: ArrayLike) -> float | None:
    """AUC as the Mann-Whitney probability that a metastatic case scores higher than a
    non-metastatic one, ties counted half. None when either class is missing."""
    t, s = _arrays(truth, p)
    if undefined_reason(t) is not None:
        return None
    m = int(np.count_nonzero(t))
    n = t.size - m
    ranks = midranks(s)
    return float((ranks[t].sum() - m * (m + 1) / 2.0) / (m * n))


def delong_variance(truth: ArrayLike, p: ArrayLike) -> tuple[float, float] | None:
    """(AUC, variance of the AUC) by DeLong, DeLong & Clarke-Pearson (1988).

    Uses the fast midrank algorithm of Sun & Xu (2014), O(n log n): the structural
    components are V10_i = (rank of X_i among all - rank among positives) / n for each
    positive and V01_j = 1 - (rank of Y_j among all - rank among negatives) / m for
    each negative; var = s2(V10)/m + s2(V01)/n with sample variances (ddof=1). None
    unless there are at least 2 positives and 2 negatives (a sample variance needs two).
    """
    t, s = _arrays(truth, p)
    x = s[t]
    y = s[~t]
    m, n = x.size, y.size
    if m < 2 or n < 2:
        return None
    tz = midranks(np.concatenate((x, y)))
    tx = midranks(x)
    ty = midranks(y)
    auc = (tz[:m].sum() - m * (m + 1) / 2.0) / (m * n)
    v10 = (tz[:m] - tx) / n
    v01 = 1.0 - (tz[m:] - ty) / m
    var = float(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n)
    return float(auc), var


def auc_delong(truth: ArrayLike, p: ArrayLike) -> Estimate:
    """The AUC with its DeLong 95 % interval (AUC +/- 1.96 SE, clipped to [0, 1]).

    Undefined (value None, with the reason) with no positives or no negatives; with
    a single case of a class the AUC is given without an interval.
    """
    t, s = _arrays(truth, p)
    reason = undefined_reason(t)
    if reason is not None:
        return undefined(reason)
    result = delong_variance(t, s)
    if result is None:
        auc = auc_mann_whitney(t, s)
        return Estimate(
            auc,
            note="An interval needs at least 2 answered cases with and 2 without metastases.",
        )
    auc, var = result
    se = math.sqrt(max(var, 0.0))
    note = "" if se > 0 else "Every case was ranked the same way, so the interval has no width."
    return Estimate(auc, max(0.0, auc - Z95 * se), min(1.0, auc + Z95 * se), note=note, se=se)


def brier(truth: ArrayLike, p: ArrayLike) -> Estimate:
    """Mean squared error of P(metastases) against the label (0 best, 0.25 = always 50 %)."""
    t, s = _arrays(truth, p)
    if t.size == 0:
        return undefined("No answered case yet, so there is no Brier score.")
    return Estimate(float(np.mean((s - t) ** 2)))
