"""The dashboard's figures as text and plot series (no Qt): what each card and plot shows.

Headline figures are always words: a number with its interval, or the sentence that
says why it cannot be computed yet; never "nan". Plot series may hold NaN where a
curve is undefined; the plots skip those points (``connect="finite"``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bonescan_tutor.core.estimates import Estimate, Proportion
from bonescan_tutor.core.metric_registry import Kind, Metric, Table, metrics_for
from bonescan_tutor.core.scoring import AnswerTable, Summary

DASH = "–"
MAX_POINTS = 1_000
"""Curves and dot clouds longer than this are thinned to every k-th point (always
keeping the last): a plot 400-700 pixels wide shows no more, and drawing 50,000
points would make the dashboard slow to open."""


def thin(x: NDArray[np.float64], *ys: NDArray[np.float64], max_points: int = MAX_POINTS
         ) -> tuple[NDArray[np.float64], ...]:
    """Every k-th point of x and each y so at most about ``max_points`` remain."""
    n = x.size
    if n <= max_points:
        return (x, *ys)
    step = -(-n // max_points)
    index = np.arange(0, n, step)
    if index[-1] != n - 1:
        index = np.append(index, n - 1)
    return (x[index], *(y[index] for y in ys))


def percent(p: float) -> str:
    return f"{100 * p:.0f} %"


@dataclass(frozen=True)
class Headline:
    """One figure card: ``title``, a big ``value`` and a ``detail`` line (or a sentence)."""

    title: str
    value: str
    detail: str
    defined: bool = True

    @property
    def text(self) -> str:
        """The whole figure in one line, e.g. "Sensitivity 80 % (95 % CI 49–94 %, 8/10)"."""
        if not self.defined:
            return f"{self.title}: {self.detail}"
        return f"{self.title} {self.value} ({self.detail})" if self.detail else (
            f"{self.title} {self.value}"
        )


def proportion_headline(title: str, p: Proportion) -> Headline:
    if p.estimate is None or p.low is None or p.high is None:
        return Headline(title, DASH, p.note, defined=False)
    return Headline(
        title,
        percent(p.estimate),
        f"95 % CI {100 * p.low:.0f}{DASH}{100 * p.high:.0f} %, {p.k}/{p.n}",
    )


def estimate_headline(title: str, e: Estimate, digits: int = 2, extra: str = "") -> Headline:
    if e.value is None:
        return Headline(title, DASH, e.note, defined=False)
    detail = extra
    if e.low is not None and e.high is not None:
        detail = f"95 % CI {e.low:.{digits}f}{DASH}{e.high:.{digits}f}{extra}"
    elif e.note:
        detail = e.note
    return Headline(title, f"{e.value:.{digits}f}", detail)


def metric_headline(metric: Metric, s: Summary) -> Headline:
    """One metric's card, formatted by its kind."""
    plain = metric.plain(s, dash=DASH)
    if plain is not None:
        return Headline(metric.label, plain, metric.detail_for(s), defined=plain != DASH)
    v = metric.of(s)
    if metric.kind is Kind.PROPORTION:
        return proportion_headline(metric.label, v)
    if metric.kind is Kind.ESTIMATE:
        return estimate_headline(metric.label, v, metric.digits, metric.detail_for(s))
    if metric.kind is Kind.SECONDS:
        if v.median_s is None or v.q1_s is None or v.q3_s is None:
            return Headline(metric.label, DASH, v.note, defined=False)
        return Headline(metric.label, f"{v.median_s:.0f} s",
                        f"per case (middle half {v.q1_s:.0f}{DASH}{v.q3_s:.0f} s)")
    return Headline(metric.label, str(v), metric.detail_for(s))


def headlines(s: Summary) -> tuple[Headline, ...]:
    """The cards, in reading order: each metric the dashboard carries."""
    return tuple(metric_headline(m, s) for m in metrics_for(Table.DASHBOARD))


def card_count() -> int:
    """How many figure cards the dashboard shows."""
    return len(metrics_for(Table.DASHBOARD))


