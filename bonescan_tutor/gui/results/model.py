"""What the progress dashboard shows, built from stored attempts (no Qt here).

Label hiding: only attempts whose label the trainee has already been shown
(``StoredAttempt.revealed_truth`` not None) are used anywhere, for every figure, curve
and table row. An exam answered but not yet submitted is left out entirely; only
their number is reported, which says nothing about any label.

Attempts made on an older version of the dataset (another fingerprint than the one
open now) are kept, shown and flagged: the case may have been relabelled since.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.review import LEECH_MISSES, leeches, misses
from bonescan_tutor.core.scoring import AnswerTable, Summary, summary
from bonescan_tutor.storage.progress_records import SessionRecord, StoredAttempt

OLDER_DATASET = "older dataset version"
EMPTY_MESSAGE = "No answers yet — your progress will appear here."
EMPTY_HINT = "Take a practice quiz: Quiz > Quick quiz"
FILTERED_MESSAGE = "No answers match these filters."
FILTERED_HINT = "Widen the dates, or choose “All” in the menus above."
LEECH_RECENT = 5  # answers shown beside a leech, latest first

COLUMNS: tuple[str, ...] = (
    "Date",
    "Quiz",
    "Case",
    "Physician's label",
    "Your answer",
    "Certainty",
    "Correct?",
    "Time",
    "Dataset",
)


def _day_start(day: date) -> float:
    """Local midnight at the start of ``day``, as epoch seconds."""
    return datetime.combine(day, time.min).timestamp()


@dataclass(frozen=True)
class DashboardFilter:
    """Which attempts the dashboard counts; None means "all" for every field.

    ``since`` and ``until`` are local calendar days, both included.
    """

    since: date | None = None
    until: date | None = None
    session_id: int | None = None
    quiz_title: str | None = None
    dataset_fingerprint: str | None = None

    @property
    def active(self) -> bool:
        return self != DashboardFilter()

    def time_bounds(self) -> tuple[float, float]:
        """[low, high) in epoch seconds for ``answered_at``."""
        low = -math.inf if self.since is None else _day_start(self.since)
        high = math.inf if self.until is None else _day_start(self.until + timedelta(days=1))
        return low, high


@dataclass(frozen=True)
class FilterOptions:
    """The choices of the filter menus: (value, label) pairs, oldest session first."""

    sessions: tuple[tuple[int, str], ...] = ()
    quiz_titles: tuple[str, ...] = ()
    datasets: tuple[tuple[str, str], ...] = ()
    first_day: date | None = None  # of the first session: where "From" starts


def filter_options(
    sessions: Sequence[SessionRecord], current_fingerprint: str | None
) -> FilterOptions:
    """Menus from the trainee's sessions (titles and dataset names reveal no label)."""
    ordered = sorted(sessions, key=lambda s: (s.started, s.id))
    labels = tuple(
        (
            s.id,
            f"{datetime.fromtimestamp(s.started):%Y-%m-%d %H:%M} · {s.quiz_title} "
            f"({s.mode.value})",
        )
        for s in ordered
    )
    titles = tuple(sorted({s.quiz_title for s in ordered}, key=str.casefold))
    datasets: dict[str, str] = {}
    for s in ordered:
        tag = "current" if s.dataset_fingerprint == current_fingerprint else "older version"
        if current_fingerprint is None:
            tag = s.dataset_fingerprint[:8]
        datasets[s.dataset_fingerprint] = f"{s.dataset_name} ({tag})"
    first = datetime.fromtimestamp(ordered[0].started).date() if ordered else None
    return FilterOptions(labels, titles, tuple(datasets.items()), first)


@dataclass(frozen=True)
class AttemptRow:
    """One table row as display text (Date, Quiz, Case, ... as in ``COLUMNS``)."""

    case_key: str
    cells: tuple[str, ...]
    correct: bool
    older_dataset: bool


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


@dataclass(frozen=True, eq=False)
class AttemptRows:
    """The revealed attempts, newest first for the table; rows are formatted on demand
    so 50,000 attempts cost no more than the rows on screen."""

    attempts: tuple[StoredAttempt, ...]  # oldest first, all revealed
    quiz_titles: dict[int, str] = field(default_factory=dict)
    current_fingerprint: str | None = None

    def __len__(self) -> int:
        return len(self.attempts)

    def attempt(self, row: int) -> StoredAttempt:
        """The attempt shown on table row ``row`` (0 = newest)."""
        return self.attempts[len(self.attempts) - 1 - row]

    def case_key(self, row: int) -> str:
        return self.attempt(row).attempt.case_key

    def is_older(self, stored: StoredAttempt) -> bool:
        fp = self.current_fingerprint
        return fp is not None and stored.dataset_fingerprint != fp

    def row(self, row: int) -> AttemptRow:
        stored = self.attempt(row)
        a = stored.attempt
        truth = stored.revealed_truth
        assert truth is not None, "only revealed attempts are ever shown"
        correct = a.decision is truth
        older = self.is_older(stored)
        cells = (
            f"{datetime.fromtimestamp(a.answered_at):%Y-%m-%d %H:%M}",
            self.quiz_titles.get(stored.session_id, f"Session {stored.session_id}"),
            a.case_key,
            truth.label,
            a.decision.answer if a.decision else "No answer (timed out)",
            "–" if a.decision is None or a.certainty is None else f"{a.certainty} %",
            "✓ right" if correct else "✗ wrong",
            "timed out" if a.timed_out else _duration(a.time_on_case_s),
            OLDER_DATASET if older else "current" if self.current_fingerprint else "",
        )
        return AttemptRow(a.case_key, cells, correct, older)


