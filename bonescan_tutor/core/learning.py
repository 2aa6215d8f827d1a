"""Learning curves: how accuracy, sensitivity and specificity move case after case.

These arrays are for plotting. Where a point is undefined (no metastatic case seen
yet, or fewer answers than the rolling window) it is NaN, which pyqtgraph skips when
a curve is drawn with ``connect='finite'``. Headline figures never come from here;
``as_dict`` turns NaN into None for JSON.

Every answer passed in is one point: a case answered twice counts twice. The dashboard
passes the latest answer per case unless the trainee asks for every answer, and says
which it counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bonescan_tutor.core.answers import decision_codes, truth_array
from bonescan_tutor.core.errors import UsageError


@dataclass(frozen=True, eq=False)
class LearningCurve:
    """Per-case curves in the order the cases were answered (oldest first)."""

    n_read: NDArray[np.int64]  # 1..N
    cum_accuracy: NDArray[np.float64]  # right so far / read so far
    rolling_accuracy: NDArray[np.float64]  # over the last `window` cases; NaN before
    cum_sensitivity: NDArray[np.float64]  # NaN until a metastatic case is read
    cum_specificity: NDArray[np.float64]  # NaN until a non-metastatic case is read
    window: int

    def __len__(self) -> int:
        return int(self.n_read.size)

    def as_dict(self) -> dict[str, object]:
        return {
            "window": self.window,
            "n_read": self.n_read.tolist(),
            "cum_accuracy": nan_to_none(self.cum_accuracy),
            "rolling_accuracy": nan_to_none(self.rolling_accuracy),
            "cum_sensitivity": nan_to_none(self.cum_sensitivity),
            "cum_specificity": nan_to_none(self.cum_specificity),
        }


def nan_to_none(values: NDArray[np.float64]) -> list[float | None]:
    """A plain list for JSON, with None where the array holds NaN."""
    return [None if v != v else v for v in values.tolist()]


def _ratio(k: NDArray[np.int64], n: NDArray[np.int64]) -> NDArray[np.float64]:
    out = np.full(k.shape, np.nan)
    np.divide(k, n, out=out, where=n > 0)
    return out


def learning_curve(
    truth: ArrayLike,
    decision: ArrayLike | Sequence[bool | None],
    window: int = 20,
    answered_at: ArrayLike | None = None,
) -> LearningCurve:
    """Cumulative and rolling accuracy, cumulative sensitivity and specificity.

    Cases are ordered by ``answered_at`` (a stable sort, so equal times keep input
    order); without it the input order is used. An unanswered case counts as wrong
    (and as a missed metastasis when the case had metastases).
    """
    if window < 1:
        raise UsageError(f"the rolling window must be at least 1 case, got {window}")
    t = truth_array(truth)
    codes = decision_codes(decision)
    if codes.size != t.size:
        raise UsageError(f"{t.size} labels but {codes.size} decisions")
    if answered_at is not None:
        when = np.asarray(answered_at, dtype=np.float64).reshape(-1)
        if when.size != t.size:
            raise UsageError(f"{t.size} labels but {when.size} answer times")
        order = np.argsort(when, kind="stable")
        t = t[order]
        codes = codes[order]
    n = t.size
    correct = codes == t.astype(np.int8)
    n_read = np.arange(1, n + 1, dtype=np.int64)
    cum_correct = np.cumsum(correct, dtype=np.int64)
    cum_accuracy = cum_correct / n_read if n else np.empty(0)

    rolling = np.full(n, np.nan)
    if n >= window:
        padded = np.concatenate(([0], cum_correct))
        rolling[window - 1 :] = (padded[window:] - padded[:-window]) / window

    pos_seen = np.cumsum(t, dtype=np.int64)
    neg_seen = n_read - pos_seen
    tp = np.cumsum(t & correct, dtype=np.int64)
    tn = cum_correct - tp
    return LearningCurve(
        n_read,
        np.asarray(cum_accuracy, dtype=np.float64),
        rolling,
        _ratio(tp, pos_seen),
        _ratio(tn, neg_seen),
        window,
    )
