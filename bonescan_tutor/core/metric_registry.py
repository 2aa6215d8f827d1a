"""The headline figures of a trainee's answers, described once.

Each ``Metric`` says what a figure is called (``name``: its key in exports and JSON;
``label``: its words on screen), how it reads (``kind``), how it comes from a scoring
``Summary`` or, for the figures of a trainee's marks on annotated cases, from their
``Localization`` (``value``, ``source``), and which tables carry it (``tables``). Every
table is built from ``METRICS`` in its order: ``report`` (its text lines; ``--json`` carries every
metric under ``figures``), the summary export (``storage.export.summary_row``: the
export workbook's Summary sheet, the cohort workbook's Trainees sheet and the cohort
CSV), the dashboard's figure cards, the cohort view's trainee table and ``cohort
--json``. Each of those formats a figure by its ``kind`` alone, so a new metric of a
known kind needs no change there.

To add a metric, touch these files:

1. ``core/metric_registry.py``: add a ``Metric`` to ``METRICS`` (name, label, kind, the
   function reading it from a ``Summary`` or a ``Localization``, the tables that carry it).
2. ``core/scoring.py`` (``core/localization.py`` for a figure of the marks): only when
   the figure is new, compute it there and keep it on ``Summary`` (``Localization``).
3. ``tests/core/test_metric_registry.py``: pin its value on a small set of answers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bonescan_tutor.core.estimates import Estimate, Proportion
from bonescan_tutor.core.localization import Localization
from bonescan_tutor.core.scoring import Summary, TimeSummary


class Kind(enum.Enum):
    """How a figure reads; every table has one format per kind."""

    COUNT = "count"  # a whole number (cases read)
    PROPORTION = "proportion"  # k of n with its Wilson 95 % interval (``Proportion``)
    ESTIMATE = "estimate"  # a number or None with the reason, maybe an interval (``Estimate``)
    SECONDS = "seconds"  # seconds per case: median and quartiles (``TimeSummary``)
    NUMBER = "number"  # a number or None, shown with ``digits`` decimals
    TEXT = "text"  # words


class Source(enum.Enum):
    """What a metric is read from."""

    SUMMARY = "summary"  # the scoring ``Summary`` of a trainee's answers
    LOCALIZATION = "localization"  # the trainee's ``Localization`` (with case annotations)


class Table(enum.Enum):
    """Where a figure is shown or written (``report --json`` carries every metric)."""

    REPORT = "report"  # the text of ``bonescan-tutor report``
    EXPORT = "export"  # summary_row: export Summary sheet, cohort Trainees sheet and CSV
    DASHBOARD = "dashboard"  # a figure card on the trainee's dashboard
    COHORT = "cohort"  # the cohort view's trainee table and ``cohort --json``


ALL_TABLES = frozenset(Table)


@dataclass(frozen=True)
class Metric:
    """One headline figure: its names, how it reads, where it comes from and goes.

    ``detail`` is the dashboard card's words under the value (after the interval when
    there is one): text, or a function of the summary. ``interval_columns``: whether the
    summary export carries the interval as ``<name>_low``/``<name>_high`` (and for a
    proportion its counts as ``_k``/``_n``); by default a proportion does, an estimate not.
    """

    name: str
    label: str
    kind: Kind
    value: Callable[[Any], Any]  # reads the ``source``: a Summary or a Localization
    tables: frozenset[Table] = ALL_TABLES
    digits: int = 2
    detail: str | Callable[[Summary], str] = ""
    interval_columns: bool | None = None
    source: Source = Source.SUMMARY

    def of(self, s: Summary, loc: Localization | None = None) -> Any:
        """The figure itself (an int, a ``Proportion``, an ``Estimate``, a ``TimeSummary``,
        a float or text, by ``kind``); None for a localization figure without ``loc``."""
        if self.source is Source.LOCALIZATION:
            return None if loc is None else self.value(loc)
        return self.value(s)

    def detail_for(self, s: Summary) -> str:
        return self.detail(s) if callable(self.detail) else self.detail

    def scalar(self, s: Summary, loc: Localization | None = None) -> float | int | str | None:
        """The figure as one number (None when it cannot be computed)."""
        v = self.of(s, loc)
        if v is None or self.kind in (Kind.NUMBER, Kind.TEXT):
            plain: float | str | None = v
            return plain
        if self.kind is Kind.PROPORTION:
            estimate: float | None = v.estimate
            return estimate
        if self.kind is Kind.ESTIMATE:
            value: float | None = v.value
            return value
        if self.kind is Kind.SECONDS:
            median: float | None = v.median_s
            return median
        return int(v)

    def columns(self, s: Summary, loc: Localization | None = None) -> dict[str, Any]:
        """The figure as flat export columns (interval ends as ``_low``/``_high``)."""
        v = self.of(s, loc)
        if v is None:
            return {self.name: None}
        if self.kind is Kind.PROPORTION and self.interval_columns is not False:
            p: Proportion = v
            return {self.name: p.estimate, f"{self.name}_low": p.low,
                    f"{self.name}_high": p.high, f"{self.name}_k": p.k, f"{self.name}_n": p.n}
        if self.kind is Kind.ESTIMATE and self.interval_columns:
            e: Estimate = v
            return {self.name: e.value, f"{self.name}_low": e.low, f"{self.name}_high": e.high}
        return {self.name: self.scalar(s, loc)}

    def as_json(self, s: Summary, loc: Localization | None = None) -> object:
        """The figure as JSON: a number, or the figure's own ``as_dict`` with its note."""
        v = self.of(s, loc)
        if v is None or self.kind in (Kind.NUMBER, Kind.TEXT):
            return v
        if self.kind is Kind.COUNT:
            return int(v)
        as_dict: Callable[[], object] = v.as_dict
        return as_dict()

    def plain(self, s: Summary, loc: Localization | None = None, dash: str = "-") -> str | None:
        """A count, number or text figure as words (``dash`` when unknown); None for the
        other kinds, which each table formats its own way."""
        if self.kind not in (Kind.COUNT, Kind.NUMBER, Kind.TEXT):
            return None
        v = self.of(s, loc)
        if v is None:
            return dash
        if self.kind is Kind.NUMBER:
            return f"{v:.{self.digits}f}"
        return str(v)


