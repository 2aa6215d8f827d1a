"""What the cohort view shows, computed off the GUI thread, and how its numbers read.

``cohort_report`` does every slow step (reading the files, the item analysis, each
trainee's figures, the thumbnails, and with case annotations the per-lesion rows and each
trainee's localization figures) so the dialog only fills tables from plain values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.cases import Dataset, View, natural_key
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
    merge_cohort,
    most_missed,
    trainee_summaries,
)
from bonescan_tutor.storage.cohort_lesions import LesionRow, lesion_analysis
from bonescan_tutor.storage.cohort_workbook import MOST_MISSED
from bonescan_tutor.storage.lrs_cohort import fetch_quiz_statements, results_from_statements
from bonescan_tutor.storage.lrs_config import LrsConfig
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
    #: each annotated lesion of the answered cases (None: no annotations were given)
    lesions: list[LesionRow] | None = None
    localization: dict[str, Localization] = field(default_factory=dict)
    #: about the annotations: made on another dataset version than the answers
    annotation_notes: list[str] = field(default_factory=list)

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
    annotations: AnnotationSet | None = None,
    merged: Cohort | None = None,
) -> CohortReport:
    """Merge ``paths`` (files and folders) and analyse them. Given a dataset, its labels
    score every answer (``storage.cohort``) and the most-missed cases get thumbnails.
    Given case ``annotations``, the trainees' marks are scored lesion by lesion.
    ``merged``: a cohort merged elsewhere (from an LRS), analysed instead of ``paths``."""
    cohort = merged if merged is not None else load_cohort([Path(p) for p in paths], dataset,
                                                           prefer, quiz_set=quiz_set)
    if not cohort.results:
        return CohortReport(cohort)
    items = item_analysis(cohort)
    worst = most_missed(items, MOST_MISSED)
    thumbs = case_thumbnails(dataset, [s.case_key for s in worst], load) if dataset else {}
    report = CohortReport(cohort, items, trainee_summaries(cohort), worst, thumbs)
    if annotations is None:
        return report
    lesions, figures = lesion_analysis(cohort, annotations)
    return CohortReport(cohort, items, report.summaries, worst, thumbs, lesions, figures,
                        version_notes(annotations, cohort, dataset))


def version_notes(annotations: AnnotationSet, cohort: Cohort,
                  dataset: Dataset | None) -> list[str]:
    """A note when the annotations were made on another dataset version than the one the
    answers are scored on (the dataset's, else the results files')."""
    versions = ({dataset.fingerprint} if dataset is not None
                else {r.dataset_fingerprint for r in cohort.results})
    if annotations.dataset_fingerprint in versions:
        return []
    return [f"The annotations were made on dataset version {annotations.dataset_fingerprint}; "
            f"the answers are on {', '.join(sorted(versions))}. Check that the marks still "
            "fit the images."]


def lesion_headline(report: CohortReport) -> str:
    """What the Lesions tab says above its table."""
    if report.lesions is None:
        return ("No case annotations: open the dataset the quiz was made on (its "
                "annotations.bstann is used), or choose a .bstann file, to see which lesions "
                "the trainees found with their marks.")
    if not report.lesions:
        text = "None of the answered cases has annotated lesions."
    else:
        found = sum(1 for r in report.lesions if r.found_by)
        text = (f"{len(report.lesions)} annotated lesion(s) in the answered cases; {found} "
                "found by at least one trainee. A mark finds a lesion within its radius plus "
                "the tolerance; sorted fewest found first.")
    left_out = sorted({k for loc in report.localization.values() for k in loc.unannotated},
                      key=natural_key)
    if left_out:
        text += (" Left out of the localization figures (metastatic, no annotated lesions): "
                 f"case(s) {', '.join(left_out)}.")
    return " ".join([text, *report.annotation_notes])


def lrs_cohort_report(
    config: LrsConfig,
    quiz_set: QuizSet,
    dataset: Dataset,
    prefer: Prefer = Prefer.LATEST,
    progress: Callable[[int], None] | None = None,
    **analysis: Any,
) -> CohortReport:
    """The cohort of ``quiz_set`` from the statements the LRS of ``config`` holds, merged
    and analysed as its results files are (``cohort --lrs``); labels from ``dataset``."""
    statements = fetch_quiz_statements(config, quiz_set, progress=progress)
    results, problems = results_from_statements(statements, dataset)
    cohort = merge_cohort(results, problems, dataset, prefer, quiz_set)
    return cohort_report([], dataset, prefer=prefer, quiz_set=quiz_set, merged=cohort, **analysis)


def percent(value: float | None, digits: int = 0) -> str:
    return DASH if value is None else f"{100 * value:.{digits}f} %"


def with_interval(p: Proportion) -> str:
    """'75 % (41-93)': the estimate and its Wilson 95 % interval; '67 % (2/3)', the
    counts, for a share given without one (lesions found)."""
    if p.estimate is None:
        return DASH
    if p.low is None or p.high is None:
        return f"{percent(p.estimate)} ({p.k}/{p.n})"
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
    if v is None:
        return DASH
    if metric.kind is Kind.PROPORTION:
        has_interval = v.low is not None and v.high is not None
        return percent(v.estimate) if has_interval else with_interval(v)
    if metric.kind is Kind.ESTIMATE:
        return estimate(v, metric.digits)
    if metric.kind is Kind.SECONDS:
        return DASH if v.median_s is None else f"{v.median_s:.0f} s"
    return str(v)


def trainee_tips(s: Summary) -> tuple[str, ...]:
    """The hover text of each figure cell of a trainee's row (in ``trainee_metrics``
    order): a share's Wilson 95 % interval and counts, else nothing."""
    tips = []
    for m in trainee_metrics():
        p = m.of(s) if m.kind is Kind.PROPORTION else None
        if p is None or p.estimate is None or p.low is None or p.high is None:
            tips.append("")
            continue
        tips.append(f"{m.label} {percent(p.estimate)}, 95 % CI {100 * p.low:.0f}–"
                    f"{100 * p.high:.0f} % (Wilson), {p.k} of {p.n}")
    return tuple(tips)


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


def localization_tip(loc: Localization) -> str:
    """The hover text of a trainee's localization cells: what each figure counts."""
    text = (f"{loc.lesions_hit} of {loc.lesions} lesion(s) found (LLF); {loc.nl_marks} false "
            f"mark(s) over {loc.cases} case(s) (NLF)")
    if loc.nl_on_findings:
        text += f", {loc.nl_on_findings} of them on benign look-alikes"
    text += ("; wAFROC needs both normal and metastatic cases" if loc.wafroc is None
             else f"; wAFROC figure of merit {loc.wafroc:.2f}")
    if loc.unannotated:
        text += (". Left out (metastatic, no annotated lesions): case(s) "
                 + ", ".join(loc.unannotated))
    return text + "."


def spread_text(s: ItemStats) -> str:
    """How the trainees answered one case, the physician's label first."""
    said = s.answer_spread
    parts = [f"{said['metastases']} said metastases", f"{said['no_metastases']} said no metastases"]
    if said["unanswered"]:
        parts.append(f"{said['unanswered']} gave no answer")
    return ", ".join(parts)
