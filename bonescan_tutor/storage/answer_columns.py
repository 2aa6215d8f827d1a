"""Stored attempts as parallel numpy columns, for screens that read a whole history.

``ProgressStore.attempts`` builds two frozen objects per row, which is right for
exports and results files but costs most of a second on 50,000 answers. A screen that
only counts, scores and lists answers reads ``AnswerColumns`` instead: one SQL query,
plain tuples, one array per column.

Label hiding is done in SQL: ``revealed_truth`` is ``HIDDEN`` until the trainee has
been shown the case's label, so a hidden label never leaves the file this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bonescan_tutor.core.answers import METASTASES, NO_METASTASES, UNANSWERED
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.storage.progress_records import StoredAttempt

HIDDEN = -1
"""``revealed_truth`` of an attempt whose label the trainee has not been shown yet."""

_M, _N = Diagnosis.METASTASES.value, Diagnosis.NO_METASTASES.value

ANSWER_COLUMNS_SQL = (
    "id, session_id, case_key, "
    f"CASE decision WHEN '{_M}' THEN {METASTASES} WHEN '{_N}' THEN {NO_METASTASES} "
    f"ELSE {UNANSWERED} END, "
    "coalesce(certainty, 0), time_on_case_s, answered_at, "
    f"CASE WHEN label_shown THEN truth = '{_M}' ELSE {HIDDEN} END, "
    "dataset_fingerprint, timed_out"
)
"""The attempts columns in the order of ``AnswerColumns``'s fields, coded in SQL so
every cell but the keys, times and fingerprints is a small (cached) Python int."""


@dataclass(frozen=True, eq=False)
class AnswerColumns:
    """Attempts as parallel arrays, oldest answer first (as the store orders them)."""

    id: NDArray[np.int64]
    session_id: NDArray[np.int64]
    case_key: NDArray[np.object_]  # str
    decision: NDArray[np.int8]  # core.answers codes: METASTASES / NO_METASTASES / UNANSWERED
    certainty: NDArray[np.int16]  # 50..100 %; 0 when not asked or not answered
    time_on_case_s: NDArray[np.float64]
    answered_at: NDArray[np.float64]  # epoch seconds
    revealed_truth: NDArray[np.int8]  # METASTASES / NO_METASTASES, or HIDDEN
    dataset_fingerprint: NDArray[np.object_]  # str
    timed_out: NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.id.size)

    @property
    def label_shown(self) -> NDArray[np.bool_]:
        return np.not_equal(self.revealed_truth, HIDDEN)

    def take(self, index: NDArray[Any]) -> AnswerColumns:
        """The rows picked by a boolean mask or an index array, in that order."""
        return AnswerColumns(*(getattr(self, f.name)[index] for f in fields(self)))

    def in_answer_order(self) -> AnswerColumns:
        """Sorted by (answered_at, id); returns self when already in that order."""
        when = self.answered_at
        if np.all(when[1:] >= when[:-1]) and np.all(
            (when[1:] > when[:-1]) | (self.id[1:] > self.id[:-1])
        ):
            return self
        return self.take(np.lexsort((self.id, when)))

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[Any, ...]]) -> AnswerColumns:
        """Columns from rows selected with ``ANSWER_COLUMNS_SQL``."""
        if not rows:
            return cls.empty()
        (ids, sessions, keys, decisions, certainties, times, when, truths, fingerprints,
         timed_out) = zip(*rows, strict=True)
        return cls(
            np.array(ids, dtype=np.int64),
            np.array(sessions, dtype=np.int64),
            _objects(keys),
            np.array(decisions, dtype=np.int8),
            np.array(certainties, dtype=np.int16),
            np.array(times, dtype=np.float64),
            np.array(when, dtype=np.float64),
            np.array(truths, dtype=np.int8),
            _objects(fingerprints),
            np.array(timed_out, dtype=np.bool_),
        )

    @classmethod
    def from_attempts(cls, attempts: Sequence[StoredAttempt]) -> AnswerColumns:
        """The same columns from ``StoredAttempt`` values (hidden labels stay hidden)."""
        return cls.from_rows([_row(s) for s in attempts])

    @classmethod
    def empty(cls) -> AnswerColumns:
        return cls(
            np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, object),
            np.empty(0, np.int8), np.empty(0, np.int16), np.empty(0, np.float64),
            np.empty(0, np.float64), np.empty(0, np.int8), np.empty(0, object),
            np.empty(0, np.bool_),
        )


def _objects(values: Sequence[str]) -> NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _code(d: Diagnosis | None) -> int:
    if d is None:
        return UNANSWERED
    return METASTASES if d is Diagnosis.METASTASES else NO_METASTASES


def _row(s: StoredAttempt) -> tuple[Any, ...]:
    a = s.attempt
    truth = s.revealed_truth
    return (
        s.id, s.session_id, a.case_key, _code(a.decision), a.certainty or 0,
        a.time_on_case_s, a.answered_at, HIDDEN if truth is None else _code(truth),
        s.dataset_fingerprint, a.timed_out,
    )
