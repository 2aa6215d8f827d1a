"""Scoring figures: every number and curve of a trainee's history at 50,000 attempts.

    python benchmarks/bench_scoring.py [--attempts 50000]

The figure is ``summary()`` on an ``AnswerTable``: confusion rates with Wilson
intervals, kappa, ROC curve, Mann-Whitney AUC with its DeLong interval, Brier score,
calibration table and note, learning curves and reading-time quartiles. Absolute
target: <= 200 ms. Floor, measured in the same run: plain numpy confusion counts
plus one ``np.argsort`` of P(metastases), the least work any ROC needs; the ratio is
printed for information.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.harness import report_absolute, report_ratio, timeit  # noqa: E402
from bonescan_tutor.core.cases import Diagnosis  # noqa: E402
from bonescan_tutor.core.scoring import Answer, AnswerTable, summary  # noqa: E402


def synthetic(n: int, seed: int = 0) -> AnswerTable:
    """A plausible trainee: 21 % metastases, a little overconfident, 2 % timed out."""
    rng = np.random.default_rng(seed)
    truth = rng.random(n) < 0.21
    certainty = rng.choice([50, 60, 70, 80, 90, 100], n, p=[0.05, 0.1, 0.2, 0.25, 0.25, 0.15])
    right = rng.random(n) < 0.9 * certainty / 100 + 0.05
    decision = np.where(right, truth, ~truth).astype(np.int8)
    decision[rng.random(n) < 0.02] = -1
    certainty = np.where(decision == -1, 0, certainty).astype(np.int16)
    return AnswerTable.from_arrays(
        truth,
        decision,
        certainty,
        rng.gamma(2.0, 12.0, n),
        1.7e9 + np.cumsum(rng.exponential(60.0, n)),
        [f"case-{i % 291 + 1}" for i in range(n)],
    )


def floor(table: AnswerTable) -> None:
    """Confusion counts in plain numpy plus the one sort of P that any ROC needs."""
    t, d = table.truth, table.decision
    tp = np.count_nonzero(t & (d == 1))
    fn = np.count_nonzero(t & (d == 0))
    fp = np.count_nonzero(~t & (d == 1))
    tn = np.count_nonzero(~t & (d == 0))
    answered = d != -1
    p = np.where(d[answered] == 1, table.certainty[answered], 100 - table.certainty[answered])
    np.argsort(p)
    assert tp + fn + fp + tn <= t.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=50_000)
    args = parser.parse_args()
    n = args.attempts
    table = synthetic(n)
    label = {True: Diagnosis.METASTASES, False: Diagnosis.NO_METASTASES}
    answers = [
        Answer(
            case_key=table.case_key[i],
            position=i + 1,
            decision=None if table.decision[i] == -1 else label[bool(table.decision[i])],
            certainty=None if table.decision[i] == -1 else int(table.certainty[i]),
            started_at=None,
            answered_at=float(table.answered_at[i]),
            time_on_case_s=float(table.time_s[i]),
            truth=label[bool(table.truth[i])],
        )
        for i in range(n)
    ]

    s = summary(table)
    print(
        f"{n:,} attempts: AUC {s.auc.value:.3f} ({s.auc.low:.3f}-{s.auc.high:.3f}), "
        f"accuracy {s.metrics.accuracy}, {s.calibration_note}"
    )

    t_floor = timeit(lambda: floor(table), repeat=15)
    t_summary = timeit(lambda: summary(table), repeat=15)
    t_objects = timeit(lambda: summary(answers), repeat=5)
    t_dict = timeit(lambda: s.as_dict(), repeat=5)
    t_json = timeit(lambda: json.dumps(s.as_dict(), allow_nan=False), repeat=5)

    report_absolute("summary(AnswerTable), all figures and curves", t_summary.median_ms, "ms", 200)
    report_absolute("  p95", t_summary.p95_ms, "ms", 200)
    report_ratio("summary vs numpy counts + argsort(p)", t_summary.median_s, t_floor.median_s, 20)
    report_absolute("summary(list of Answer) (for info)", t_objects.median_ms, "ms", 400)
    report_absolute("Summary.as_dict, JSON-safe curves (for info)", t_dict.median_ms, "ms", 200)
    report_absolute("  as_dict + json.dumps (for info)", t_json.median_ms, "ms", 1000)


if __name__ == "__main__":
    main()
