"""A trainee's answers against the physician's labels: rates, agreement, ROC, calibration.

Positive class: bone metastases. An unanswered case (no decision, e.g. timed out)
counts as wrong: it is in the denominators of sensitivity, specificity and accuracy
and is never a hit, and kappa treats it as a third answer that never agrees. It has
no P(metastases), so it is left out of the ROC curve, AUC, Brier score and
calibration. Every headline figure is a number or None with a sentence saying why;
NaN appears only inside curve arrays meant for plotting (see ``learning``).

This module is the one door: the other scoring modules' names are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bonescan_tutor.core.answers import (
    CERTAINTY_LEVELS,
    METASTASES,
    NO_METASTASES,
    UNANSWERED,
    Answer,
    AnswerTable,
    decision_codes,
    p_metastases,
    truth_array,
)
from bonescan_tutor.core.calibration import CalibrationBin, calibration_note, calibration_table
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.estimates import Z95, Estimate, Proportion, undefined, wilson
from bonescan_tutor.core.learning import LearningCurve, learning_curve
from bonescan_tutor.core.roc import (
    auc_delong,
    auc_mann_whitney,
    brier,
    delong_variance,
    roc_curve,
    undefined_reason,
)

__all__ = [
    "CERTAINTY_LEVELS",
    "METASTASES",
    "NO_METASTASES",
    "UNANSWERED",
    "Z95",
    "Answer",
    "AnswerTable",
    "CalibrationBin",
    "Confusion",
    "Estimate",
    "LearningCurve",
    "Metrics",
    "Proportion",
    "RocCurve",
    "Summary",
    "TimeSummary",
    "auc_delong",
    "auc_mann_whitney",
    "brier",
    "calibration_note",
    "calibration_table",
    "cohen_kappa",
    "confusion",
    "delong_variance",
    "learning_curve",
    "metrics",
    "metrics_from_confusion",
    "p_metastases",
    "roc_curve",
    "summary",
    "time_summary",
    "wilson",
]


@dataclass(frozen=True)
class Confusion:
    """Counts against the physician. tp/fp/tn/fn are answered cases only."""

    tp: int
    fp: int
    tn: int
    fn: int
    unanswered: int = 0
    unanswered_positives: int = 0  # of ``unanswered``, cases with metastases

    @property
    def positives(self) -> int:
        return self.tp + self.fn + self.unanswered_positives

    @property
    def negatives(self) -> int:
        return self.fp + self.tn + self.unanswered - self.unanswered_positives

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn + self.unanswered

    def as_dict(self) -> dict[str, int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "tn": self.tn,
            "fn": self.fn,
            "unanswered": self.unanswered,
            "unanswered_positives": self.unanswered_positives,
        }


def confusion(truth: ArrayLike, decision: ArrayLike | Sequence[bool | None]) -> Confusion:
    """Count true/false positives/negatives and unanswered cases in one pass."""
    t = truth_array(truth)
    codes = decision_codes(decision)
    if codes.size != t.size:
        raise UsageError(f"{t.size} labels but {codes.size} decisions")
    # cell = 3 * truth + (code + 1): 0 unanswered-neg, 1 tn, 2 fp, 3 unanswered-pos, 4 fn, 5 tp
    cells = np.bincount(3 * t.astype(np.intp) + (codes + 1), minlength=6)
    return Confusion(
        tp=int(cells[5]),
        fp=int(cells[2]),
        tn=int(cells[1]),
        fn=int(cells[4]),
        unanswered=int(cells[0] + cells[3]),
        unanswered_positives=int(cells[3]),
    )


@dataclass(frozen=True)
class Metrics:
    """The headline rates (Wilson 95 % intervals), balanced accuracy and kappa."""

    counts: Confusion
    sensitivity: Proportion
    specificity: Proportion
    accuracy: Proportion
    balanced_accuracy: Estimate
    ppv: Proportion
    npv: Proportion
    kappa: Estimate

    def as_dict(self) -> dict[str, object]:
        return {
            "counts": self.counts.as_dict(),
            "sensitivity": self.sensitivity.as_dict(),
            "specificity": self.specificity.as_dict(),
            "accuracy": self.accuracy.as_dict(),
            "balanced_accuracy": self.balanced_accuracy.as_dict(),
            "ppv": self.ppv.as_dict(),
            "npv": self.npv.as_dict(),
            "kappa": self.kappa.as_dict(),
        }


def cohen_kappa(c: Confusion) -> Estimate:
    """Cohen's kappa between trainee and physician; no answer is a third category."""
    n = c.n
    if n == 0:
        return undefined("No case read yet, so agreement cannot be measured.")
    p_o = (c.tp + c.tn) / n
    p_e = (c.positives * (c.tp + c.fp) + c.negatives * (c.tn + c.fn)) / (n * n)
    if p_e >= 1.0:
        return undefined(
            "Kappa is undefined: you and the physician each gave the same answer to every "
            "case, so chance alone would agree 100 % of the time."
        )
    return Estimate((p_o - p_e) / (1.0 - p_e))


