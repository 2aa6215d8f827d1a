"""The dashboard's logic: load on each filter change, build the figures, push them.

The view only draws what it is given (``DashboardScreen`` in the app, a fake in
tests); no Qt is imported here, so the presenter is tested without a QApplication.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from bonescan_tutor.core import review
from bonescan_tutor.core.cases import Layout
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.gui import action_specs as shared
from bonescan_tutor.gui.results.localization import LocalizationLoader, LocalizationSeries
from bonescan_tutor.gui.results.model import (
    AttemptRows,
    DashboardData,
    DashboardFilter,
    FilterOptions,
    Leech,
    build_dashboard,
)
from bonescan_tutor.gui.results.series import (
    CalibrationSeries,
    Headline,
    LearningSeries,
    RocSeries,
    SensSpecSeries,
    TimeSeries,
    calibration_series,
    headlines,
    learning_series,
    roc_series,
    sens_spec_series,
    time_series,
)
from bonescan_tutor.storage.answer_columns import AnswerColumns
from bonescan_tutor.storage.progress import ProgressStore
from bonescan_tutor.storage.progress_records import SessionRecord, StoredAttempt, Trainee

log = logging.getLogger(__name__)

AttemptLoader = Callable[
    [DashboardFilter],
    tuple[AnswerColumns | Sequence[StoredAttempt], Sequence[SessionRecord]],
]
"""Returns (attempts, all the trainee's sessions); may pre-filter the attempts."""


def progress_loader(store: ProgressStore, trainee: Trainee) -> AttemptLoader:
    """The app's loader: the trainee's answers as columns (narrowed by the filter's start
    day and session in SQL) and all their sessions, read from the progress file."""

    def load(flt: DashboardFilter) -> tuple[AnswerColumns, list[SessionRecord]]:
        low, _high = flt.time_bounds()
        columns = store.answer_columns(
            trainee=trainee,
            since=None if flt.since is None else low,
            session_id=flt.session_id,
        )
        return columns, store.sessions(trainee)

    return load


DueLoader = Callable[[], int]
"""Returns how many of the trainee's review cases are due by the end of today."""


def due_loader(
    store: ProgressStore,
    trainee: Trainee,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
) -> DueLoader:
    """The app's count of review cases due today (local day) from the progress file."""
    return lambda: review.due_count(store.review_cards(trainee), clock())


def due_text(count: int) -> str:
    """The dashboard's line on spaced review."""
    if count == 0:
        return "No case is due for review today."
    return (f"{count} case{'s' if count != 1 else ''} due for review today "
            f"({shared.menu_path(shared.REVIEW_DUE)}, {shared.REVIEW_DUE.key}).")


LOAD_FAILED = "Your progress could not be read."


class DashboardView(Protocol):
    def show_filter_options(self, options: FilterOptions, current: DashboardFilter) -> None: ...
    def show_empty(self, message: str, hint: str) -> None: ...
    def show_dashboard(self) -> None: ...
    def show_notice(self, text: str) -> None: ...
    def show_due(self, text: str) -> None: ...
    def show_headlines(self, cards: Sequence[Headline]) -> None: ...
    def show_learning_curve(self, series: LearningSeries) -> None: ...
    def show_roc(self, series: RocSeries) -> None: ...
    def show_calibration(self, series: CalibrationSeries) -> None: ...
    def show_sens_spec(self, series: SensSpecSeries) -> None: ...
    def show_times(self, series: TimeSeries) -> None: ...
    def show_attempts(self, rows: AttemptRows) -> None: ...
    def show_leeches(self, leeches: Sequence[Leech]) -> None: ...


class LocalizationView(Protocol):
    """A dashboard that also draws the lesion-finding curves."""

    def show_localization(self, series: LocalizationSeries) -> None: ...


def notice(data: DashboardData) -> str:
    """The line above the figures: what is counted, what is left out and flagged."""
    parts = []
    if data.summary is not None:
        if data.filter.all_attempts:
            parts.append("Figures and curves count every answer: a case read again "
                         "counts each time.")
        else:
            left = (f" ({data.repeats} earlier answer{'s' if data.repeats != 1 else ''} "
                    "to cases read again not counted; tick “Every answer” to count them)"
                    if data.repeats else "")
            parts.append(f"Figures and curves count the latest answer per case{left}.")
    if data.hidden:
        parts.append(
            f"{data.hidden} answer{'s' if data.hidden != 1 else ''} from an exam not yet "
            "submitted will count once it is submitted."
        )
    if data.older:
        parts.append(
            f"{data.older} answer{'s' if data.older != 1 else ''} were given on an older "
            "version of the dataset (flagged in the table)."
        )
    return " ".join(parts)


class DashboardPresenter:
    """Holds the filter and the last data; ``refresh`` reloads and redraws everything."""

    def __init__(
        self,
        view: DashboardView,
        load_attempts: AttemptLoader,
        current_fingerprint: str | None = None,
        window: int = 20,
        due_today: DueLoader | None = None,
        current_layout: Layout | None = None,
        load_localization: LocalizationLoader | None = None,
    ) -> None:
        """``load_localization`` (optional): the FROC / wAFROC series for a filter; the
        view then needs ``show_localization`` (``LocalizationView``)."""
        self.view = view
        self.load_localization = load_localization
        self.current_layout = current_layout
        self.due_today = due_today
        self.load_attempts = load_attempts
        self.current_fingerprint = current_fingerprint
        self.window = window
        self.filter = DashboardFilter()
        self.data: DashboardData | None = None

    def set_filter(self, flt: DashboardFilter) -> None:
        if flt != self.filter:
            self.filter = flt
            self.refresh()

    def set_current_fingerprint(
        self, fingerprint: str | None, layout: Layout | None = None
    ) -> None:
        if (fingerprint, layout) != (self.current_fingerprint, self.current_layout):
            self.current_fingerprint, self.current_layout = fingerprint, layout
            self.refresh()

    def _show_due(self) -> None:
        if self.due_today is None:
            return
        try:
            count = self.due_today()
        except BonescanError as exc:
            log.warning("dashboard: %s", exc)
            self.view.show_due(f"The review schedule could not be read: {exc}")
            return
        self.view.show_due(due_text(count))

    def refresh(self) -> None:
        try:
            attempts, sessions = self.load_attempts(self.filter)
        except BonescanError as exc:
            log.warning("dashboard: %s", exc)
            self.data = None
            self.view.show_empty(LOAD_FAILED, str(exc))
            return
        data = build_dashboard(
            attempts, sessions, self.filter, self.current_fingerprint, self.window,
            self.current_layout,
        )
        self.data = data
        self.view.show_filter_options(data.options, self.filter)
        self.view.show_notice(notice(data))
        self._show_due()
        if data.summary is None:
            self.view.show_attempts(data.rows)
            self.view.show_leeches(())
            self.view.show_empty(data.empty_message or "", data.empty_hint)
            return
        s = data.summary
        self.view.show_headlines(headlines(s))
        self.view.show_learning_curve(learning_series(s))
        self.view.show_roc(roc_series(s))
        self.view.show_calibration(calibration_series(s))
        self.view.show_sens_spec(sens_spec_series(s))
        self.view.show_times(time_series(data.table, s))
        self.view.show_attempts(data.rows)
        self.view.show_leeches(data.leeches)
        self._show_localization()
        self.view.show_dashboard()

    def _show_localization(self) -> None:
        if self.load_localization is None:
            return
        try:
            series = self.load_localization(self.filter)
        except BonescanError as exc:
            log.warning("dashboard: %s", exc)
            series = LocalizationSeries(message=f"Your marks could not be scored: {exc}")
        view: LocalizationView = self.view  # type: ignore[assignment]
        view.show_localization(series)
