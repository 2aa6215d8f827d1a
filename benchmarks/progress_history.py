"""A synthetic trainee history in a real progress file, for the dashboard's benchmark
and screenshots: a plausible learner who improves session by session.

Sessions go through ``ProgressStore``; the attempts are inserted in one
``executemany`` matching its schema (a record_attempt per row would fsync 50,000 times).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.storage.progress import ProgressStore, Trainee

CASES = 291
METASTATIC = 60  # IICS-UNA numbers its metastatic patients 1-60
DAY = 86_400.0


@dataclass(frozen=True)
class SessionPlan:
    title: str
    cases: int
    mode: QuizMode = QuizMode.PRACTICE
    submitted: bool = True  # an exam left unsubmitted keeps its labels hidden
    fingerprint: str = "current-fp"


def write_history(
    path: Path, plans: list[SessionPlan], *, seed: int = 7, start: float = 1.74e9
) -> Trainee:
    """Fill ``path`` with the sessions of ``plans``, one day apart; skill rises from
    about 65 % to 92 % right over the whole history and reading gets faster."""
    rng = np.random.default_rng(seed)
    total = sum(p.cases for p in plans)
    rows = []
    n = 0
    with ProgressStore.open(path) as store:
        trainee = store.get_or_create_trainee("Ana")
        for s, plan in enumerate(plans):
            keys = rng.choice(np.arange(1, CASES + 1), size=plan.cases, replace=plan.cases > CASES)
            spec = QuizSpec(f"quiz-{s}", plan.title, tuple(map(str, sorted(set(keys.tolist())))),
                            plan.mode)
            began = start + s * DAY
            sid = store.start_session(trainee, spec, "IICS-UNA bone scans", plan.fingerprint,
                                      started=began)
            clock = began
            for position, key in enumerate(keys.tolist(), start=1):
                progress = n / max(total - 1, 1)
                skill = 0.65 + 0.27 * progress
                truth = key <= METASTATIC
                right = rng.random() < skill
                timed_out = rng.random() < 0.015
                says_mets = truth if right else not truth
                certainty = int(rng.choice([60, 70, 80, 90, 100] if right else [50, 60, 70, 80, 90]))
                seconds = float(rng.gamma(4.0, (55 - 25 * progress) / 4.0))
                clock += seconds + 5
                rows.append((
                    sid, trainee.id, f"{key}-{position}" if keys.size > CASES else str(key),
                    plan.fingerprint, position,
                    None if timed_out else ("metastases" if says_mets else "no_metastases"),
                    None if timed_out else certainty, 90.0 if timed_out else seconds,
                    clock - seconds, clock, "", "[]", json.dumps(["windowing"]),
                    int(timed_out), int(plan.mode is QuizMode.PRACTICE or plan.submitted),
                    "metastases" if truth else "no_metastases",
                ))
                n += 1
            pending = plan.mode is QuizMode.EXAM and not plan.submitted
            if not pending:
                store.finish_session(sid, plan.mode is QuizMode.EXAM, finished=clock)
    bulk_insert_attempts(path, rows)
    return trainee


def bulk_insert_attempts(path: Path, rows: list[tuple[object, ...]]) -> None:
    """Many attempts in one transaction, straight into the progress file's table (the
    columns in the order of the INSERT below), then checkpointed like a settled file."""
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            """INSERT INTO attempts (session_id, trainee_id, case_key, dataset_fingerprint,
               position, decision, certainty, time_on_case_s, started_at, answered_at, note,
               marks_json, tools_json, timed_out, label_shown, truth)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
