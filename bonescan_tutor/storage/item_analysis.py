"""Item analysis of a cohort (classical test theory), per case over the trainees who saw it.

- difficulty: the share of trainees who got the case right (higher = easier).
- discrimination: the share right in the upper 27 % of trainees by total score minus
  the share right in the lower 27 % (``UPPER_LOWER_SHARE``; at least one trainee per
  group; None when every trainee has the same total). When trainees tied on total
  straddle a group's cut, all of them belong to the group with an equal fraction
  (fractional membership): with room for 1 more trainee and 3 tied, each counts 1/3.
  Names (and the order of files) never decide who is in a group.
- point-biserial, corrected (item-rest): the Pearson correlation of the 0/1 item
  score with the rest score, the total without this item. This is the one to read:
  it is not inflated by the item's own share of the total.
- point-biserial, uncorrected (item-total): the correlation with the total score,
  the item included; on a 20-case set it runs about 0.1 higher. Kept because older
  workbooks and many textbooks report it.

An unanswered case counts as wrong; a case a trainee did not have leaves them out of
that case's figures (their total still counts the cases they had).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis, natural_key

if TYPE_CHECKING:
    from bonescan_tutor.storage.cohort import Cohort

UPPER_LOWER_SHARE = 0.27


@dataclass(frozen=True)
class ItemStats:
    """Classical item statistics of one case across the cohort (see the module doc)."""

    case_key: str
    truth: Diagnosis
    n: int  # trainees who had this case
    difficulty: float | None  # share correct (higher = easier)
    discrimination: float | None  # upper 27 % minus lower 27 %
    point_biserial: float | None  # uncorrected: item vs total (the item included)
    answer_spread: dict[str, int]  # metastases / no_metastases / unanswered
    mean_certainty: float | None
    point_biserial_corrected: float | None = None  # item vs rest (total without the item)

    def as_dict(self) -> dict[str, object]:
        return {
            "case_key": self.case_key,
            "truth": self.truth.value,
            "n": self.n,
            "difficulty": self.difficulty,
            "discrimination": self.discrimination,
            "point_biserial": self.point_biserial,
            "point_biserial_corrected": self.point_biserial_corrected,
            "answer_spread": dict(self.answer_spread),
            "mean_certainty": self.mean_certainty,
        }


def _matrix(cohort: Cohort) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """(case keys, correct[trainee, case] as 0/1 with NaN where not seen, total scores)."""
    keys = cohort.case_keys
    col = {k: j for j, k in enumerate(keys)}
    m = np.full((len(cohort.results), len(keys)), np.nan)
    for i, r in enumerate(cohort.results):
        for a in r.attempts:
            m[i, col[a.case_key]] = 1.0 if a.correct else 0.0
    totals = np.nansum(m, axis=1)
    return keys, m, totals


def group_weights(totals: np.ndarray, k: int, *, upper: bool) -> np.ndarray:
    """Membership (0..1) of each trainee in the upper (or lower) group of ``k`` by total.

    Trainees strictly beyond the cut belong whole; those tied at the cut share the
    remaining places equally, so the weights sum to ``k`` and depend on totals only.
    """
    t = np.asarray(totals, dtype=np.float64)
    w = np.zeros(t.size)
    if k <= 0 or t.size == 0:
        return w
    ordered = np.sort(t)[::-1] if upper else np.sort(t)
    cut = ordered[min(k, t.size) - 1]
    beyond = t > cut if upper else t < cut
    tied = t == cut
    w[beyond] = 1.0
    room = min(k, t.size) - int(beyond.sum())
    w[tied] = room / int(tied.sum())
    return w


def item_analysis(cohort: Cohort) -> list[ItemStats]:
    """Difficulty, discrimination and both point-biserials of every case (module doc)."""
    keys, m, totals = _matrix(cohort)
    n_tr = len(cohort.results)
    spread_out = n_tr >= 2 and float(totals.max()) > float(totals.min())
    k = max(1, round(UPPER_LOWER_SHARE * n_tr)) if spread_out else 0
    upper = group_weights(totals, k, upper=True)
    lower = group_weights(totals, k, upper=False)
    by_case: dict[str, list[Answer]] = {key: [] for key in keys}
    for r in cohort.results:
        for a in r.attempts:
            by_case[a.case_key].append(a)
    out: list[ItemStats] = []
    for j, key in enumerate(keys):
        column = m[:, j]
        seen = ~np.isnan(column)
        attempts = by_case[key]
        truth = attempts[0].known_truth
        spread = {"metastases": 0, "no_metastases": 0, "unanswered": 0}
        certs: list[int] = []
        for a in attempts:
            d = a.decision
            spread[d.value if d is not None else "unanswered"] += 1
            if d is not None and a.certainty is not None:
                certs.append(a.certainty)
        n = int(seen.sum())
        item = column[seen]
        out.append(
            ItemStats(
                case_key=key,
                truth=truth,
                n=n,
                difficulty=float(np.nanmean(column)) if n else None,
                discrimination=_discrimination(column, upper, lower) if k else None,
                point_biserial=_pearson(item, totals[seen]),
                answer_spread=spread,
                mean_certainty=float(np.mean(certs)) if certs else None,
                point_biserial_corrected=_pearson(item, totals[seen] - item),
            )
        )
    return out


def _weighted_share(column: np.ndarray, weights: np.ndarray) -> float | None:
    seen = ~np.isnan(column) & (weights > 0)
    total = float(weights[seen].sum())
    if total <= 0:
        return None
    return float((column[seen] * weights[seen]).sum() / total)


def _discrimination(column: np.ndarray, upper: np.ndarray, lower: np.ndarray) -> float | None:
    up, lo = _weighted_share(column, upper), _weighted_share(column, lower)
    if up is None or lo is None:
        return None
    return up - lo


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    if x.size < 2:
        return None
    sx, sy = float(np.std(x)), float(np.std(y))
    if sx == 0.0 or sy == 0.0:
        return None
    r = float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))
    return max(-1.0, min(1.0, r)) if math.isfinite(r) else None


def most_missed(items: Sequence[ItemStats] | Cohort, n: int = 10) -> list[ItemStats]:
    """The ``n`` hardest cases: lowest share correct first, then most trainees, then key.
    A case every trainee got right was missed by no one and is never listed."""
    stats = list(items) if isinstance(items, Sequence) else item_analysis(items)
    rated = [s for s in stats if s.difficulty is not None and s.difficulty < 1.0]
    rated.sort(key=lambda s: (s.difficulty, -s.n, natural_key(s.case_key)))
    return rated[: max(0, n)]
