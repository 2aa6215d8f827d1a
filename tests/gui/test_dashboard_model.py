"""The dashboard's model and presenter, without a QApplication: label hiding, the empty
state, older-dataset flags, filters and headline numbers checked by hand."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pytest

from bonescan_tutor.core.answers import AnswerTable
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.scoring import summary
from bonescan_tutor.gui.results import series
from bonescan_tutor.gui.results.model import (
    EMPTY_HINT,
    FILTERED_MESSAGE,
    OLDER_DATASET,
    DashboardFilter,
    answer_table,
    build_dashboard,
)
from bonescan_tutor.gui.results.presenter import LOAD_FAILED, DashboardPresenter, notice
from tests.gui.dashboard_data import (
    CURRENT,
    DAY,
    OLD,
    SECRET_KEY,
    T0,
    M,
    N,
    attempt,
    hidden_exam,
    session,
    six,
)


class FakeView:
    """Records what the presenter pushes, as a list of (method, argument) calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    def __getattr__(self, name: str):
        if not name.startswith("show_"):
            raise AttributeError(name)
        return lambda *args: self.calls.append((name, args))

    def last(self, name: str) -> tuple[object, ...]:
        return next(args for n, args in reversed(self.calls) if n == name)

    def names(self) -> list[str]:
        return [n for n, _ in self.calls]


def test_headline_numbers_match_a_hand_count() -> None:
    data = build_dashboard(six(), [session(1)])
    m = data.summary.metrics
    assert (m.sensitivity.k, m.sensitivity.n) == (2, 3)
    assert (m.specificity.k, m.specificity.n) == (2, 3)
    assert (m.accuracy.k, m.accuracy.n) == (4, 6)
    cards = {h.title: h for h in series.headlines(data.summary)}
    assert cards["Sensitivity"].value == "67 %"
    assert cards["Sensitivity"].detail.endswith("2/3")
    assert cards["Accuracy"].text.startswith("Accuracy 67 % (95 % CI ")
    assert cards["Cases read"].value == "6"
    assert cards["Median time"].value == "30 s"
    # the same numbers as core.scoring.summary on the same answers
    direct = summary(answer_table(six()))
    assert data.summary.as_dict() == direct.as_dict()


def test_the_headline_text_reads_as_the_brief_shows_it() -> None:
    from bonescan_tutor.core.estimates import wilson

    h = series.proportion_headline("Sensitivity", wilson(8, 10))
    assert h.text == "Sensitivity 80 % (95 % CI 49–94 %, 8/10)"


def test_unrevealed_attempts_never_reach_figures_or_rows() -> None:
    exam_rows, exam = hidden_exam()
    data = build_dashboard(six() + exam_rows, [session(1), exam], current_fingerprint=CURRENT)
    assert len(data.rows) == 6 and len(data.table) == 6
    assert data.hidden == 2
    cells = [c for r in range(len(data.rows)) for c in data.rows.row(r).cells]
    assert SECRET_KEY not in cells and "8" not in cells
    assert all("777" not in c for c in cells)  # their reading times neither
    assert SECRET_KEY not in data.table.case_key
    assert data.summary.n_attempts == 6
    assert np.nanmax(series.time_series(data.table, data.summary).seconds) == 30.0
    assert "2 answers from an exam not yet submitted" in notice(data)


def test_only_unrevealed_attempts_give_the_empty_state_not_their_figures() -> None:
    exam_rows, exam = hidden_exam()
    data = build_dashboard(exam_rows, [exam])
    assert data.empty and data.summary is None and len(data.rows) == 0
    assert data.hidden == 2 and data.leeches == ()


def test_no_attempts_gives_a_friendly_message() -> None:
    data = build_dashboard([], [])
    assert data.empty
    assert data.empty_message and "No answers yet" in data.empty_message
    assert data.empty_hint == EMPTY_HINT == "Take a practice quiz: Quiz > Quick quiz"


