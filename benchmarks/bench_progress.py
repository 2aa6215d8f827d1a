"""Recording an answer in a progress file that already holds 50,000 attempts.

``record_attempt`` must be durably committed (WAL, synchronous=FULL) before the screen
moves on. Its floor is a bare sqlite3 INSERT + COMMIT of a similar row into a copy of
the same file with the same pragmas: the fsync both pay is the bulk of the time.
Also printed: opening the file (the integrity check reads every page).
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import Timing, report_absolute, report_ratio, timeit
from benchmarks.progress_history import bulk_insert_attempts
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec, Tool
from bonescan_tutor.storage.progress import ProgressStore

EARLIER = 50_000
CASES_PER_SESSION = 100
RUNS = 150
BLOCK = 5


def fill(path: Path) -> int:
    """A progress file with ``EARLIER`` attempts; returns a fresh session's id."""
    spec = QuizSpec("bench", "Bench", tuple(map(str, range(CASES_PER_SESSION))), QuizMode.PRACTICE)
    with ProgressStore.open(path) as store:
        trainee = store.get_or_create_trainee("Ana")
        sessions = [
            store.start_session(trainee, spec, "demo", "fp")
            for _ in range(EARLIER // CASES_PER_SESSION)
        ]
        live = store.start_session(trainee, spec, "demo", "fp")
    rows = [
        (
            sid,
            trainee.id,
            str(k),
            "fp",
            k + 1,
            "metastases",
            80,
            5.0,
            1e9 + n,
            1e9 + n + 5,
            "",
            "[]",
            '["windowing"]',
            0,
            1,
            "no_metastases",
        )
        for n, (sid, k) in enumerate(itertools.product(sessions, range(CASES_PER_SESSION)))
    ]
    bulk_insert_attempts(path, rows)
    return live


def interleaved(fn: Callable[[], object], floor_fn: Callable[[], object]) -> tuple[Timing, Timing]:
    """``RUNS`` timings of each, in alternating blocks (after one warm-up block of each).

    Blocks, not single calls: alternating fsyncs between two files on every call slows
    both several times over, which is not what the app does.
    """
    ours: list[float] = []
    floor: list[float] = []
    for block in range(RUNS // BLOCK + 1):
        for samples, f in ((ours, fn), (floor, floor_fn)):
            f()  # the first call after switching files pays for the switch
            for _ in range(BLOCK):
                t0 = time.perf_counter()
                f()
                if block:
                    samples.append(time.perf_counter() - t0)
    return summary(ours), summary(floor)


def summary(samples: list[float]) -> Timing:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(statistics.median(samples), p95, len(samples))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.sqlite3"
        live = fill(path)
        floor_path = Path(tmp) / "floor.sqlite3"
        shutil.copyfile(path, floor_path)

        opened = timeit(lambda: ProgressStore.open(path).close(), repeat=5)
        store = ProgressStore.open(path)
        attempts = iter(
            [
                Answer(
                    f"new-{n}",
                    1,
                    Diagnosis.METASTASES,
                    80,
                    2e9 + n,
                    2e9 + n + 5,
                    5.0,
                    tools_used=frozenset({Tool.WINDOWING}),
                )
                for n in range(2 * RUNS + 100)
            ]
        )

        def record() -> None:
            store.record_attempt(
                live, next(attempts), Diagnosis.NO_METASTASES, "fp", label_shown=True
            )

        raw = sqlite3.connect(floor_path, isolation_level=None)
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = FULL")
        floor_counter = itertools.count()

        def bare_insert_commit() -> None:
            n = next(floor_counter)
            raw.execute("BEGIN IMMEDIATE")
            raw.execute(
                """INSERT INTO attempts (session_id, trainee_id, case_key, dataset_fingerprint,
                   position, decision, certainty, time_on_case_s, started_at, answered_at,
                   note, marks_json, tools_json, timed_out, label_shown, truth)
                   VALUES (?, 1, ?, 'fp', 1, 'metastases', 80, 5.0, ?, ?, '', '[]',
                   '["windowing"]', 0, 1, 'no_metastases')""",
                (live, f"new-{n}", 2e9 + n, 2e9 + n + 5),
            )
            raw.execute("COMMIT")

        # Interleaved, so drift in the shared disk's fsync time hits both alike.
        recorded, floor = interleaved(record, bare_insert_commit)
        store.close()
        raw.close()

    print(f"progress file with {EARLIER:,} earlier attempts (WAL, synchronous=FULL)")
    report_ratio("record_attempt (median)", recorded.median_s, floor.median_s, 1.5)
    report_absolute("record_attempt median", recorded.median_ms, "ms", 5.0)
    report_absolute("record_attempt p95", recorded.p95_ms, "ms", 15.0)
    report_absolute("open + integrity check + migrate check", opened.median_ms, "ms", 250.0)


if __name__ == "__main__":
    main()