@dataclass(frozen=True)
class Leech:
    """A case the trainee keeps missing (``core.review.is_leech``)."""

    case_key: str
    misses: int
    answers: int
    recent: tuple[bool, ...]  # latest first, True = right

    @property
    def text(self) -> str:
        marks = " ".join("✓" if right else "✗" for right in self.recent)
        return f"Case {self.case_key}: missed {self.misses} of {self.answers} (latest first: {marks})"


@dataclass(frozen=True, eq=False)
class DashboardData:
    """Everything the dashboard draws for one filter; ``summary`` is None when empty."""

    filter: DashboardFilter
    rows: AttemptRows
    table: AnswerTable
    summary: Summary | None
    leeches: tuple[Leech, ...]
    options: FilterOptions
    hidden: int  # answers left out because their label is still hidden
    older: int  # shown answers made on an older dataset version
    empty_message: str | None = None
    empty_hint: str = ""

    @property
    def empty(self) -> bool:
        return self.summary is None


def _columns(attempts: Sequence[StoredAttempt]) -> AnswerTable:
    """Revealed attempts as ``core.scoring`` columns, in one pass (an answer without a
    certainty, from a quiz that did not ask for one, counts as 100 % sure)."""
    truth: list[bool] = []
    decision: list[int] = []
    certainty: list[int] = []
    time_s: list[float] = []
    when: list[float] = []
    keys: list[str] = []
    mets = Diagnosis.METASTASES
    for s in attempts:
        a = s.attempt
        truth.append(s.revealed_truth is mets)
        if a.decision is None:
            decision.append(-1)
            certainty.append(0)
        else:
            decision.append(1 if a.decision is mets else 0)
            certainty.append(a.certainty or 100)
        time_s.append(math.nan if a.timed_out else a.time_on_case_s)
        when.append(a.answered_at)
        keys.append(a.case_key)
    return AnswerTable.from_arrays(
        np.array(truth, dtype=np.bool_),
        np.array(decision, dtype=np.int8),
        np.array(certainty, dtype=np.int16),
        np.array(time_s, dtype=np.float64),
        np.array(when, dtype=np.float64),
        keys,
    )


def answer_table(attempts: Sequence[StoredAttempt]) -> AnswerTable:
    """The revealed attempts among ``attempts`` as an ``AnswerTable``."""
    return _columns([s for s in attempts if s.revealed_truth is not None])


def find_leeches(table: AnswerTable) -> tuple[Leech, ...]:
    """Leeches from each case's answers in answer order (``core.review.leeches``).

    Only cases missed at least ``LEECH_MISSES`` times can be leeches, so histories are
    gathered for those alone: a 50,000-answer history stays a few numpy calls.
    """
    if len(table) == 0:
        return ()
    order = np.argsort(table.answered_at, kind="stable")
    keys = np.asarray(table.case_key, dtype=object)[order]
    correct = table.correct[order]
    unique, inverse = np.unique(keys.astype(str), return_inverse=True)
    missed = np.bincount(inverse, weights=~correct, minlength=unique.size)
    counts = np.bincount(inverse, minlength=unique.size)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    grouped = correct[np.argsort(inverse, kind="stable")]  # answer order kept per case
    histories: dict[str, list[bool]] = {}
    for k in np.flatnonzero(missed >= LEECH_MISSES).tolist():
        histories[str(unique[k])] = grouped[starts[k] : starts[k] + counts[k]].tolist()
    return tuple(
        Leech(key, misses(histories[key]), len(histories[key]),
              tuple(reversed(histories[key][-LEECH_RECENT:])))
        for key in leeches(histories)
    )


def build_dashboard(
    attempts: Sequence[StoredAttempt],
    sessions: Sequence[SessionRecord],
    flt: DashboardFilter = DashboardFilter(),
    current_fingerprint: str | None = None,
    window: int = 20,
) -> DashboardData:
    """Apply the filter and the label-hiding rule, then score what is left.

    ``sessions`` should be all of the trainee's sessions (they fill the menus);
    ``attempts`` may already be narrowed by the loader: the filter is applied again.
    """
    titles = {s.id: s.quiz_title for s in sessions}
    low, high = flt.time_bounds()
    wanted_title = flt.quiz_title
    kept: list[StoredAttempt] = []
    hidden = 0
    for s in attempts:
        if flt.session_id is not None and s.session_id != flt.session_id:
            continue
        if flt.dataset_fingerprint is not None and s.dataset_fingerprint != flt.dataset_fingerprint:
            continue
        if not low <= s.attempt.answered_at < high:
            continue
        if wanted_title is not None and titles.get(s.session_id) != wanted_title:
            continue
        if not s.label_shown:
            hidden += 1
            continue
        kept.append(s)
    when = [s.attempt.answered_at for s in kept]
    if any(a > b for a, b in itertools.pairwise(when)):  # the store already orders them
        kept.sort(key=lambda s: (s.attempt.answered_at, s.id))
    rows = AttemptRows(tuple(kept), titles, current_fingerprint)
    table = _columns(kept)
    options = filter_options(sessions, current_fingerprint)
    older = sum(1 for s in kept if rows.is_older(s)) if current_fingerprint else 0
    if not kept:
        message, hint = (
            (FILTERED_MESSAGE, FILTERED_HINT) if flt.active else (EMPTY_MESSAGE, EMPTY_HINT)
        )
        return DashboardData(flt, rows, table, None, (), options, hidden, 0, message, hint)
    return DashboardData(
        flt, rows, table, summary(table, window), find_leeches(table), options, hidden, older
    )