def test_older_dataset_answers_are_kept_and_flagged() -> None:
    rows = [*six(), attempt(7, "55", M, M, 90, sid=3, fingerprint=OLD)]
    sessions = [session(1), session(3, fingerprint=OLD)]
    data = build_dashboard(rows, sessions, current_fingerprint=CURRENT)
    assert len(data.rows) == 7 and data.older == 1
    newest = data.rows.row(0)  # the table lists the newest answer first
    assert newest.case_key == "55" and newest.older_dataset
    assert newest.cells[-1] == OLDER_DATASET
    assert not data.rows.row(1).older_dataset and data.rows.row(1).cells[-1] == "current"
    assert "older version of the dataset" in notice(data)
    labels = dict(data.options.datasets)
    assert labels[OLD].endswith("(older version)") and labels[CURRENT].endswith("(current)")


def test_filters_narrow_every_figure() -> None:
    later = [attempt(20 + i, f"k{i}", N, N, 90, sid=2, at=T0 + 2 * DAY + i) for i in range(4)]
    rows = six() + later
    sessions = [session(1), session(2, "Axial set", started=T0 + 2 * DAY)]
    by_session = build_dashboard(rows, sessions, DashboardFilter(session_id=2))
    assert len(by_session.rows) == 4 and by_session.summary.n_attempts == 4
    by_title = build_dashboard(rows, sessions, DashboardFilter(quiz_title="Quick quiz"))
    assert len(by_title.rows) == 6
    day2 = datetime.fromtimestamp(T0 + 2 * DAY).date()
    since = build_dashboard(rows, sessions, DashboardFilter(since=day2))
    until = build_dashboard(rows, sessions, DashboardFilter(until=date(2025, 3, 3)))
    assert len(since.rows) == 4 and len(until.rows) == 6
    none = build_dashboard(rows, sessions, DashboardFilter(dataset_fingerprint="nope"))
    assert none.empty and none.empty_message == FILTERED_MESSAGE
    assert [t for t in by_session.options.quiz_titles] == ["Axial set", "Quick quiz"]


def test_leeches_come_from_each_case_history_in_order() -> None:
    rows = [attempt(i, "42", M, N if i != 3 else M, 70) for i in range(1, 6)]
    rows += [attempt(10 + i, "43", N, M, 70) for i in range(2)]  # two misses: not a leech
    data = build_dashboard(rows, [session(1)])
    assert [leech.case_key for leech in data.leeches] == ["42"]
    leech = data.leeches[0]
    assert (leech.misses, leech.answers) == (4, 5)
    assert leech.recent == (False, False, True, False, False)  # latest first
    assert "missed 4 of 5" in leech.text


def test_timed_out_answers_count_wrong_and_have_no_time() -> None:
    rows = [*six(), attempt(7, "14", M, None)]
    data = build_dashboard(rows, [session(1)])
    assert data.summary.metrics.sensitivity.n == 4
    row = data.rows.row(0)
    assert row.cells[4] == "No answer (timed out)" and row.cells[7] == "timed out"
    assert row.cells[5] == "–" and not row.correct
    ts = series.time_series(data.table, data.summary)
    assert ts.seconds.size == 6


def test_undefined_figures_are_sentences_never_nan() -> None:
    only_clean = [attempt(1, "101", N, N, 80), attempt(2, "102", N, N, 90)]
    data = build_dashboard(only_clean, [session(1)])
    cards = {h.title: h for h in series.headlines(data.summary)}
    assert not cards["Sensitivity"].defined
    assert "No case with metastases" in cards["Sensitivity"].text
    assert not cards["AUC"].defined and "no ROC curve" in cards["AUC"].detail
    for h in cards.values():
        assert "nan" not in h.text.lower() and "inf" not in h.text.lower()
    roc = series.roc_series(data.summary)
    assert roc.fpr.size == 0 and roc.note


def test_long_histories_are_thinned_for_drawing_but_keep_the_last_point() -> None:
    x = np.arange(1, 10_001, dtype=np.float64)
    tx, ty = series.thin(x, x * 2)
    assert tx.size <= series.MAX_POINTS + 1 and tx[-1] == 10_000 and ty[-1] == 20_000


