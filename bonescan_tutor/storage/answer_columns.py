"""Stored attempts as parallel numpy columns, for screens that read a whole history.

The columnar form of ``core.answers.Answer`` values as the progress file holds them
(``StoredAttempt``): ``AnswerColumns.from_attempts`` defines it, one row per stored
answer. ``ProgressStore.attempts`` builds two frozen objects per row, which is right
for exports and results files but costs most of a second on 50,000 answers, so a screen
that only counts, scores and lists answers reads the same columns straight from SQL
(``ANSWER_COLUMNS_SQL``, the same mapping; a test proves both agree): one query, plain
tuples, one array per column.

Label hiding is done in SQL: ``revealed_truth`` is ``HIDDEN`` until the trainee has
been shown the case's label, so a hidden label never leaves the file this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from operator import itemgetter
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
"""The attempts columns in the order of ``AnswerColumns``'s fields; decision, certainty
and label are coded in SQL, so those cells arrive as small (cached) Python ints."""


@dataclass(frozen=True, eq=False)
class AnswerColumns:
    """Stored answers as parallel arrays, oldest answer first (as the store orders
    them); built from ``StoredAttempt`` values by ``from_attempts``."""

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
        """Columns from rows selected with ``ANSWER_COLUMNS_SQL``, one pass per column
        (``zip(*rows)`` is twice as slow on 50,000 rows)."""
        n = len(rows)

        def numbers(i: int, dtype: type[np.generic]) -> NDArray[Any]:
            return np.fromiter(map(itemgetter(i), rows), dtype=dtype, count=n)

        def texts(i: int) -> NDArray[np.object_]:
            out = np.empty(n, dtype=object)
            out[:] = list(map(itemgetter(i), rows))
            return out

        return cls(
            numbers(0, np.int64),
            numbers(1, np.int64),
            texts(2),
            numbers(3, np.int8),
            numbers(4, np.int16),
            numbers(5, np.float64),
            numbers(6, np.float64),
            numbers(7, np.int8),
            texts(8),
            numbers(9, np.bool_),
        )

    @classmethod
    def from_attempts(cls, attempts: Sequence[StoredAttempt]) -> AnswerColumns:
        """The columns of ``StoredAttempt`` values (hidden labels stay hidden): the
        definition ``ANSWER_COLUMNS_SQL`` repeats in SQL."""
        return cls.from_rows([_row(s) for s in attempts])

    @classmethod
    def empty(cls) -> AnswerColumns:
        return cls.from_rows([])


def _code(d: Diagnosis | None) -> int:
    if d is None:
        return UNANSWERED
    return METASTASES if d is Diagnosis.METASTASES else NO_METASTASES


def _row(s: StoredAttempt) -> tuple[Any, ...]:
    a = s.answer
    truth = s.revealed_truth
    return (
        s.id, s.session_id, a.case_key, _code(a.decision), a.certainty or 0,
        a.time_on_case_s, a.answered_at, HIDDEN if truth is None else _code(truth),
        s.dataset_fingerprint, a.timed_out,
    )
