"""The metric registry: each figure read from a summary, its columns, JSON and tables."""

from __future__ import annotations

import pytest

from bonescan_tutor.core.metric_registry import (
    METRICS,
    Kind,
    Source,
    Table,
    figures_json,
    metrics_for,
)
from bonescan_tutor.core.scoring import Answer, summary
from tests.core.test_scoring import M, N, scored


def answers() -> list[Answer]:
    """Two metastatic cases (one found, one missed), two without (one right), one timeout."""
    return [
        scored("1", M, M, 90, 10.0, 0.0),
        scored("2", M, N, 60, 20.0, 0.0),
        scored("3", N, N, 80, 30.0, 0.0),
        scored("4", N, M, 70, 40.0, 0.0),
        scored("5", M, None, None, 90.0, 0.0),
    ]


def test_names_are_unique_and_every_metric_is_in_some_table() -> None:
    names = [m.name for m in METRICS]
    assert len(names) == len(set(names))
    assert all(m.tables for m in METRICS)


def test_values_match_the_summary() -> None:
    s = summary(answers())
    by_name = {m.name: m for m in METRICS}
    assert by_name["cases"].scalar(s) == 5 and by_name["answered"].scalar(s) == 4
    assert by_name["sensitivity"].scalar(s) == pytest.approx(1 / 3)
    assert by_name["specificity"].scalar(s) == pytest.approx(1 / 2)
    assert by_name["auc"].scalar(s) == s.auc.value
    assert by_name["median_time_s"].scalar(s) == pytest.approx(25.0)  # the timeout left out


def test_columns_by_kind() -> None:
    s = summary(answers())
    by_name = {m.name: m for m in METRICS}
    assert by_name["accuracy"].columns(s) == {
        "accuracy": 0.4, "accuracy_low": s.metrics.accuracy.low,
        "accuracy_high": s.metrics.accuracy.high, "accuracy_k": 2, "accuracy_n": 5}
    assert set(by_name["auc"].columns(s)) == {"auc", "auc_low", "auc_high"}
    assert by_name["kappa"].columns(s) == {"kappa": s.metrics.kappa.value}
    assert by_name["cases"].columns(s) == {"cases": 5}


def test_json_carries_every_metric_with_its_note() -> None:
    s = summary(answers()[:1])  # one case: specificity cannot be computed yet
    figures = figures_json(s)
    assert list(figures) == [m.name for m in METRICS if m.source is Source.SUMMARY]
    assert figures["specificity"]["estimate"] is None
    assert "specificity needs one" in figures["specificity"]["note"]
    assert figures["cases"] == 1


def test_each_table_keeps_the_registry_order() -> None:
    for table in Table:
        chosen = metrics_for(table)
        assert [m for m in METRICS if m in chosen] == list(chosen)
    assert [m.label for m in metrics_for(Table.DASHBOARD)] == [
        "Cases read", "Accuracy", "Sensitivity", "Specificity", "Kappa", "AUC", "Brier score",
        "Median time"]
    assert {m.kind for m in METRICS} == set(Kind)


def test_figures_of_the_marks_come_only_with_annotations() -> None:
    from bonescan_tutor.core.localization import Localization

    s = summary(answers())
    loc = Localization(cases=3, normal_cases=1, metastatic_cases=2, lesions=4, lesions_hit=1,
                       nl_marks=2, nl_on_findings=1, llf=0.25, nlf=2 / 3, wafroc=None,
                       unannotated=("5", "9"))
    plain = {m.name for m in metrics_for(Table.EXPORT)}
    marked = [m for m in metrics_for(Table.EXPORT, localized=True) if m.name not in plain]
    row: dict[str, object] = {}
    for m in marked:
        row.update(m.columns(s, loc))
    assert row == {"llf": 0.25, "nlf": 2 / 3, "wafroc": None, "lesions": 4, "lesions_hit": 1,
                   "nl_marks": 2, "nl_on_findings": 1, "localization_cases": 3,
                   "unannotated_metastatic_cases": "5, 9"}
    # a trainee without localization figures gets empty cells, one per column
    assert all(m.columns(s, None) == {m.name: None} for m in marked)
    by_name = {m.name: m for m in marked}
    assert by_name["nlf"].plain(s, loc) == "0.67" and by_name["llf"].scalar(s, loc) == 0.25
    assert by_name["wafroc"].plain(s, loc, dash="—") == "—"
    assert "llf" not in figures_json(s)  # report --json keeps them in "localization"
