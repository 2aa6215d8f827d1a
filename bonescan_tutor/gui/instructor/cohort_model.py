"""What the cohort view shows, computed off the GUI thread, and how its numbers read.

``cohort_report`` does every slow step (reading the files, the item analysis, each
trainee's figures, the thumbnails) so the dialog only fills tables from plain values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bonescan_tutor.core.cases import Dataset, View
from bonescan_tutor.core.localization import Localization
from bonescan_tutor.core.metric_registry import Kind, Metric, Source, Table, metrics_for
from bonescan_tutor.core.scoring import Estimate, Proportion, Summary
from bonescan_tutor.datasets.images import load_view
from bonescan_tutor.datasets.thumbnails import case_thumbnails
from bonescan_tutor.storage.cohort import (
    Cohort,
    ItemStats,
    Prefer,
    accuracies,
    item_analysis,
    load_cohort,
    most_missed,
    trainee_summaries,
)
from bonescan_tutor.storage.cohort_workbook import MOST_MISSED
from bonescan_tutor.storage.quizsets import QuizSet

DASH = "—"


@dataclass(frozen=True)
class CohortReport:
    """A merged cohort and everything derived from it, ready to show."""

    cohort: Cohort
    items: list[ItemStats] = field(default_factory=list)
    summaries: dict[str, Summary] = field(default_factory=dict)
    worst: list[ItemStats] = field(default_factory=list)
    thumbnails: dict[str, bytes] = field(default_factory=dict)

    @property
    def accuracies(self) -> list[float]:
        """Each trainee's accuracy (0-1), where it is defined."""
        return accuracies(self.summaries)

    def headline(self) -> str:
        c = self.cohort
        if not c.results:
            return "No results file could be merged; the files and reasons are listed below."
        text = (f"Quiz set “{c.quiz_set_title}”: {len(c.results)} trainee(s), "
                f"{len(self.items)} case(s)")
        accs = self.accuracies
        if accs:
            text += f", mean accuracy {100 * float(np.mean(accs)):.1f} %"
        if c.problems:
            text += f"; {len(c.problems)} file(s) not merged"
        if self.to_check:
            text += f"; {self.to_check} finding(s) to check below"
        return text + "."

    @property
    def to_check(self) -> int:
        """Findings on merged files: several files for one trainee, dropped answers, labels."""
        return len(self.cohort.warnings) + len(self.cohort.duplicates)


def cohort_report(
    paths: Sequence[Path],
    dataset: Dataset | None = None,
    load: Callable[[View], np.ndarray] = load_view,
    prefer: Prefer = Prefer.LATEST,
    quiz_set: QuizSet | None = None,
) -> CohortReport:
    """Merge ``paths`` (files and folders) and analyse them. Given a dataset, its labels
    score every answer (``storage.cohort``) and the most-missed cases get thumbnails."""
    cohort = load_cohort([Path(p) for p in paths], dataset, prefer, quiz_set=quiz_set)
    if not cohort.results:
        return CohortReport(cohort)
    items = item_analysis(cohort)
    worst = most_missed(items, MOST_MISSED)
    thumbs = case_thumbnails(dataset, [s.case_key for s in worst], load) if dataset else {}
    return CohortReport(cohort, items, trainee_summaries(cohort), worst, thumbs)


def percent(value: float | None, digits: int = 0) -> str:
    return DASH if value is None else f"{100 * value:.{digits}f} %"


def with_interval(p: Proportion) -> str:
    """'75 % (41-93)': the estimate and its Wilson 95 % interval."""
    if p.estimate is None:
        return DASH
    if p.low is None or p.high is None:
        return percent(p.estimate)
    return f"{percent(p.estimate)} ({100 * p.low:.0f}–{100 * p.high:.0f})"


def number(value: float | None, digits: int = 2) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def estimate(e: Estimate, digits: int = 2) -> str:
    return number(e.value, digits)


def metric_cell(metric: Metric, s: Summary, loc: Localization | None = None) -> str:
    """A metric's cell in the trainee table, formatted by its kind."""
    plain = metric.plain(s, loc, DASH)
    if plain is not None:
        return plain
    v = metric.of(s, loc)
    if metric.kind is Kind.PROPORTION:
        return with_interval(v)
    if metric.kind is Kind.ESTIMATE:
        return estimate(v, metric.digits)
    if metric.kind is Kind.SECONDS:
        return DASH if v.median_s is None else f"{v.median_s:.0f} s"
    return str(v)


def trainee_metrics() -> tuple[Metric, ...]:
    """The metrics of the trainee table's columns (those of the marks hidden without
    case annotations)."""
    return metrics_for(Table.COHORT, localized=True)


def marks_columns() -> list[int]:
    """The trainee table's columns of figures read from the marks (shown with annotations)."""
    return [col for col, m in enumerate(trainee_metrics(), start=1)
            if m.source is Source.LOCALIZATION]


def trainee_columns() -> tuple[str, ...]:
    """The trainee table's columns: the trainee, each metric the cohort carries, status, file."""
    return ("Trainee", *(m.label for m in trainee_metrics()), "Status", "File")


def trainee_cells(trainee: str, s: Summary, status: str, file: str,
                  loc: Localization | None = None) -> tuple[str, ...]:
    """One row of the trainee table, in ``trainee_columns`` order."""
    return (trainee, *(metric_cell(m, s, loc) for m in trainee_metrics()), status, file)


def spread_text(s: ItemStats) -> str:
    """How the trainees answered one case, the physician's label first."""
    said = s.answer_spread
    parts = [f"{said['metastases']} said metastases", f"{said['no_metastases']} said no metastases"]
    if said["unanswered"]:
        parts.append(f"{said['unanswered']} gave no answer")
    return ", ".join(parts)