@dataclass(frozen=True, eq=False)
class LearningSeries:
    """Accuracy (%) against cases read: cumulative, and over the last ``window`` cases."""

    n_read: NDArray[np.float64]
    cumulative: NDArray[np.float64]
    rolling: NDArray[np.float64]  # NaN until ``window`` cases are read
    window: int


@dataclass(frozen=True, eq=False)
class SensSpecSeries:
    """Cumulative sensitivity and specificity (%) against cases read (NaN before the
    first case of that class)."""

    n_read: NDArray[np.float64]
    sensitivity: NDArray[np.float64]
    specificity: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class RocSeries:
    """The trainee's ROC points; empty with ``note`` when undefined."""

    fpr: NDArray[np.float64]
    tpr: NDArray[np.float64]
    title: str
    note: str


@dataclass(frozen=True, eq=False)
class CalibrationSeries:
    """Observed accuracy (%) at each stated certainty used, Wilson 95 % error bars."""

    certainty: NDArray[np.float64]
    observed: NDArray[np.float64]
    below: NDArray[np.float64]  # observed - low
    above: NDArray[np.float64]  # high - observed
    n: NDArray[np.int64]
    note: str


@dataclass(frozen=True, eq=False)
class TimeSeries:
    """Seconds per answered case in answer order, and their median (None if none)."""

    answer_number: NDArray[np.float64]
    seconds: NDArray[np.float64]
    median_s: float | None
    note: str


def learning_series(s: Summary) -> LearningSeries:
    lc = s.learning
    x, cumulative, rolling = thin(
        lc.n_read.astype(np.float64), 100 * lc.cum_accuracy, 100 * lc.rolling_accuracy
    )
    return LearningSeries(x, cumulative, rolling, lc.window)


def sens_spec_series(s: Summary) -> SensSpecSeries:
    lc = s.learning
    x, sens, spec = thin(
        lc.n_read.astype(np.float64), 100 * lc.cum_sensitivity, 100 * lc.cum_specificity
    )
    return SensSpecSeries(x, sens, spec)


def roc_series(s: Summary) -> RocSeries:
    auc = s.auc
    if auc.value is None:
        title = "ROC curve"
    elif auc.low is not None and auc.high is not None:
        title = f"ROC curve — AUC {auc.value:.2f} (95 % CI {auc.low:.2f}{DASH}{auc.high:.2f})"
    else:
        title = f"ROC curve — AUC {auc.value:.2f}"
    return RocSeries(s.roc.fpr, s.roc.tpr, title, s.roc.note or auc.note)


def calibration_series(s: Summary) -> CalibrationSeries:
    used = [b for b in s.calibration if b.n > 0]
    observed, low, high = [], [], []
    for b in used:
        p = b.observed_accuracy
        assert p.estimate is not None and p.low is not None and p.high is not None
        observed.append(100 * p.estimate)
        low.append(100 * p.low)
        high.append(100 * p.high)
    obs = np.asarray(observed, dtype=np.float64)
    return CalibrationSeries(
        np.asarray([b.certainty for b in used], dtype=np.float64),
        obs,
        obs - np.asarray(low, dtype=np.float64),
        np.asarray(high, dtype=np.float64) - obs,
        np.asarray([b.n for b in used], dtype=np.int64),
        s.calibration_note,
    )


def time_series(table: AnswerTable, s: Summary) -> TimeSeries:
    """Reading times of answered cases with a recorded time, numbered in answer order
    (the same cases as the median: a timed-out case's time is the limit, not a read)."""
    times = table.time_s
    keep = table.answered & np.isfinite(times) & (times >= 0)
    number = np.flatnonzero(keep).astype(np.float64) + 1
    number, seconds = thin(number, times[keep])
    note = s.time.note
    if seconds.size < np.count_nonzero(keep):
        note = f"Every {int(number[1] - number[0])}th answer is shown; the median uses all."
    return TimeSeries(number, seconds, s.time.median_s, note)
