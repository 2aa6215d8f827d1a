"""The builder's plain values: the mix, the draw's predicate, the selection, the options."""

from __future__ import annotations

import pytest

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.gui.instructor.model import (
    Mix,
    QuizOptions,
    Selection,
    draw_predicate,
    natural_share,
    prevalence,
)
from bonescan_tutor.gui.library.case_filter import CaseFilter
from tests.storage.instructor_data import dataset


def test_mix_to_prevalence() -> None:
    assert prevalence(Mix.NATURAL, 30.0) is None
    assert prevalence(Mix.BALANCED, 30.0) == 0.5
    assert prevalence(Mix.CUSTOM, 30.0) == 0.3


def test_an_open_filter_is_no_predicate_and_the_key_search_never_narrows_a_draw() -> None:
    assert draw_predicate(CaseFilter()) is None
    assert draw_predicate(CaseFilter(text="1")) is None
    only_met = draw_predicate(CaseFilter(diagnosis=Diagnosis.METASTASES))
    ds = dataset()
    assert only_met is not None and [c.key for c in ds if only_met(c)] == list("123456")


def test_natural_share_counts_only_quiz_cases_the_filter_keeps() -> None:
    ds = dataset(n_met=6, n_normal=14, doubtful=("1", "2"))
    assert natural_share(ds, CaseFilter()) == pytest.approx(4 / 18)
    assert natural_share(ds, CaseFilter(diagnosis=Diagnosis.NO_METASTASES)) == 0.0
    assert natural_share(ds, CaseFilter(year=1999)) is None


def test_selection_keeps_the_order_chosen() -> None:
    s = Selection()
    s.replace(["7", "2", "7", "9"])
    s.set_chosen("1", True)
    s.set_chosen("2", False)
    s.set_chosen("9", True)
    assert s.keys == ["7", "9", "1"]
    assert s.describe(dataset(), shown=["7"]) == (
        "3 chosen: 1 with metastases, 2 without (2 not in the filtered list)"
    )


def test_options_refuse_doubtful_cases_and_strip_text() -> None:
    ds = dataset(doubtful=("3",))
    with pytest.raises(UsageError, match="Case\\(s\\) 3 cannot be quizzed"):
        QuizOptions(title="T").quiz_set(ds, ["3", "8"], seed=1)
    qs = QuizOptions(title=" T ", author=" A ", results_folder="  ").quiz_set(ds, ["8", "1"], 4)
    assert (qs.title, qs.author, qs.results_folder, qs.spec.case_keys, qs.spec.seed) == (
        "T", "A", None, ("8", "1"), 4)
