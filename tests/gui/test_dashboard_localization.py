"""The dashboard's lesion-finding tab: FROC / wAFROC from the trainee's marks, counted by
hand; the empty states; the presenter with a fake view; the tab on screen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.gui.results.localization import (
    NO_ANNOTATIONS,
    NO_MARKS,
    LocalizationSeries,
    filtered,
    localization_series,
)
from bonescan_tutor.gui.results.model import DashboardFilter
from bonescan_tutor.gui.results.presenter import DashboardPresenter
from tests.gui.dashboard_data import CURRENT, session, six
from tests.gui.test_dashboard_model import FakeView

A, P = Projection.ANTERIOR, Projection.POSTERIOR
SPINE = Mark(A, 50.0, 100.0, 10.0, "spine")
RIB = Mark(P, 60.0, 200.0, 6.0, "rib")
ANNOTATIONS = AnnotationSet("IICS-UNA", CURRENT, {
    "11": CaseAnnotations((SPINE,)),
    "12": CaseAnnotations((SPINE,)),
    "13": CaseAnnotations((SPINE, RIB)),
})
MARKS = {"11": ((A, 52.0, 100.0),),  # hit
         "12": ((A, 200.0, 300.0),),  # false mark on a metastatic case
         "13": ((A, 50.0, 104.0),),  # hits the spine; the rib is missed
         "102": ((A, 10.0, 10.0),)}  # false mark on a normal case


def marked():
    return [replace(s, answer=replace(s.answer, marks=MARKS.get(s.answer.case_key, ())))
            for s in six()]


def test_figures_match_a_hand_count() -> None:
    series = localization_series(marked(), ANNOTATIONS)
    s = series.summary
    assert not series.empty
    assert (s.lesions, s.lesions_hit, s.nl_marks, s.cases) == (4, 2, 2, 6)
    assert s.llf == 0.5 and s.nlf == pytest.approx(2 / 6)
    assert series.figures.startswith("Lesions found (LLF): 2 of 4 = 50 %; false marks per "
                                     "case (NLF): 0.33; wAFROC figure of merit: ")
    p = series.points
    assert p.nlf[0] == 0 and p.llf[0] == 0
    assert p.llf[-1] == 0.5 and p.nlf[-1] == pytest.approx(2 / 6)
    # the wAFROC area by trapezoids, with the line to (1, 1), is the figure of merit
    x, y = np.append(p.fpf, 1.0), np.append(p.wllf, 1.0)
    assert float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2)) == pytest.approx(s.wafroc)


def test_empty_states_say_what_is_missing() -> None:
    assert localization_series(marked(), None).message == NO_ANNOTATIONS
    assert localization_series(six(), ANNOTATIONS).message == NO_MARKS  # no marks at all
    assert localization_series(marked(), AnnotationSet("x", "y", {})).message == NO_MARKS


def test_the_filter_applies_to_the_marks_too() -> None:
    rows = marked()
    other = [replace(r, session_id=2) for r in rows[:2]] + rows[2:]
    kept = filtered(other, [session(1), session(2, "Exam")], DashboardFilter(session_id=2))
    assert [r.answer.case_key for r in kept] == ["11", "12"]
    kept = filtered(other, [session(1), session(2, "Exam")],
                    DashboardFilter(quiz_title="Quick quiz"))
    assert [r.answer.case_key for r in kept] == ["13", "101", "102", "103"]


def test_the_presenter_pushes_the_series_and_a_load_error_as_the_empty_state() -> None:
    view = FakeView()
    got = []

    def load(flt):
        got.append(flt)
        return localization_series(marked(), ANNOTATIONS)

    presenter = DashboardPresenter(view, lambda flt: (six(), [session(1)]), CURRENT,
                                   load_localization=load)
    presenter.refresh()
    (series,) = view.last("show_localization")
    assert series.summary.lesions_hit == 2 and got == [DashboardFilter()]

    def broken(flt):
        raise BonescanError("progress.sqlite3 is locked")

    DashboardPresenter(view, lambda flt: (six(), [session(1)]), CURRENT,
                       load_localization=broken).refresh()
    (series,) = view.last("show_localization")
    assert series.empty and "progress.sqlite3 is locked" in series.message


def test_without_a_loader_the_presenter_does_not_ask_for_the_tab() -> None:
    view = FakeView()
    DashboardPresenter(view, lambda flt: (six(), [session(1)]), CURRENT).refresh()
    assert "show_localization" not in view.names()


# --- on screen --------------------------------------------------------------------------

def make_screen(qtbot, load_localization=None):
    from bonescan_tutor.gui.results.screen import DashboardScreen

    screen = DashboardScreen(lambda flt: (six(), [session(1)]), CURRENT,
                             load_localization=load_localization)
    qtbot.addWidget(screen)
    screen.resize(1366, 768)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def test_the_tab_draws_both_curves(qtbot, settings, tmp_path: Path) -> None:
    from bonescan_tutor.gui.results.screen import LESIONS_TAB

    screen = make_screen(qtbot, lambda flt: localization_series(marked(), ANNOTATIONS))
    assert screen.tabs.tabText(2) == LESIONS_TAB
    screen.tabs.setCurrentIndex(2)
    assert screen.lesion_pages.currentIndex() == 1
    froc = screen.plots["froc"].plot.getPlotItem().listDataItems()[0]
    assert froc.yData[-1] == 0.5 and froc.xData[-1] == pytest.approx(2 / 6)
    wafroc = screen.plots["wafroc"]
    assert wafroc.title.startswith("wAFROC curve — area 0.")
    assert "2 of 4" in screen.lesion_figures.text()
    assert screen.export_png("froc", tmp_path / "froc.png").stat().st_size > 1000


def test_the_tab_says_why_it_is_empty(qtbot, settings) -> None:
    screen = make_screen(qtbot)
    screen.tabs.setCurrentIndex(2)
    assert screen.lesion_pages.currentIndex() == 0
    assert screen.lesions_empty.text() == NO_ANNOTATIONS
    screen.show_localization(LocalizationSeries(message=NO_MARKS))
    assert screen.lesions_empty.text() == NO_MARKS and screen.lesions_empty.isVisible()
