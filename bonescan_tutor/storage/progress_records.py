"""What the progress file hands back: trainees, sessions and stored attempts.

Plain frozen values, decoded from rows. A stored attempt is the record around one
``core.answers.Answer`` (``attempt_from_row`` decodes it); ``StoredAttempt.revealed_truth``
is the only way a screen should read a case's label.
"""

from __future__ import annotations

import enum
import functools
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bonescan_tutor.core.answers import Answer, Mark, latest_per_case
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.quiz import QuizMode, QuizSpec, Tool
from bonescan_tutor.core.quiz_session import QuizClock


class SessionStatus(enum.Enum):
    ACTIVE = "active"
    FINISHED = "finished"  # practice: done
    SUBMITTED = "submitted"  # exam: locked
    ABANDONED = "abandoned"  # given up part-way: answers locked as given


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
    clock: QuizClock | None = None  # time used when last saved (older files: None)
    quizset_json: str | None = None  # the quiz set it was taken from, if any
    registration: str | None = None  # the session's UUID in xAPI statements (older: None)

    @property
    def spec(self) -> QuizSpec:
        return QuizSpec.from_dict(json.loads(self.spec_json))


def clock_to_json(clock: QuizClock) -> str:
    return json.dumps({"total_s": clock.total_s, "case_s": clock.case_s}, sort_keys=True)


def clock_from_json(text: str | None) -> QuizClock | None:
    """The saved clock, or None when none was saved (or it is unreadable)."""
    if not text:
        return None
    try:
        data = json.loads(text)
        return QuizClock(float(data["total_s"]),
                         {str(k): float(v) for k, v in dict(data["case_s"]).items()})
    except (ValueError, TypeError, KeyError):
        return None  # the stored answers' own times still count


@dataclass(frozen=True)
class StoredAttempt:
    """An answer plus what the file knows about it: its row, session, trainee, the
    dataset version it was given on and whether its label has been shown.

    ``answer.truth`` is the physician's label when the answer was given, for scoring
    without the dataset. Screens must use ``revealed_truth``, which stays None until
    the label has been shown to the trainee.
    """

    id: int
    session_id: int
    trainee_id: int
    dataset_fingerprint: str
    answer: Answer
    label_shown: bool

    @property
    def truth(self) -> Diagnosis:
        return self.answer.known_truth  # a stored answer always has its label

    @property
    def revealed_truth(self) -> Diagnosis | None:
        return self.answer.truth if self.label_shown else None


def latest_attempts(attempts: Iterable[StoredAttempt]) -> list[StoredAttempt]:
    """The latest answer of each trainee to each case among ``attempts``, in answer
    order (by answer time, then row): ``core.answers.latest_per_case`` on stored answers.
    Filter first (labels shown, answered) to take the latest of those."""
    ordered = sorted(attempts, key=lambda s: (s.answer.answered_at, s.id))
    keep = latest_per_case([(s.trainee_id, s.answer.case_key) for s in ordered])
    return [s for s, kept in zip(ordered, keep.tolist(), strict=True) if kept]


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
        clock=clock_from_json(row["clock_json"]),
        quizset_json=row["quizset_json"],
        registration=row["registration"],
    )


_TOOLS = {t.value: t for t in Tool}  # a newer app's tools are skipped
_DIAGNOSES = {d.value: d for d in Diagnosis}
_NONE_USED: frozenset[Tool] = frozenset()


def _marks(text: str) -> tuple[Mark, ...]:
    if text == "[]":  # most answers: no mark, no JSON to parse
        return ()
    return tuple((Projection(p), float(x), float(y)) for p, x, y in json.loads(text))


@functools.lru_cache(maxsize=512)  # a history holds a handful of distinct tool sets
def _tools(text: str) -> frozenset[Tool]:
    if text == "[]":
        return _NONE_USED
    return frozenset(_TOOLS[t] for t in json.loads(text) if t in _TOOLS)


def attempt_from_row(row: tuple[Any, ...]) -> StoredAttempt:
    """Decode one attempts row, columns in the order of ``ATTEMPT_COLUMNS``: the one way
    from the progress file's rows to ``Answer`` values.

    Plain tuples and hoisted lookups: a history holds 10^4-10^5 rows.
    """
    (id_, session_id, trainee_id, fingerprint, case_key, position, decision, certainty,
     started_at, answered_at, time_on_case_s, note, marks_json, tools_json, timed_out, truth,
     label_shown) = row
    answer = Answer(
        case_key=case_key,
        position=position,
        decision=_DIAGNOSES[decision] if decision else None,
        certainty=certainty,
        started_at=started_at,
        answered_at=answered_at,
        time_on_case_s=time_on_case_s,
        note=note,
        marks=_marks(marks_json),
        tools_used=_tools(tools_json),
        timed_out=bool(timed_out),
        truth=_DIAGNOSES[truth],
    )
    return StoredAttempt(
        id=id_,
        session_id=session_id,
        trainee_id=trainee_id,
        dataset_fingerprint=fingerprint,
        answer=answer,
        label_shown=bool(label_shown),
    )


ATTEMPT_COLUMNS = (
    "id, session_id, trainee_id, dataset_fingerprint, case_key, position, decision, certainty, "
    "started_at, answered_at, time_on_case_s, note, marks_json, tools_json, timed_out, truth, "
    "label_shown"
)
