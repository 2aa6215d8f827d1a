"""A cohort of 200 trainees x 100 cases: merge, analyse and write the xlsx with charts.

The operation is what ``bonescan-tutor cohort`` does: read and verify every results
file (checksums), merge, item analysis, per-trainee summaries, and the workbook with
native charts. Its floor, for information: json-loading the same 200 files plus
pandas ``DataFrame.to_excel`` of the raw 20,000 attempts (no checks, no analysis,
no charts).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import report_absolute, report_ratio
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.storage.cohort import item_analysis, load_cohort, trainee_summaries
from bonescan_tutor.storage.cohort_workbook import write_cohort_workbook
from bonescan_tutor.storage.quizsets import QuizSet
from bonescan_tutor.storage.results import write_results

TRAINEES = 200
CASES = 100
RUNS = 3


def make_files(folder: Path) -> None:
    rng = np.random.default_rng(0)
    keys = tuple(str(k) for k in range(1, CASES + 1))
    spec = QuizSpec("bench", "Bench cohort", keys, QuizMode.EXAM, seed=1)
    qs = QuizSet(spec, "bench", "2026-01-01T00:00:00Z", "demo", "fp", "IICS-UNA")
    truth = {k: Diagnosis.METASTASES if int(k) <= 21 else Diagnosis.NO_METASTASES for k in keys}
    ease = rng.uniform(0.4, 0.95, CASES)
    for t in range(TRAINEES):
        skill = rng.normal(0, 0.1)
        rows = []
        for i, k in enumerate(keys):
            right = rng.random() < min(0.99, ease[i] + skill)
            wrong = Diagnosis.NO_METASTASES if truth[k].is_positive else Diagnosis.METASTASES
            decision = None if rng.random() < 0.02 else (truth[k] if right else wrong)
            rows.append(
                Answer(
                    case_key=k,
                    position=i + 1,
                    decision=decision,
                    certainty=int(rng.choice([50, 60, 70, 80, 90, 100])) if decision else None,
                    started_at=None,
                    time_on_case_s=float(rng.uniform(3, 40)),
                    answered_at=1.7e9 + 60 * i,
                    timed_out=decision is None,
                    truth=truth[k],
                )
            )
        write_results(
            qs,
            f"Trainee {t:03d}",
            rows,
            folder,
            now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=t),
        )


def operation(folder: Path, out: Path) -> None:
    cohort = load_cohort([folder])
    assert len(cohort.results) == TRAINEES and not cohort.problems
    items = item_analysis(cohort)
    summaries = trainee_summaries(cohort)
    write_cohort_workbook(cohort, out, items=items, summaries=summaries)


def floor(folder: Path, out: Path) -> None:
    import pandas as pd

    rows = []
    for path in sorted(folder.glob("*.bstresult")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for a in data["attempts"]:
            rows.append(
                {"trainee": data["trainee"], **{k: v for k, v in a.items() if k != "marks"}}
            )
    pd.DataFrame(rows).to_excel(out, index=False)


def best_of(fn: object, *args: Path, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(*args)  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    import pandas  # noqa: F401  (imported before timing: both sides use openpyxl/pandas)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "results"
        make_files(folder)
        op = best_of(operation, folder, Path(tmp) / "cohort.xlsx")
        fl = best_of(floor, folder, Path(tmp) / "raw.xlsx", runs=1)  # slow: once is enough
    print(
        f"cohort of {TRAINEES} trainees x {CASES} cases ({TRAINEES * CASES:,} answers), best of {RUNS}"
    )
    report_absolute("merge + analyse + xlsx with charts", op, "s", 3.0)
    # The floor writes the raw long table (220,000 cells); the workbook's Answers sheet is
    # the trainees x cases response matrix (20,000 cells), so the ratio can fall below 1.
    report_ratio("floor (info): json.load + to_excel of raw attempts", op, fl, 2.0)


if __name__ == "__main__":
    main()