def _timed_out(s: Summary) -> str:
    unanswered = s.metrics.counts.unanswered
    return f"{unanswered} timed out" if unanswered else "all answered"


def _time(s: Summary) -> TimeSummary:
    return s.time


def _lesions_found(loc: Localization) -> Proportion:
    """The lesion localization fraction: lesions hit of the annotated lesions (no interval:
    a trainee's lesions are not independent of each other)."""
    note = "" if loc.lesions else "No annotated lesion in the cases read."
    return Proportion(loc.lesions_hit, loc.lesions, loc.llf, None, None, note)


_BRIEF = frozenset({Table.REPORT, Table.EXPORT})
_MARKS = frozenset({Table.EXPORT, Table.COHORT})
_EXPORTED = frozenset({Table.EXPORT})
_LOC = Source.LOCALIZATION

METRICS: tuple[Metric, ...] = (
    Metric("cases", "Cases read", Kind.COUNT, lambda s: s.n_attempts,
           frozenset({Table.EXPORT, Table.DASHBOARD, Table.COHORT}), detail=_timed_out),
    Metric("answered", "Answered", Kind.COUNT, lambda s: s.n_answered,
           frozenset({Table.EXPORT, Table.COHORT})),
    Metric("accuracy", "Accuracy", Kind.PROPORTION, lambda s: s.metrics.accuracy),
    Metric("sensitivity", "Sensitivity", Kind.PROPORTION, lambda s: s.metrics.sensitivity),
    Metric("specificity", "Specificity", Kind.PROPORTION, lambda s: s.metrics.specificity),
    Metric("ppv", "PPV", Kind.PROPORTION, lambda s: s.metrics.ppv, _BRIEF),
    Metric("npv", "NPV", Kind.PROPORTION, lambda s: s.metrics.npv, _BRIEF),
    Metric("balanced_accuracy", "Balanced accuracy", Kind.ESTIMATE,
           lambda s: s.metrics.balanced_accuracy, _BRIEF),
    Metric("kappa", "Kappa", Kind.ESTIMATE, lambda s: s.metrics.kappa,
           detail="agreement beyond chance"),
    Metric("auc", "AUC", Kind.ESTIMATE, lambda s: s.auc, detail=", DeLong",
           interval_columns=True),
    Metric("brier", "Brier score", Kind.ESTIMATE, lambda s: s.brier,
           frozenset({Table.REPORT, Table.EXPORT, Table.DASHBOARD}), digits=3,
           detail="0 is perfect; always 50 % scores 0.25"),
    Metric("median_time_s", "Median time", Kind.SECONDS, _time),
    # From the trainee's marks, where the cases have annotations (core.localization).
    Metric("llf", "LLF", Kind.PROPORTION, _lesions_found, _MARKS, interval_columns=False,
           source=_LOC),
    Metric("nlf", "NLF", Kind.NUMBER, lambda loc: loc.nlf, _MARKS, source=_LOC),
    Metric("wafroc", "wAFROC", Kind.NUMBER, lambda loc: loc.wafroc, _MARKS, source=_LOC),
    Metric("lesions", "Lesions", Kind.COUNT, lambda loc: loc.lesions, _EXPORTED, source=_LOC),
    Metric("lesions_hit", "Lesions found", Kind.COUNT, lambda loc: loc.lesions_hit, _EXPORTED,
           source=_LOC),
    Metric("nl_marks", "False marks", Kind.COUNT, lambda loc: loc.nl_marks, _EXPORTED,
           source=_LOC),
    Metric("nl_on_findings", "False marks on look-alikes", Kind.COUNT,
           lambda loc: loc.nl_on_findings, _EXPORTED, source=_LOC),
    Metric("localization_cases", "Cases scored for marks", Kind.COUNT, lambda loc: loc.cases,
           _EXPORTED, source=_LOC),
    Metric("unannotated_metastatic_cases", "Left out (no annotated lesions)", Kind.TEXT,
           lambda loc: ", ".join(loc.unannotated), _EXPORTED, source=_LOC),
)


def metrics_for(table: Table, localized: bool = False) -> tuple[Metric, ...]:
    """The metrics ``table`` carries, in ``METRICS`` order (read at each call, so a
    metric registered later appears everywhere); those read from the trainees' marks
    only when ``localized`` (case annotations were given)."""
    return tuple(m for m in METRICS if table in m.tables
                 and (localized or m.source is Source.SUMMARY))


def figures_json(s: Summary) -> dict[str, object]:
    """Every metric of a summary as JSON, by name (the marks' figures have their own
    ``localization`` block)."""
    return {m.name: m.as_json(s) for m in METRICS if m.source is Source.SUMMARY}
