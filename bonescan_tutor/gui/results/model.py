"""What the progress dashboard shows, built from stored attempts (no Qt here).

Label hiding: only attempts whose label the trainee has already been shown
(``AnswerColumns.label_shown``; ``StoredAttempt.revealed_truth`` not None) are used
anywhere, for every figure, curve and table row. An exam answered but not yet
submitted is left out entirely; only their number is reported, which says nothing
about any label.

Attempts made on an older version of the dataset (another fingerprint than the one
open now) are kept, shown and flagged: the case may have been relabelled since.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import numpy as np

from bonescan_tutor.core.answers import METASTASES, NO_METASTASES, UNANSWERED
from bonescan_tutor.core.answers import latest_per_case as latest_answers
from bonescan_tutor.core.cases import Diagnosis, Layout
from bonescan_tutor.core.review import LEECH_MISSES, leeches, misses
from bonescan_tutor.core.scoring import AnswerTable, Summary, summary
from bonescan_tutor.storage.answer_columns import AnswerColumns
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
    all_attempts: bool = False
    """Count every answer (a case read again counts each time); by default the figures
    and curves count the latest answer to each case. The table always lists every answer."""

    @property
    def active(self) -> bool:
        """Whether the filter leaves answers out (the counting choice does not)."""
        return replace(self, all_attempts=False) != DashboardFilter()

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


_CODES = {METASTASES: Diagnosis.METASTASES, NO_METASTASES: Diagnosis.NO_METASTASES}
_NO_ANSWER = "No answer (timed out)"


@dataclass(frozen=True, eq=False)
class AttemptRows:
    """The revealed attempts, newest first for the table. Cells are formatted from the
    columns only when asked for, so 50,000 attempts cost no more than the rows on
    screen."""

    columns: AnswerColumns = field(default_factory=AnswerColumns.empty)  # oldest first
    quiz_titles: dict[int, str] = field(default_factory=dict)
    current_fingerprint: str | None = None
    current_layout: Layout | None = None
    """The open dataset's layout: its answers show that dataset's own class names."""

    def __post_init__(self) -> None:
        if not np.all(self.columns.label_shown):
            raise ValueError("only attempts whose label was shown may reach the table")

    def __len__(self) -> int:
        return len(self.columns)

    def _at(self, row: int) -> int:
        """The column index of table row ``row`` (0 = newest)."""
        return len(self.columns) - 1 - row

    def case_key(self, row: int) -> str:
        return str(self.columns.case_key[self._at(row)])

    def correct(self, row: int) -> bool:
        i = self._at(row)
        return bool(self.columns.decision[i] == self.columns.revealed_truth[i])

    def older_dataset(self, row: int) -> bool:
        fp = self.current_fingerprint
        return fp is not None and self.columns.dataset_fingerprint[self._at(row)] != fp

    def _layout(self, i: int) -> Layout | None:
        """The layout whose class names row ``i`` uses: the open dataset's for answers
        given on it, the generic names for any other dataset."""
        same = self.current_fingerprint is not None and (
            self.columns.dataset_fingerprint[i] == self.current_fingerprint)
        return self.current_layout if same else None

    def cell(self, row: int, column: int) -> str:
        """The text of one cell; ``column`` indexes ``COLUMNS``."""
        c, i = self.columns, self._at(row)
        match column:
            case 0:
                return f"{datetime.fromtimestamp(float(c.answered_at[i])):%Y-%m-%d %H:%M}"
            case 1:
                sid = int(c.session_id[i])
                return self.quiz_titles.get(sid, f"Session {sid}")
            case 2:
                return str(c.case_key[i])
            case 3:
                return _CODES[int(c.revealed_truth[i])].label_in(self._layout(i))
            case 4:
                decision = _CODES.get(int(c.decision[i]))
                return _NO_ANSWER if decision is None else decision.answer_in(self._layout(i))
            case 5:
                certainty = int(c.certainty[i])
                return "–" if c.decision[i] == UNANSWERED or not certainty else f"{certainty} %"
            case 6:
                return "✓ right" if self.correct(row) else "✗ wrong"
            case 7:
                return "timed out" if c.timed_out[i] else _duration(float(c.time_on_case_s[i]))
            case 8:
                if self.older_dataset(row):
                    return OLDER_DATASET
                return "current" if self.current_fingerprint else ""
        raise IndexError(f"no column {column} in the attempts table")

    def row(self, row: int) -> AttemptRow:
        cells = tuple(self.cell(row, col) for col in range(len(COLUMNS)))
        return AttemptRow(self.case_key(row), cells, self.correct(row), self.older_dataset(row))


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
    repeats: int = 0  # earlier answers to cases read again, not counted (latest per case)

    @property
    def empty(self) -> bool:
        return self.summary is None


def _answer_table(columns: AnswerColumns) -> AnswerTable:
    """Revealed attempts as ``core.scoring`` columns: the table
    ``AnswerTable.from_answers`` makes of the same stored answers, column for column
    (an answer without a certainty, from a quiz that did not ask for one, counts as
    100 % sure)."""
    decision = columns.decision
    certainty = np.where(columns.certainty > 0, columns.certainty, 100)
    return AnswerTable.from_arrays(
        np.equal(columns.revealed_truth, METASTASES),
        decision,
        np.where(decision == UNANSWERED, 0, certainty).astype(np.int16),
        columns.time_on_case_s,
        columns.answered_at,
        columns.case_key.tolist(),
    )


def _as_columns(attempts: AnswerColumns | Sequence[StoredAttempt]) -> AnswerColumns:
    if isinstance(attempts, AnswerColumns):
        return attempts
    return AnswerColumns.from_attempts(attempts)


def answer_table(attempts: AnswerColumns | Sequence[StoredAttempt]) -> AnswerTable:
    """The revealed attempts among ``attempts`` as an ``AnswerTable``."""
    columns = _as_columns(attempts)
    return _answer_table(columns.take(columns.label_shown))


def find_leeches(table: AnswerTable) -> tuple[Leech, ...]:
    """Leeches from each case's answers in answer order (``core.review.leeches``).

    Only cases missed at least ``LEECH_MISSES`` times can be leeches, so the misses are
    counted first and histories gathered for those cases alone.
    """
    if len(table) == 0:
        return ()
    order = np.argsort(table.answered_at, kind="stable")
    keys = np.asarray(table.case_key, dtype=object)[order]
    correct = table.correct[order]
    missed = Counter(keys[~correct].tolist())
    candidates = {key for key, n in missed.items() if n >= LEECH_MISSES}
    histories: dict[str, list[bool]] = {key: [] for key in candidates}
    if candidates:
        for key, right in zip(keys.tolist(), correct.tolist(), strict=True):
            if key in candidates:
                histories[key].append(right)
    return tuple(
        Leech(key, misses(histories[key]), len(histories[key]),
              tuple(reversed(histories[key][-LEECH_RECENT:])))
        for key in leeches(histories)
    )


def latest_per_case(columns: AnswerColumns) -> AnswerColumns:
    """The latest answer to each case (``columns`` in answer order), order kept, by the
    one rule ``core.answers.latest_per_case``."""
    if len(columns) == 0:
        return columns
    return columns.take(latest_answers(columns.case_key))


def build_dashboard(
    attempts: AnswerColumns | Sequence[StoredAttempt],
    sessions: Sequence[SessionRecord],
    flt: DashboardFilter = DashboardFilter(),
    current_fingerprint: str | None = None,
    window: int = 20,
    current_layout: Layout | None = None,
) -> DashboardData:
    """Apply the filter and the label-hiding rule, then score what is left.

    Figures and curves count the latest answer to each case unless
    ``flt.all_attempts``; the table and the leeches use every answer.

    ``sessions`` should be all of the trainee's sessions (they fill the menus);
    ``attempts`` (``ProgressStore.answer_columns``, or stored attempts) may already be
    narrowed by the loader: the filter is applied again.
    """
    columns = _as_columns(attempts)
    titles = {s.id: s.quiz_title for s in sessions}
    low, high = flt.time_bounds()
    wanted = (columns.answered_at >= low) & (columns.answered_at < high)
    if flt.session_id is not None:
        wanted &= columns.session_id == flt.session_id
    if flt.dataset_fingerprint is not None:
        wanted &= columns.dataset_fingerprint == flt.dataset_fingerprint
    if flt.quiz_title is not None:
        ids = [sid for sid, title in titles.items() if title == flt.quiz_title]
        wanted &= np.isin(columns.session_id, ids)
    shown = columns.label_shown
    hidden = int(np.count_nonzero(wanted & ~shown))
    kept = columns.take(wanted & shown).in_answer_order()
    rows = AttemptRows(kept, titles, current_fingerprint, current_layout)
    counted = kept if flt.all_attempts else latest_per_case(kept)
    repeats = len(kept) - len(counted)
    table = _answer_table(counted)
    options = filter_options(sessions, current_fingerprint)
    older = (
        int(np.count_nonzero(kept.dataset_fingerprint != current_fingerprint))
        if current_fingerprint
        else 0
    )
    if not len(kept):
        message, hint = (
            (FILTERED_MESSAGE, FILTERED_HINT) if flt.active else (EMPTY_MESSAGE, EMPTY_HINT)
        )
        return DashboardData(flt, rows, table, None, (), options, hidden, 0, message, hint)
    leech_table = table if flt.all_attempts else _answer_table(kept)  # every answer
    return DashboardData(
        flt, rows, table, summary(table, window), find_leeches(leech_table), options, hidden,
        older, repeats=repeats,
    )
