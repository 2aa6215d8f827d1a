"""The one answer value, and the shapes derived from it.

``Answer`` is one trainee's answer to one case (or a timeout): the decision, certainty,
marks, note, timing, the tools used, and the physician's label once the holder knows it
(``truth``; None inside a running quiz). Every other shape of an answer is a record
around it or a view derived from it by one named function:

- a running quiz (``core.quiz_session.QuizSession``) records ``Answer`` values, without
  labels (a quiz rebuilt from stored answers drops theirs);
- the progress file: ``storage.progress_records.StoredAttempt`` is the record around an
  ``Answer`` (row ids, dataset version, ``label_shown``); ``ProgressStore.record_attempt``
  writes one, ``attempt_from_row`` reads it back;
- scoring: ``AnswerTable.from_answers`` makes the columns every figure is computed on;
- the dashboard: ``storage.answer_columns.AnswerColumns.from_attempts`` is the columnar
  form of stored answers (``ANSWER_COLUMNS_SQL`` is the same mapping done in SQL, for
  speed), and ``gui.results.model.answer_table`` turns it into an ``AnswerTable``;
- results files (``.bstresult``): ``storage.results.answer_to_dict`` /
  ``answer_from_dict``;
- xAPI ``answered`` statements: ``core.xapi.statement_for`` / ``answer_from_statement``
  (``AnsweredStatement`` adds the trainee and the quiz session's ``QuizContext``);
- quiz feedback: ``gui.quiz.presenter.Feedback`` is the answer with its label, the
  case's alias and clinical details;
- exports (CSV, xlsx, iMRMC, RJafroc) are rows read from ``StoredAttempt.answer``.

The latest answer to each case (what the report, the dashboard, the iMRMC and RJafroc
exports and localization count) is chosen by one rule, ``latest_per_case``
(``storage.progress_records.latest_attempts`` applies it to stored answers).

``AnswerTable`` holds many answers as parallel arrays so the scoring figures stay fast
at tens of thousands of attempts. The positive class is bone metastases. A decision of
None means no answer (skipped or timed out): it counts as wrong in every count and
rate, and has no P(metastases), so it is left out of the ROC curve, the AUC, the Brier
score and calibration.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.errors import UsageError

if TYPE_CHECKING:
    from bonescan_tutor.core.quiz import Tool

METASTASES = 1
NO_METASTASES = 0
UNANSWERED = -1
"""Codes of ``AnswerTable.decision``: metastases, no metastases, no answer."""

CERTAINTY_LEVELS: tuple[int, ...] = (50, 60, 70, 80, 90, 100)
"""The certainties (%) a trainee may give an answer: the quiz's buttons and keys, the
checks on stored and returned answers, the calibration bins."""
MIN_CERTAINTY = CERTAINTY_LEVELS[0]
MAX_CERTAINTY = CERTAINTY_LEVELS[-1]

Mark = tuple[Projection, float, float]
"""A spot the trainee marked: (view, x, y) in image pixel coordinates."""


@dataclass(frozen=True)
class Answer:
    """One answer to one case, or a timeout (``decision`` None, ``timed_out`` True).

    ``position`` counts from 1 in the trainee's order. Times are the callers' ``now``
    values (the app passes epoch seconds); ``time_on_case_s`` excludes paused time;
    ``started_at`` is None where the answer was read from a file that does not carry
    it (results files, xAPI statements). ``marks`` are (projection, x, y) image pixel
    coordinates the trainee clicked. ``truth`` is the physician's label, set by whoever
    knows it (the progress file, a results file, the dataset); None in a running quiz.
    """

    case_key: str
    position: int
    decision: Diagnosis | None
    certainty: int | None
    started_at: float | None
    answered_at: float
    time_on_case_s: float
    note: str = ""
    marks: tuple[Mark, ...] = ()
    tools_used: frozenset[Tool] = field(default_factory=frozenset)
    timed_out: bool = False
    truth: Diagnosis | None = None

    @property
    def answered(self) -> bool:
        return self.decision is not None

    @property
    def p_metastases(self) -> float | None:
        """P(metastases) for scoring; None for a timeout."""
        if self.decision is None:
            return None
        return p_metastases(self.decision, self.certainty)

    @property
    def scored_certainty(self) -> int | None:
        """The certainty scoring uses: None when unanswered, 100 for a bare decision
        (a quiz that did not ask for certainty counts the answer as certain)."""
        if self.decision is None:
            return None
        return MAX_CERTAINTY if self.certainty is None else self.certainty

    @property
    def correct(self) -> bool:
        """The decision matches the label; an unanswered case (or one whose label is
        not known here) is never correct."""
        return self.truth is not None and self.decision is self.truth

    @property
    def known_truth(self) -> Diagnosis:
        """The label, where the holder always has one (stored answers, results files,
        feedback); ``UsageError`` naming the case otherwise."""
        if self.truth is None:
            raise UsageError(f"the answer to case {self.case_key} carries no label")
        return self.truth

    def with_truth(self, truth: Diagnosis | None) -> Answer:
        """The same answer with the physician's label set (or cleared, with None)."""
        return self if truth is self.truth else replace(self, truth=truth)


