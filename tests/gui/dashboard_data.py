"""Hand-made stored attempts and sessions for the dashboard tests (no file, no Qt)."""

from __future__ import annotations

import json
from datetime import datetime

from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.storage.progress_records import SessionRecord, SessionStatus, StoredAttempt

M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES
CURRENT = "fp-current"
OLD = "fp-old"
T0 = datetime(2025, 3, 3, 9, 0).timestamp()
DAY = 86_400.0


def session(
    sid: int, title: str = "Quick quiz", *, mode: QuizMode = QuizMode.PRACTICE,
    fingerprint: str = CURRENT, started: float = T0,
) -> SessionRecord:
    spec = QuizSpec(f"q{sid}", title, ("1",), mode)
    return SessionRecord(
        sid, 1, spec.id, title, mode, json.dumps(spec.to_dict()), "IICS-UNA", fingerprint,
        started, None, SessionStatus.FINISHED,
    )


def attempt(
    aid: int, key: str, truth: Diagnosis, decision: Diagnosis | None, certainty: int | None = 80,
    *, sid: int = 1, shown: bool = True, fingerprint: str = CURRENT, at: float | None = None,
    seconds: float = 30.0,
) -> StoredAttempt:
    when = T0 + 60 * aid if at is None else at
    a = Answer(
        key, aid, decision, None if decision is None else certainty, when - seconds, when,
        seconds, timed_out=decision is None, truth=truth,
    )
    return StoredAttempt(aid, sid, 1, fingerprint, a, shown)


def six() -> list[StoredAttempt]:
    """Six answered cases: 3 metastatic (2 found), 3 clean (2 called clean).

    By hand: sensitivity 2/3, specificity 2/3, accuracy 4/6, PPV 2/3, NPV 2/3.
    """
    return [
        attempt(1, "11", M, M, 90),
        attempt(2, "12", M, N, 60),
        attempt(3, "13", M, M, 70),
        attempt(4, "101", N, N, 80),
        attempt(5, "102", N, M, 60),
        attempt(6, "103", N, N, 100),
    ]


SECRET_KEY = "7"


def hidden_exam() -> tuple[list[StoredAttempt], SessionRecord]:
    """An exam answered but not submitted: labels hidden, case key "7" must not show."""
    exam = session(2, "Final exam", mode=QuizMode.EXAM, started=T0 + DAY)
    rows = [
        attempt(101, SECRET_KEY, M, M, 100, sid=2, shown=False, at=T0 + DAY + 60, seconds=777),
        attempt(102, "8", N, M, 100, sid=2, shown=False, at=T0 + DAY + 120, seconds=777),
    ]
    return rows, exam
