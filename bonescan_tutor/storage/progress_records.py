"""What the progress file hands back: trainees, sessions and stored attempts.

Plain frozen values, decoded from rows; ``StoredAttempt.revealed_truth`` is the only
way a screen should read a case's label.
"""

from __future__ import annotations

import enum
import json
import sqlite3
from dataclasses import dataclass

from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.quiz import Attempt, Mark, QuizMode, QuizSpec, Tool


class SessionStatus(enum.Enum):
    ACTIVE = "active"
    FINISHED = "finished"  # practice: done
    SUBMITTED = "submitted"  # exam: locked


@dataclass(frozen=True)
class Trainee:
    id: int
    name: str
    created: float


@dataclass(frozen=True)
class SessionRecord:
    """One quiz session as stored; ``spec`` rebuilds the quiz to resume it."""

    id: int
    trainee_id: int
    quiz_id: str
    quiz_title: str
    mode: QuizMode
    spec_json: str
    dataset_name: str
    dataset_fingerprint: str
    started: float
    finished: float | None
    status: SessionStatus

    @property
    def spec(self) -> QuizSpec:
        return QuizSpec.from_dict(json.loads(self.spec_json))


@dataclass(frozen=True)
class StoredAttempt:
    """An attempt plus what the file knows about it.

    ``truth`` is the physician's label when the answer was given, for scoring without
    the dataset. Screens must use ``revealed_truth``, which stays None until the
    label has been shown to the trainee.
    """

    id: int
    session_id: int
    trainee_id: int
    dataset_fingerprint: str
    attempt: Attempt
    truth: Diagnosis
    label_shown: bool

    @property
    def revealed_truth(self) -> Diagnosis | None:
        return self.truth if self.label_shown else None


def session_from_row(row: sqlite3.Row) -> SessionRecord:
    return SessionRecord(
        id=row["id"],
        trainee_id=row["trainee_id"],
        quiz_id=row["quiz_id"],
        quiz_title=row["quiz_title"],
        mode=QuizMode(row["mode"]),
        spec_json=row["spec_json"],
        dataset_name=row["dataset_name"],
        dataset_fingerprint=row["dataset_fingerprint"],
        started=row["started"],
        finished=row["finished"],
        status=SessionStatus(row["state"]),
    )


_TOOLS = {t.value: t for t in Tool}  # a newer app's tools are skipped
_DIAGNOSES = {d.value: d for d in Diagnosis}
_NONE_USED: frozenset[Tool] = frozenset()


def _marks(text: str) -> tuple[Mark, ...]:
    if text == "[]":  # most answers: no mark, no JSON to parse
        return ()
    return tuple((Projection(p), float(x), float(y)) for p, x, y in json.loads(text))


def _tools(text: str) -> frozenset[Tool]:
    if text == "[]":
        return _NONE_USED
    return frozenset(_TOOLS[t] for t in json.loads(text) if t in _TOOLS)


def attempt_from_row(row: sqlite3.Row) -> StoredAttempt:
    """Decode one attempts row; lookups are hoisted because a history holds 10^4-10^5 rows."""
    decision = row["decision"]
    attempt = Attempt(
        case_key=row["case_key"],
        position=row["position"],
        decision=_DIAGNOSES[decision] if decision else None,
        certainty=row["certainty"],
        started_at=row["started_at"],
        answered_at=row["answered_at"],
        time_on_case_s=row["time_on_case_s"],
        note=row["note"],
        marks=_marks(row["marks_json"]),
        tools_used=_tools(row["tools_json"]),
        timed_out=bool(row["timed_out"]),
    )
    return StoredAttempt(
        id=row["id"],
        session_id=row["session_id"],
        trainee_id=row["trainee_id"],
        dataset_fingerprint=row["dataset_fingerprint"],
        attempt=attempt,
        truth=_DIAGNOSES[row["truth"]],
        label_shown=bool(row["label_shown"]),
    )