def test_presenter_pushes_everything_and_reloads_on_filter_change() -> None:
    view = FakeView()
    asked: list[DashboardFilter] = []

    def load(flt: DashboardFilter):
        asked.append(flt)
        return six(), [session(1)]

    p = DashboardPresenter(view, load, CURRENT)
    p.refresh()
    for name in ("show_headlines", "show_learning_curve", "show_roc", "show_calibration",
                 "show_sens_spec", "show_times", "show_attempts", "show_leeches",
                 "show_dashboard"):
        assert name in view.names()
    assert "show_empty" not in view.names()
    cal = view.last("show_calibration")[0]
    assert set(cal.certainty.tolist()) == {60.0, 70.0, 80.0, 90.0, 100.0}
    assert np.all(cal.below >= 0) and np.all(cal.above >= 0)
    learning = view.last("show_learning_curve")[0]
    assert learning.n_read.tolist() == [1, 2, 3, 4, 5, 6]
    assert math.isnan(learning.rolling[0])  # the window of 20 is not full yet
    p.set_filter(DashboardFilter(session_id=1))
    p.set_filter(DashboardFilter(session_id=1))  # unchanged: no reload
    assert asked == [DashboardFilter(), DashboardFilter(session_id=1)]


def test_presenter_shows_the_empty_state_and_load_errors() -> None:
    view = FakeView()
    DashboardPresenter(view, lambda flt: ([], [])).refresh()
    message, hint = view.last("show_empty")
    assert "No answers yet" in message and hint == EMPTY_HINT
    assert "show_headlines" not in view.names()

    def broken(flt: DashboardFilter):
        raise BonescanError("Cannot use the progress file /x: locked.")

    view = FakeView()
    DashboardPresenter(view, broken).refresh()
    assert view.last("show_empty") == (LOAD_FAILED, "Cannot use the progress file /x: locked.")


@pytest.mark.parametrize("fingerprint", [None, CURRENT])
def test_without_a_current_dataset_nothing_is_flagged(fingerprint) -> None:
    rows = [*six(), attempt(7, "55", M, M, 90, fingerprint=OLD)]
    data = build_dashboard(rows, [session(1)], current_fingerprint=fingerprint)
    assert data.older == (0 if fingerprint is None else 1)


def test_columns_from_the_file_give_the_same_dashboard_and_hide_the_exam(tmp_path) -> None:
    from bonescan_tutor.core.answers import Answer
    from bonescan_tutor.core.quiz import QuizMode, QuizSpec
    from bonescan_tutor.storage.progress import ProgressStore

    with ProgressStore.open(tmp_path / "p.sqlite3") as store:
        ana = store.get_or_create_trainee("Ana")
        practice = store.start_session(
            ana, QuizSpec("p", "Quick quiz", ("1",), QuizMode.PRACTICE), "demo", CURRENT
        )
        exam = store.start_session(
            ana, QuizSpec("e", "Final exam", ("7",), QuizMode.EXAM), "demo", CURRENT
        )
        for s in six():
            store.record_attempt(practice, s.answer, s.truth, CURRENT, label_shown=True)
        secret = Answer(SECRET_KEY, 1, M, 100, T0 + DAY, T0 + DAY + 777, 777.0)
        store.record_attempt(exam, secret, M, CURRENT)
        columns, stored = store.answer_columns(ana), store.attempts(ana)
        sessions = store.sessions(ana)
    fast = build_dashboard(columns, sessions, current_fingerprint=CURRENT)
    slow = build_dashboard(stored, sessions, current_fingerprint=CURRENT)
    assert fast.hidden == slow.hidden == 1
    assert fast.summary.as_dict() == slow.summary.as_dict()
    assert [fast.rows.row(r) for r in range(6)] == [slow.rows.row(r) for r in range(6)]
    assert len(fast.rows) == len(fast.table) == 6
    cells = [c for r in range(len(fast.rows)) for c in fast.rows.row(r).cells]
    assert SECRET_KEY not in cells and not any("777" in c or "13 min" in c for c in cells)
    assert SECRET_KEY not in fast.table.case_key
    assert fast.rows.row(0).cells[:3] == (
        datetime.fromtimestamp(T0 + 360).strftime("%Y-%m-%d %H:%M"), "Quick quiz", "103"
    )


