"""Calibration: how often the trainee was right at each stated certainty.

A well-calibrated reader who says 90 % is right about 90 % of the time. Unanswered
cases have no certainty and are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from bonescan_tutor.core.answers import (
    CERTAINTY_LEVELS,
    UNANSWERED,
    certainty_array,
    check_certainty,
    decision_codes,
    truth_array,
)
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.estimates import Proportion, wilson


@dataclass(frozen=True)
class CalibrationBin:
    """How often the trainee was right when stating ``certainty`` %."""

    certainty: int
    n: int
    observed_accuracy: Proportion

    def as_dict(self) -> dict[str, object]:
        return {
            "certainty": self.certainty,
            "n": self.n,
            "observed_accuracy": self.observed_accuracy.as_dict(),
        }


def calibration_table(
    truth: ArrayLike,
    decision: ArrayLike | Sequence[bool | None],
    certainty: ArrayLike | Sequence[int | None],
) -> list[CalibrationBin]:
    """One bin per certainty level 50, 60, ... 100 % (empty bins included).

    A certainty between levels goes to the nearest level, halves rounding up (75 -> 80).
    Unanswered cases have no certainty and are left out.
    """
    t = truth_array(truth)
    codes = decision_codes(decision)
    cert = certainty_array(certainty)
    if not t.size == codes.size == cert.size:
        raise UsageError(f"{t.size} labels, {codes.size} decisions, {cert.size} certainties")
    check_certainty(codes, cert)
    answered = codes != UNANSWERED
    level_index = (cert[answered].astype(np.intp) + 5) // 10 - 5  # 50 -> 0 ... 100 -> 5
    right = codes[answered] == t[answered]
    size = len(CERTAINTY_LEVELS)
    n = np.bincount(level_index, minlength=size)
    k = np.bincount(level_index, weights=right, minlength=size)
    return [
        CalibrationBin(
            level,
            int(n[i]),
            wilson(int(k[i]), int(n[i]), empty_note=f"You never answered with {level} %."),
        )
        for i, level in enumerate(CERTAINTY_LEVELS)
    ]


def calibration_note(bins: Sequence[CalibrationBin], min_n: int = 5) -> str:
    """One plain sentence about the level where stated and observed differ most.

    Only levels with at least ``min_n`` answers compete (else the busiest level is
    used). "over/underconfident" is said only when the Wilson interval excludes the
    stated certainty; otherwise the sentence says it fits.
    """
    used = [b for b in bins if b.n > 0]
    if not used:
        return "No answers with a certainty yet."
    candidates = [b for b in used if b.n >= min_n] or [max(used, key=lambda b: b.n)]

    def gap(b: CalibrationBin) -> tuple[float, int]:
        assert b.observed_accuracy.estimate is not None
        return abs(b.observed_accuracy.estimate - b.certainty / 100.0), b.certainty

    b = max(candidates, key=gap)
    acc = b.observed_accuracy
    assert acc.estimate is not None and acc.low is not None and acc.high is not None
    said = b.certainty / 100.0
    if acc.high < said:
        verdict = ": you were more sure than right"
    elif acc.low > said:
        verdict = ": you were right more often than you thought"
    else:
        verdict = ", about as often as you expected"
    return (
        f"When you said {b.certainty} %, you were right {100 * acc.estimate:.0f} % "
        f"of the time (n={b.n}){verdict}."
    )
