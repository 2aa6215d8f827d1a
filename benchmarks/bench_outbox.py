"""Recording an answer with the xAPI outbox on: the answer row and its statement in one
transaction (WAL, synchronous=FULL), in a progress file holding 50,000 attempts.

The answer is written with the same row as ``record_attempt``; in the same transaction
its ``answered`` statement is made (``core.xapi``) and queued (``storage.outbox.enqueue``).
The floor is the bare INSERT + COMMIT of the same row into a copy of the file, without
the outbox. Target: a 5 ms median, the same budget as an answer without the outbox.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_progress import fill, interleaved
from benchmarks.harness import report_absolute, report_ratio, timeit
from bonescan_tutor.core import xapi
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import Attempt, QuizMode
from bonescan_tutor.storage import outbox

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


def main() -> None:
    actor = xapi.Actor("Ana")
    context = xapi.QuizContext(str(uuid.uuid4()), "bench", "Bench", "q" * 64, "fp", "0",
                               QuizMode.PRACTICE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.sqlite3"
        live = fill(path)
        floor_path = Path(tmp) / "floor.sqlite3"
        shutil.copyfile(path, floor_path)
        conn, raw = _connect(path), _connect(floor_path)
        outbox.ensure_table(conn)
        ours_n, floor_n = itertools.count(), itertools.count()

        def make(n: int) -> xapi.Statement:
            a = Attempt(f"new-{n}", 1, Diagnosis.METASTASES, 80, 2e9 + n, 2e9 + n + 5, 5.0)
            return xapi.answered(actor, context, a, Diagnosis.NO_METASTASES)

        def with_outbox() -> None:
            n = next(ours_n)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_INSERT, (live, f"new-{n}", 2e9 + n, 2e9 + n + 5))
            outbox.enqueue(conn, [make(n)])
            conn.execute("COMMIT")

        def bare() -> None:
            n = next(floor_n)
            raw.execute("BEGIN IMMEDIATE")
            raw.execute(_INSERT, (live, f"new-{n}", 2e9 + n, 2e9 + n + 5))
            raw.execute("COMMIT")

        recorded, floor = interleaved(with_outbox, bare)
        made = timeit(lambda: make(0), repeat=200)
        waiting = sum(outbox.waiting_counts(conn).values())
        conn.close()
        raw.close()

    print(f"answer + its xAPI statement in one transaction ({waiting} statements queued)")
    report_ratio("answer with outbox (median)", recorded.median_s, floor.median_s, 1.5)
    report_absolute("answer with outbox median", recorded.median_ms, "ms", 5.0)
    report_absolute("answer with outbox p95", recorded.p95_ms, "ms", 15.0)
    report_absolute("making one answered statement (median)", made.median_ms, "ms", 0.5)


if __name__ == "__main__":
    main()
