"""Headline figures as values that are never NaN: a number, or None and the reason why.

A trainee's dashboard shows "Sensitivity 80 % (49-94 %, 8/10)"; when a figure cannot
be computed (no metastatic case read yet) it shows the sentence in ``note`` instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
"""The two-sided 95 % normal quantile used by every interval here."""


@dataclass(frozen=True)
class Proportion:
    """``k`` out of ``n`` with its Wilson 95 % interval; ``estimate`` is None when n == 0."""

    k: int
    n: int
    estimate: float | None
    low: float | None
    high: float | None
    note: str = ""

    @property
    def defined(self) -> bool:
        return self.estimate is not None

    def as_dict(self) -> dict[str, object]:
        return {
            "k": self.k,
            "n": self.n,
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "note": self.note,
        }

    def __str__(self) -> str:
        if self.estimate is None or self.low is None or self.high is None:
            return self.note
        return (
            f"{100 * self.estimate:.0f} % "
            f"({100 * self.low:.0f}-{100 * self.high:.0f} %, {self.k}/{self.n})"
        )


def wilson(k: int, n: int, *, empty_note: str = "No cases to count yet.") -> Proportion:
    """The proportion k/n with its Wilson score 95 % interval (Wilson 1927).

    Wilson rather than the Wald interval because trainees' counts are small and often
    at 0 or n, where Wald collapses to a zero-width interval.
    """
    k = int(k)
    n = int(n)
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"a proportion needs 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return Proportion(0, 0, None, None, None, empty_note)
    p = k / n
    z2 = Z95 * Z95
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = Z95 / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return Proportion(k, n, p, low, high)


@dataclass(frozen=True)
class Estimate:
    """A figure that is not a simple k/n (kappa, AUC, Brier): value, optional interval.

    ``value`` is None when the figure is undefined, and ``note`` then says why in plain
    words. ``note`` may also qualify a defined value (e.g. an interval left out).
    """

    value: float | None
    low: float | None = None
    high: float | None = None
    note: str = ""
    se: float | None = None  # standard error, where the interval comes from one

    @property
    def defined(self) -> bool:
        return self.value is not None

    def as_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "se": self.se,
            "note": self.note,
        }


def undefined(note: str) -> Estimate:
    """An Estimate with no value and the sentence that explains why."""
    return Estimate(None, None, None, note)
