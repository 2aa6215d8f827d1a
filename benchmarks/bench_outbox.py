"""Recording an answer with the xAPI outbox on: ``ProgressStore.record_attempt`` while an
LRS is configured, in a progress file holding 50,000 attempts (WAL, synchronous=FULL).

The app's own path: the store's ``statements`` options are set, so ``record_attempt``
writes the practice answer and, in the same transaction, makes its ``answered``
statement (``core.xapi``) and queues it (``storage.outbox``). The floor is the bare
INSERT + COMMIT of the same row into a copy of the file, without the outbox; the same
``record_attempt`` with no LRS configured is printed beside it. Target: a 5 ms median,
the same budget as an answer without the outbox.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_progress import RUNS, fill, interleaved
from benchmarks.harness import report_absolute, report_ratio, timeit
from bonescan_tutor.core import xapi
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, Tool
from bonescan_tutor.storage.progress import ProgressStore, StatementOptions

_INSERT = """INSERT INTO attempts (session_id, trainee_id, case_key, dataset_fingerprint,
    position, decision, certainty, time_on_case_s, started_at, answered_at,
    note, marks_json, tools_json, timed_out, label_shown, truth)
    VALUES (?, 1, ?, 'fp', 1, 'metastases', 80, 5.0, ?, ?, '', '[]',
    '["windowing"]', 0, 1, 'no_metastases')"""


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _attempts(prefix: str) -> Iterator[Answer]:
    return iter(
        Answer(f"{prefix}-{n}", 1, Diagnosis.METASTASES, 80, 2e9 + n, 2e9 + n + 5, 5.0,
                tools_used=frozenset({Tool.WINDOWING}))
        for n in itertools.count()
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.sqlite3"
        live = fill(path)
        floor_path = Path(tmp) / "floor.sqlite3"
        plain_path = Path(tmp) / "plain.sqlite3"
        shutil.copyfile(path, floor_path)
        shutil.copyfile(path, plain_path)
        store, plain = ProgressStore.open(path), ProgressStore.open(plain_path)
        store.statements = StatementOptions(home_page="https://residency.example.org")
        raw = _connect(floor_path)
        hooked, unhooked = _attempts("new"), _attempts("plain")
        floor_n = itertools.count()

        def with_outbox() -> None:
            store.record_attempt(live, next(hooked), Diagnosis.NO_METASTASES, "fp",
                                 label_shown=True)

        def without_lrs() -> None:
            plain.record_attempt(live, next(unhooked), Diagnosis.NO_METASTASES, "fp",
                                 label_shown=True)

        def bare() -> None:
            n = next(floor_n)
            raw.execute("BEGIN IMMEDIATE")
            raw.execute(_INSERT, (live, f"new-{n}", 2e9 + n, 2e9 + n + 5))
            raw.execute("COMMIT")

        recorded, floor = interleaved(with_outbox, bare)
        _, no_lrs = interleaved(with_outbox, without_lrs)
        actor = xapi.Actor("Ana")
        context = xapi.QuizContext("00000000-0000-4000-8000-000000000000", "bench", "Bench",
                                   "q" * 64, "fp", "0", QuizMode.PRACTICE)
        one = Answer("1", 1, Diagnosis.METASTASES, 80, 2e9, 2e9 + 5, 5.0,
                     truth=Diagnosis.METASTASES)
        made = timeit(lambda: xapi.statement_for(one, actor, context), repeat=200)
        waiting = sum(store.waiting_statements().values())
        store.close()
        plain.close()
        raw.close()

    print(f"record_attempt with an LRS configured: the answer and its statement in one "
          f"transaction ({waiting} statements queued, {RUNS} timed)")
    report_ratio("record_attempt with outbox (median)", recorded.median_s, floor.median_s, 1.5)
    report_absolute("record_attempt with outbox median", recorded.median_ms, "ms", 5.0)
    report_absolute("record_attempt with outbox p95", recorded.p95_ms, "ms", 15.0)
    report_absolute("record_attempt, no LRS configured (median)", no_lrs.median_ms, "ms", 5.0)
    report_absolute("making one answered statement (median)", made.median_ms, "ms", 0.5)


if __name__ == "__main__":
    main()