def latest_per_case(keys: Sequence[Hashable] | NDArray[np.object_]) -> NDArray[np.bool_]:
    """True at the latest answer to each case: the one rule the report, the dashboard,
    the iMRMC and RJafroc exports and localization use when they count a case once.

    ``keys`` has one entry per answer, in answer order (by answer time, then row): the
    case key, or (trainee, case key) where several trainees' answers are mixed.
    """
    items = keys.tolist() if isinstance(keys, np.ndarray) else list(keys)
    last = {key: i for i, key in enumerate(items)}
    keep = np.zeros(len(items), dtype=bool)
    keep[np.fromiter(last.values(), dtype=np.intp, count=len(last))] = True
    return keep


def decision_codes(decision: ArrayLike | Sequence[bool | None]) -> NDArray[np.int8]:
    """Decisions as int8 codes 1 / 0 / -1 (metastases / none / no answer).

    Accepts a sequence of bool-or-None, a numpy bool array (all answered) or an integer
    array already coded 1 / 0 / -1.
    """
    if isinstance(decision, np.ndarray):
        if decision.dtype == np.bool_:
            return decision.astype(np.int8)
        if np.issubdtype(decision.dtype, np.integer):
            codes = decision.astype(np.int8)
            if codes.size and (codes.min() < UNANSWERED or codes.max() > METASTASES):
                raise UsageError("decision codes must be 1 (metastases), 0 (none) or -1")
            return codes
        decision = decision.tolist()
    seq = list(decision)  # type: ignore[arg-type]
    return np.fromiter(
        (UNANSWERED if d is None else (METASTASES if d else NO_METASTASES) for d in seq),
        dtype=np.int8,
        count=len(seq),
    )


def truth_array(truth: ArrayLike) -> NDArray[np.bool_]:
    """The physician's labels as a bool array (True = metastases)."""
    arr = np.asarray(truth)
    if arr.dtype != np.bool_:
        arr = arr.astype(bool)
    return arr.reshape(-1)


def certainty_array(certainty: ArrayLike | Sequence[int | None]) -> NDArray[np.int16]:
    """Certainties as int16, 0 standing for None (an unanswered case has none)."""
    if isinstance(certainty, np.ndarray) and np.issubdtype(certainty.dtype, np.integer):
        return certainty.astype(np.int16).reshape(-1)
    seq = list(certainty)  # type: ignore[arg-type]
    return np.fromiter((0 if c is None else c for c in seq), dtype=np.int16, count=len(seq))


def check_certainty(codes: NDArray[np.int8], certainty: NDArray[np.int16]) -> None:
    """Raise UsageError unless every answered case has a certainty in 50..100."""
    answered = codes != UNANSWERED
    bad = answered & ((certainty < MIN_CERTAINTY) | (certainty > MAX_CERTAINTY))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise UsageError(
            f"attempt {i + 1} has certainty {int(certainty[i])}; an answered case needs a "
            f"certainty between {MIN_CERTAINTY} and {MAX_CERTAINTY} %"
        )


@overload
def p_metastases(decision: bool | Diagnosis, certainty: int | None) -> float: ...
@overload
def p_metastases(
    decision: NDArray[np.int8] | NDArray[np.bool_], certainty: NDArray[np.int16]
) -> NDArray[np.float64]: ...
def p_metastases(
    decision: bool | Diagnosis | NDArray[np.int8] | NDArray[np.bool_],
    certainty: int | NDArray[np.int16] | None,
) -> float | NDArray[np.float64]:
    """The trainee's probability of metastases implied by a decision and its certainty.

    certainty/100 when the decision is metastases, 1 - certainty/100 otherwise, so
    "no metastases, 90 %" is P = 0.1. Without a certainty (a quiz that does not ask for
    one) the decision counts as certain. A decision is a ``Diagnosis`` or True for
    metastases; arrays (decision codes) give arrays (answered cases only).
    """
    if isinstance(decision, np.ndarray):
        c = np.asarray(certainty, dtype=np.float64) / 100.0
        return np.where(decision == METASTASES, c, 1.0 - c)
    if isinstance(certainty, np.ndarray):
        raise TypeError("a scalar decision needs a scalar certainty")
    p = 1.0 if certainty is None else certainty / 100.0
    positive = decision.is_positive if isinstance(decision, Diagnosis) else bool(decision)
    return p if positive else 1.0 - p