def test_an_answer_without_a_certainty_shows_a_dash_and_scores_as_sure() -> None:
    data = build_dashboard([attempt(1, "11", M, M, None), attempt(2, "101", N, M, 60)],
                           [session(1)])
    newest, oldest = data.rows.row(0), data.rows.row(1)
    assert oldest.cells[5] == "–" and oldest.correct and oldest.cells[6] == "✓ right"
    assert newest.cells[5] == "60 %" and not newest.correct
    assert data.table.certainty.tolist() == [100, 60]


def test_the_table_rows_refuse_an_attempt_whose_label_is_hidden() -> None:
    from bonescan_tutor.gui.results.model import AttemptRows
    from bonescan_tutor.storage.answer_columns import AnswerColumns

    exam_rows, _ = hidden_exam()
    with pytest.raises(ValueError, match="label was shown"):
        AttemptRows(AnswerColumns.from_attempts(six() + exam_rows))
    assert len(AttemptRows(AnswerColumns.from_attempts(six()))) == 6


def test_figures_count_the_latest_answer_per_case_unless_every_answer_is_asked() -> None:
    """Case 11 read three times (wrong, wrong, right): by default it counts once, as
    right; with ``all_attempts`` each answer counts. The table lists every answer."""
    rows = [
        attempt(1, "11", M, N, 60),
        attempt(2, "12", N, N, 80),
        attempt(3, "11", M, N, 70),
        attempt(4, "11", M, M, 90),
    ]
    latest = build_dashboard(rows, [session(1)])
    m = latest.summary.metrics
    assert (m.accuracy.k, m.accuracy.n) == (2, 2) and latest.summary.n_attempts == 2
    assert latest.summary.learning.n_read.tolist() == [1, 2]
    assert latest.repeats == 2 and len(latest.rows) == 4
    assert "latest answer per case (2 earlier answers" in notice(latest)
    every = build_dashboard(rows, [session(1)], DashboardFilter(all_attempts=True))
    m = every.summary.metrics
    assert (m.accuracy.k, m.accuracy.n) == (2, 4) and every.summary.n_attempts == 4
    assert every.repeats == 0 and "count every answer" in notice(every)
    assert not DashboardFilter(all_attempts=True).active  # counting is not filtering
    # Leeches always look at every answer.
    rows += [attempt(5 + i, "13", M, N, 70) for i in range(3)]
    assert [leech.case_key for leech in build_dashboard(rows, [session(1)]).leeches] == ["13"]


def test_answers_on_an_open_bs80k_dataset_show_its_class_names() -> None:
    from bonescan_tutor.core.cases import Layout

    rows = [attempt(1, "11", M, M, 90), attempt(2, "12", N, M, 60, fingerprint=OLD)]
    data = build_dashboard(rows, [session(1)], current_fingerprint=CURRENT,
                           current_layout=Layout.BS80K)
    newest, oldest = data.rows.row(0), data.rows.row(1)
    assert (oldest.cells[3], oldest.cells[4]) == ("Abnormal", "Abnormal")
    # An answer on another dataset keeps the generic names: its classes are not known.
    assert (newest.cells[3], newest.cells[4]) == ("No bone metastases", "Metastases")
    plain = build_dashboard(rows, [session(1)], current_fingerprint=CURRENT)
    assert plain.rows.row(1).cells[3] == "Bone metastases"


def test_the_dashboards_table_is_the_one_scoring_makes_of_the_same_answers() -> None:
    rows = [*six(), attempt(7, "14", M, None), attempt(8, "15", N, N, None),
            attempt(9, "16", M, M, shown=False)]
    got = answer_table(rows)
    want = AnswerTable.from_answers([s.answer for s in rows if s.label_shown])
    for column in ("truth", "decision", "certainty", "time_s", "answered_at"):
        assert np.array_equal(getattr(got, column), getattr(want, column)), column
    assert got.case_key == want.case_key