def metrics_from_confusion(c: Confusion) -> Metrics:
    sens = wilson(
        c.tp, c.positives, empty_note="No case with metastases read yet: sensitivity needs one."
    )
    spec = wilson(
        c.tn, c.negatives, empty_note="No case without metastases read yet: specificity needs one."
    )
    if sens.estimate is not None and spec.estimate is not None:
        balanced = Estimate((sens.estimate + spec.estimate) / 2.0)
    else:
        balanced = undefined("Balanced accuracy needs cases both with and without metastases.")
    return Metrics(
        counts=c,
        sensitivity=sens,
        specificity=spec,
        accuracy=wilson(c.tp + c.tn, c.n, empty_note="No case read yet."),
        balanced_accuracy=balanced,
        ppv=wilson(
            c.tp,
            c.tp + c.fp,
            empty_note="You have not called metastases on any case yet, so PPV needs one.",
        ),
        npv=wilson(
            c.tn,
            c.tn + c.fn,
            empty_note="You have not called any case free of metastases yet, so NPV needs one.",
        ),
        kappa=cohen_kappa(c),
    )


def metrics(truth: ArrayLike, decision: ArrayLike | Sequence[bool | None]) -> Metrics:
    """Sensitivity, specificity, accuracy, PPV, NPV (each k/n with a Wilson interval),
    balanced accuracy and Cohen's kappa."""
    return metrics_from_confusion(confusion(truth, decision))


@dataclass(frozen=True)
class TimeSummary:
    """Seconds per answered case: median and interquartile range."""

    n: int
    median_s: float | None
    q1_s: float | None
    q3_s: float | None
    note: str = ""

    @property
    def iqr_s(self) -> float | None:
        return None if self.q1_s is None or self.q3_s is None else self.q3_s - self.q1_s

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "median_s": self.median_s,
            "q1_s": self.q1_s,
            "q3_s": self.q3_s,
            "iqr_s": self.iqr_s,
            "note": self.note,
        }


def time_summary(time_s: ArrayLike, answered: ArrayLike | None = None) -> TimeSummary:
    """Median and quartiles of reading time over answered cases with a recorded time.

    Timed-out cases are left out: their time is the limit, not a reading time.
    """
    times = np.asarray(time_s, dtype=np.float64).reshape(-1)
    if answered is not None:
        times = times[np.asarray(answered, dtype=bool).reshape(-1)]
    times = times[np.isfinite(times) & (times >= 0)]
    if times.size == 0:
        return TimeSummary(0, None, None, None, "No reading times recorded yet.")
    q1, med, q3 = np.percentile(times, [25.0, 50.0, 75.0])
    return TimeSummary(int(times.size), float(med), float(q1), float(q3))


@dataclass(frozen=True, eq=False)
class RocCurve:
    """The trainee's empirical ROC points (answered cases); empty with a note if undefined."""

    fpr: NDArray[np.float64]
    tpr: NDArray[np.float64]
    thresholds: NDArray[np.float64]  # the first is +inf: the (0, 0) corner
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        thresholds: list[float | None] = [
            None if math.isinf(v) else v for v in self.thresholds.tolist()
        ]
        return {
            "fpr": self.fpr.tolist(),
            "tpr": self.tpr.tolist(),
            "thresholds": thresholds,
            "note": self.note,
        }


@dataclass(frozen=True, eq=False)
class Summary:
    """Everything the end-of-session screen and the dashboard show."""

    n_attempts: int
    n_answered: int
    metrics: Metrics
    roc: RocCurve
    auc: Estimate  # Mann-Whitney AUC with a DeLong 95 % interval
    brier: Estimate
    calibration: tuple[CalibrationBin, ...]
    calibration_note: str
    learning: LearningCurve
    time: TimeSummary

    def as_dict(self) -> dict[str, object]:
        """JSON-safe: no NaN or infinity anywhere (None, with a note where it matters)."""
        return {
            "n_attempts": self.n_attempts,
            "n_answered": self.n_answered,
            "metrics": self.metrics.as_dict(),
            "roc": self.roc.as_dict(),
            "auc": self.auc.as_dict(),
            "brier": self.brier.as_dict(),
            "calibration": [b.as_dict() for b in self.calibration],
            "calibration_note": self.calibration_note,
            "learning": self.learning.as_dict(),
            "time": self.time.as_dict(),
        }


def summary(answers: AnswerTable | Sequence[Answer], window: int = 20) -> Summary:
    """All figures and curves for a set of answers (a session, or a trainee's history);
    ``Answer`` values must carry their labels."""
    table = answers if isinstance(answers, AnswerTable) else AnswerTable.from_answers(answers)
    answered = table.answered
    truth_a, p = table.probabilities()
    fpr, tpr, thresholds = roc_curve(truth_a, p)
    auc = auc_delong(truth_a, p)
    bins = tuple(calibration_table(table.truth, table.decision, table.certainty))
    return Summary(
        n_attempts=len(table),
        n_answered=int(np.count_nonzero(answered)),
        metrics=metrics(table.truth, table.decision),
        roc=RocCurve(fpr, tpr, thresholds, undefined_reason(truth_a) or ""),
        auc=auc,
        brier=brier(truth_a, p),
        calibration=bins,
        calibration_note=calibration_note(bins),
        learning=learning_curve(table.truth, table.decision, window, table.answered_at),
        time=time_summary(table.time_s, answered),
    )