@dataclass(frozen=True, eq=False)
class AnswerTable:
    """Parallel arrays of answers, the fast form every scoring function works on: the
    columns of ``Answer`` values (``from_answers``) or of stored ones
    (``gui.results.model`` from ``AnswerColumns``)."""

    truth: NDArray[np.bool_]
    decision: NDArray[np.int8]  # METASTASES / NO_METASTASES / UNANSWERED
    certainty: NDArray[np.int16]  # 0 where unanswered
    time_s: NDArray[np.float64]  # NaN when not recorded
    answered_at: NDArray[np.float64]  # epoch seconds; orders the learning curve
    case_key: tuple[str, ...]

    @classmethod
    def from_arrays(
        cls,
        truth: ArrayLike,
        decision: ArrayLike | Sequence[bool | None],
        certainty: ArrayLike | Sequence[int | None] | None = None,
        time_s: ArrayLike | None = None,
        answered_at: ArrayLike | None = None,
        case_key: Sequence[str] | None = None,
    ) -> AnswerTable:
        """Build and check a table (UsageError on ragged columns or a bad certainty).

        Missing columns: certainty 100 % for every answer (a bare decision), no reading
        times, answer times in input order, case keys "1", "2", ...
        """
        t = truth_array(truth)
        n = t.size
        codes = decision_codes(decision)
        cert = (
            np.where(codes == UNANSWERED, 0, 100).astype(np.int16)
            if certainty is None
            else certainty_array(certainty)
        )
        times = np.full(n, np.nan) if time_s is None else np.asarray(time_s, np.float64)
        when = (
            np.arange(n, dtype=np.float64)
            if answered_at is None
            else np.asarray(answered_at, np.float64)
        )
        keys = tuple(str(i + 1) for i in range(n)) if case_key is None else tuple(case_key)
        lengths = {len(codes), len(cert), len(times), len(when), len(keys)}
        if lengths != {n}:
            raise UsageError(
                f"the answer columns have different lengths ({n} labels, {len(codes)} "
                f"decisions, {len(cert)} certainties, {len(times)} times, {len(when)} "
                f"timestamps, {len(keys)} case keys); pass one value per attempt"
            )
        check_certainty(codes, cert)
        return cls(t, codes, cert, times.reshape(-1), when.reshape(-1), keys)

    @classmethod
    def from_answers(cls, answers: Sequence[Answer]) -> AnswerTable:
        """The columns of ``answers``, each with its label (``truth``): the one way from
        answer values to scoring's columns. A bare decision counts as 100 % certain."""
        missing = next((a.case_key for a in answers if a.truth is None), None)
        if missing is not None:
            raise UsageError(
                f"case {missing} has no label to score its answer against; score only "
                "answers whose label is known"
            )
        n = len(answers)
        m = Diagnosis.METASTASES
        return cls.from_arrays(
            np.fromiter((a.truth is m for a in answers), np.bool_, n),
            np.fromiter((UNANSWERED if a.decision is None else int(a.decision is m)
                         for a in answers), np.int8, n),
            np.fromiter((a.scored_certainty or 0 for a in answers), np.int16, n),
            np.fromiter((a.time_on_case_s for a in answers), dtype=np.float64, count=n),
            np.fromiter((a.answered_at for a in answers), dtype=np.float64, count=n),
            [a.case_key for a in answers],
        )

    def __len__(self) -> int:
        return int(self.truth.size)

    @property
    def answered(self) -> NDArray[np.bool_]:
        return np.not_equal(self.decision, UNANSWERED)

    @property
    def correct(self) -> NDArray[np.bool_]:
        """Right answers; an unanswered case is never correct."""
        return np.equal(self.decision, self.truth.astype(np.int8))

    def probabilities(self) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
        """(truth, P(metastases)) of the answered attempts only."""
        mask = self.answered
        return self.truth[mask], p_metastases(self.decision[mask], self.certainty[mask])
