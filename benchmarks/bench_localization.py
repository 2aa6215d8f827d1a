"""Localization scoring: a trainee's click marks against case annotations at 50,000 marks.

    python benchmarks/bench_localization.py [--marks 50000]

The figure is ``core.localization.score_marks`` from a list of ``ReadCase`` (what the
dashboard and ``report`` pass it): every mark matched to the nearest lesion within reach
on its case and view, one LL per lesion, NLs, marks on benign findings, LLF, NLF and
the wAFROC figure of merit (and, second line, with the FROC and wAFROC operating points a
plot needs; third, the dashboard's whole path, ``gui.results.localization.
localization_series`` from the stored attempts, which picks the latest revealed answer per
case first). Absolute target: <= 200 ms. Floor, measured in the same run:
plain numpy over arrays already flat, the distance of every mark to one lesion of its
case plus one sort of the ratings, the least work any such scoring needs; the ratio is
printed for information.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.harness import report_absolute, report_ratio, timeit  # noqa: E402
from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark  # noqa: E402
from bonescan_tutor.core.cases import Diagnosis, Projection  # noqa: E402
from bonescan_tutor.core.localization import (  # noqa: E402
    ReadCase,
    operating_points,
    score_marks,
)

VIEWS = (Projection.ANTERIOR, Projection.POSTERIOR)


def stored_attempts(cases: list[ReadCase]) -> list[Any]:
    """The same readings as the progress file holds them (one trainee, labels shown)."""
    from bonescan_tutor.core.answers import Answer
    from bonescan_tutor.storage.progress_records import StoredAttempt

    out = []
    for i, c in enumerate(cases):
        m = Diagnosis.METASTASES
        decision = m if c.rating >= 50 else Diagnosis.NO_METASTASES
        certainty = round(c.rating if decision is m else 100 - c.rating)
        truth = m if c.metastatic else Diagnosis.NO_METASTASES
        attempt = Answer(c.case_key, i + 1, decision, certainty, 1000.0 + i, 1005.0 + i, 5.0,
                         marks=c.marks, truth=truth)
        out.append(StoredAttempt(i + 1, 1, 1, "f", attempt, True))
    return out


def synthetic(n_marks: int, seed: int = 0) -> tuple[list[ReadCase], AnnotationSet]:
    """Cases with 21 % metastases (1-8 lesions, 0-3 findings each), ~5 marks per case,
    half of them near a lesion."""
    rng = np.random.default_rng(seed)
    n_cases = max(2, n_marks // 5)
    cases: list[ReadCase] = []
    annotated: dict[str, CaseAnnotations] = {}
    left = n_marks
    for i in range(n_cases):
        key = str(i + 1)
        metastatic = bool(rng.random() < 0.21)
        lesions = tuple(
            Mark(VIEWS[int(rng.integers(2))], float(rng.uniform(20, 236)),
                 float(rng.uniform(20, 1000)), float(rng.uniform(5, 15)))
            for _ in range(int(rng.integers(1, 9)) if metastatic else 0))
        findings = tuple(
            Mark(VIEWS[int(rng.integers(2))], float(rng.uniform(20, 236)),
                 float(rng.uniform(20, 1000)), float(rng.uniform(5, 15)), kind="fracture")
            for _ in range(int(rng.integers(0, 4))))
        annotated[key] = CaseAnnotations(lesions, findings)
        n = left if i == n_cases - 1 else min(left, int(rng.integers(2, 9)))
        left -= n
        marks = []
        for _ in range(n):
            if lesions and rng.random() < 0.5:
                les = lesions[int(rng.integers(len(lesions)))]
                marks.append((les.view, les.x + float(rng.normal(0, 6)),
                              les.y + float(rng.normal(0, 6))))
            else:
                marks.append((VIEWS[int(rng.integers(2))], float(rng.uniform(0, 256)),
                              float(rng.uniform(0, 1024))))
        rating = float(rng.choice([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]))
        cases.append(ReadCase(key, metastatic, rating, tuple(marks)))
    return cases, AnnotationSet("bench", "f", annotated)


def floor_arrays(cases: list[ReadCase], annotations: AnnotationSet) -> tuple[np.ndarray, ...]:
    """Each mark with the first lesion (or finding) of its case, flat, built outside the timing."""
    mx, my, lx, ly, rating = [], [], [], [], []
    for c in cases:
        ann = annotations.cases[c.case_key]
        target = (ann.lesions or ann.findings or (Mark(VIEWS[0], 0.0, 0.0, 1.0),))[0]
        for _, x, y in c.marks:
            mx.append(x)
            my.append(y)
            lx.append(target.x)
            ly.append(target.y)
            rating.append(c.rating)
    return tuple(np.asarray(v, dtype=np.float64) for v in (mx, my, lx, ly, rating))


def floor(arrays: tuple[np.ndarray, ...]) -> None:
    mx, my, lx, ly, rating = arrays
    hit = np.hypot(mx - lx, my - ly) <= 15.0
    np.sort(rating[~hit])
    assert hit.size == mx.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", type=int, default=50_000)
    args = parser.parse_args()
    cases, annotations = synthetic(args.marks)
    loc, scores = score_marks(cases, annotations)
    print(f"{scores.lesion.size:,} marks on {loc.cases:,} cases ({loc.lesions:,} lesions): "
          f"LLF {loc.llf:.3f}, NLF {loc.nlf:.3f}, wAFROC {loc.wafroc:.3f}, "
          f"{loc.nl_on_findings:,} false marks on look-alikes")
    arrays = floor_arrays(cases, annotations)
    t_floor = timeit(lambda: floor(arrays), repeat=15)
    t_score = timeit(lambda: score_marks(cases, annotations), repeat=9)
    report_absolute("score_marks, 50,000 marks: LLF, NLF, wAFROC", t_score.median_ms, "ms", 200)
    report_absolute("  p95", t_score.p95_ms, "ms", 200)

    def with_curves() -> None:
        operating_points(score_marks(cases, annotations)[1])

    t_curves = timeit(with_curves, repeat=9)
    report_absolute("score_marks + FROC/wAFROC points (a plot)", t_curves.median_ms, "ms", 200)
    from bonescan_tutor.gui.results.localization import localization_series

    attempts = stored_attempts(cases)
    shown = localization_series(attempts, annotations)
    assert shown.summary is not None and shown.summary.lesions_hit == loc.lesions_hit
    t_dash = timeit(lambda: localization_series(attempts, annotations), repeat=9)
    report_absolute("dashboard: stored attempts -> figures and curves", t_dash.median_ms, "ms",
                    200)
    report_ratio("score_marks vs numpy distance + sort (for info)", t_score.median_s,
                 t_floor.median_s, None)


if __name__ == "__main__":
    main()
