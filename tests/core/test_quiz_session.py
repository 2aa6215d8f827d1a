"""The quiz state machine: every transition, time limits with pauses, exam lock, restore."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.quiz import QuizMode, QuizSpec, Tool, alias
from bonescan_tutor.core.quiz_session import QuizSession, QuizStateError, SessionState

M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES
S = SessionState
KEYS = ("1", "2", "3", "4", "5")


def make(
    mode: QuizMode = QuizMode.PRACTICE, keys: tuple[str, ...] = KEYS, **kw: object
) -> QuizSession:
    fields: dict[str, object] = {"id": "q", "title": "Week 1", "case_keys": keys, "mode": mode}
    fields.update(kw)
    return QuizSession(QuizSpec(**fields), "Ana")  # type: ignore[arg-type]


# -- every state x every operation -----------------------------------------------------


def in_state(mode: QuizMode, state: SessionState) -> QuizSession:
    """A session of 2 cases brought into ``state`` at t=10."""
    s = make(mode, keys=("1", "2"))
    if state is S.NOT_STARTED:
        return s
    s.start(0.0)
    if state is S.FEEDBACK:
        s.answer(M, 90, 10.0)
    elif state is S.PAUSED:
        s.pause(10.0)
    elif state is S.FINISHED:
        s.answer(M, 90, 5.0)
        s.next(6.0)
        s.answer(N, 60, 8.0)
        s.next(10.0)
    elif state is S.SUBMITTED:
        s.submit(10.0)
    return s


OPS: dict[str, Callable[[QuizSession], object]] = {
    "start": lambda s: s.start(20.0),
    "answer": lambda s: s.answer(N, 70, 20.0),
    "next": lambda s: s.next(20.0),
    "go_to": lambda s: s.go_to(2, 20.0),
    "pause": lambda s: s.pause(20.0),
    "resume": lambda s: s.resume(20.0),
    "submit": lambda s: s.submit(20.0),
}

# (mode, state) -> {operation: state after it}; every operation not listed must raise.
ALLOWED: dict[tuple[QuizMode, SessionState], dict[str, SessionState]] = {
    (QuizMode.PRACTICE, S.NOT_STARTED): {"start": S.SHOWING},
    (QuizMode.PRACTICE, S.SHOWING): {"answer": S.FEEDBACK, "pause": S.PAUSED},
    (QuizMode.PRACTICE, S.FEEDBACK): {"next": S.SHOWING, "pause": S.PAUSED},
    (QuizMode.PRACTICE, S.PAUSED): {"resume": S.SHOWING},
    (QuizMode.PRACTICE, S.FINISHED): {},
    (QuizMode.EXAM, S.NOT_STARTED): {"start": S.SHOWING},
    (QuizMode.EXAM, S.SHOWING): {
        "answer": S.SHOWING,
        "next": S.SHOWING,
        "go_to": S.SHOWING,
        "pause": S.PAUSED,
        "submit": S.SUBMITTED,
    },
    (QuizMode.EXAM, S.PAUSED): {"resume": S.SHOWING, "submit": S.SUBMITTED},
    (QuizMode.EXAM, S.SUBMITTED): {},
}

CELLS = [(mode, state, op) for (mode, state) in ALLOWED for op in OPS]


@pytest.mark.parametrize(("mode", "state", "op"), CELLS, ids=lambda v: getattr(v, "value", v))
def test_transition_table(mode: QuizMode, state: SessionState, op: str) -> None:
    s = in_state(mode, state)
    assert s.state is state
    before = s.attempts
    expected = ALLOWED[(mode, state)].get(op)
    if expected is None:
        with pytest.raises(QuizStateError):
            OPS[op](s)
        assert s.state is state
        assert s.attempts == before
    else:
        OPS[op](s)
        assert s.state is expected


def test_states_without_a_case_refuse_queries() -> None:
    s = make()
    for query in ("position", "current_case_key", "current_alias"):
        with pytest.raises(QuizStateError, match="not started"):
            getattr(s, query)
    assert s.tick(5.0) == ()
    assert s.elapsed_total_s(5.0) == 0.0


def test_pause_resume_from_feedback_returns_to_feedback() -> None:
    s = in_state(QuizMode.PRACTICE, S.FEEDBACK)
    s.pause(11.0)
    s.resume(12.0)
    assert s.state is S.FEEDBACK


# -- practice flow ---------------------------------------------------------------------


def test_practice_walks_through_every_case_in_the_trainee_order() -> None:
    s = make()
    s.start(0.0)
    seen = []
    for i in range(5):
        assert s.position == i + 1
        assert s.current_alias == alias(i + 1, 5)
        key = s.current_case_key
        seen.append(key)
        assert not s.is_label_revealed(key)
        a = s.answer(M if i % 2 else N, 80, 10.0 * i + 5)
        assert (a.case_key, a.position, a.decision) == (key, i + 1, M if i % 2 else N)
        assert s.is_label_revealed(key)
        with pytest.raises(QuizStateError, match=r"already answered|move on"):
            s.answer(M, 80, 10.0 * i + 6)
        s.next(10.0 * i + 10)
    assert tuple(seen) == s.order != KEYS
    assert s.state is S.FINISHED
    assert [a.position for a in s.attempts] == [1, 2, 3, 4, 5]
    assert s.unanswered_positions() == ()


def test_labels_of_later_cases_stay_hidden_in_practice() -> None:
    s = make()
    s.start(0.0)
    s.answer(M, 90, 1.0)
    assert [s.is_label_revealed(k) for k in s.order] == [True, False, False, False, False]


def test_label_of_unknown_case_is_an_error() -> None:
    with pytest.raises(UsageError, match="not in quiz"):
        make().is_label_revealed("99")


def test_attempt_times_exclude_pauses() -> None:
    s = make()
    s.start(100.0)
    s.pause(110.0)
    assert s.time_on_case_s(150.0) == 10.0
    s.resume(200.0)
    a = s.answer(M, 60, 205.0, note="rib line", tools_used=frozenset({Tool.INVERT}))
    assert (a.started_at, a.answered_at, a.time_on_case_s) == (100.0, 205.0, 15.0)
    assert a.note == "rib line" and a.tools_used == {Tool.INVERT} and not a.timed_out
    assert s.elapsed_total_s(205.0) == 15.0
    s.next(215.0)  # feedback time counts towards the total, not towards a case
    assert s.elapsed_total_s(215.0) == 25.0
    assert s.time_on_case_s(215.0) == 0.0
    assert s.attempts[0].started_at == 100.0


def test_clock_running_backwards_stands_still() -> None:
    s = make()
    s.start(100.0)
    s.tick(90.0)
    assert s.time_on_case_s(95.0) == 0.0
    a = s.answer(M, 60, 104.0)
    assert a.time_on_case_s == 4.0


# -- answer validation -----------------------------------------------------------------


@pytest.mark.parametrize("certainty", [0, 55, 101, 40, True, 70.5])
def test_certainty_must_be_one_of_the_scale(certainty: object) -> None:
    s = make()
    s.start(0.0)
    with pytest.raises(UsageError, match="Certainty must be one of 50, 60, 70, 80, 90, 100"):
        s.answer(M, certainty, 1.0)  # type: ignore[arg-type]
    assert s.state is S.SHOWING and s.attempts == ()


def test_certainty_required_or_optional() -> None:
    s = make()
    s.start(0.0)
    with pytest.raises(UsageError, match="asks for your certainty"):
        s.answer(M, None, 1.0)
    free = make(certainty_required=False)
    free.start(0.0)
    assert free.answer(M, None, 1.0).certainty is None


def test_decision_tools_and_marks_are_checked() -> None:
    s = make(tools_allowed=frozenset({Tool.WINDOWING}))
    s.start(0.0)
    with pytest.raises(UsageError, match="Choose metastases"):
        s.answer("metastases", 80, 1.0)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"does not allow the tool.*asymmetry"):
        s.answer(M, 80, 1.0, tools_used=frozenset({Tool.ASYMMETRY, Tool.WINDOWING}))
    with pytest.raises(UsageError, match="must name its view"):
        s.answer(M, 80, 1.0, marks=[("anterior", 1.0, 2.0)])  # type: ignore[list-item]
    with pytest.raises(UsageError, match="finite pixel"):
        s.answer(M, 80, 1.0, marks=[(Projection.POSTERIOR, float("nan"), 2.0)])
    a = s.answer(M, 80, 1.0, marks=[(Projection.POSTERIOR, 3, 700)])
    assert a.marks == ((Projection.POSTERIOR, 3.0, 700.0),)


# -- exam ------------------------------------------------------------------------------


def test_exam_hides_labels_until_submit_and_allows_changes_before() -> None:
    s = make(QuizMode.EXAM)
    s.start(0.0)
    first = s.current_case_key
    s.answer(M, 90, 5.0)
    assert s.state is S.SHOWING and not s.is_label_revealed(first)
    s.next(6.0)
    s.next(8.0)  # skipping is allowed in an exam
    assert s.position == 3
    s.answer(N, 50, 10.0)
    s.go_to(1, 12.0)
    changed = s.answer(N, 60, 15.0)
    assert changed.decision is N and changed.started_at == 0.0
    assert changed.time_on_case_s == pytest.approx(9.0)  # 6 s first visit + 3 s second
    assert len(s.attempts) == 2
    assert s.unanswered_positions() == (2, 4, 5)
    assert not any(s.is_label_revealed(k) for k in s.order)
    s.submit(20.0)
    assert all(s.is_label_revealed(k) for k in s.order)
    locked = s.attempts
    for op in OPS.values():
        with pytest.raises(QuizStateError):
            op(s)
    assert s.attempts == locked and s.tick(1000.0) == ()


def test_exam_next_stops_at_the_last_case_and_go_to_checks_range() -> None:
    s = make(QuizMode.EXAM)
    s.start(0.0)
    s.go_to(5, 1.0)
    with pytest.raises(QuizStateError, match="last open case"):
        s.next(2.0)
    for bad in (0, 6):
        with pytest.raises(UsageError, match=r"outside 1\.\.5"):
            s.go_to(bad, 3.0)
    with pytest.raises(UsageError, match="whole number"):
        s.go_to(True, 3.0)


# -- time limits -----------------------------------------------------------------------


def test_practice_case_limit_times_out_then_shows_feedback() -> None:
    s = make(time_limit_per_case_s=30.0)
    s.start(0.0)
    s.pause(10.0)
    s.resume(100.0)
    assert s.tick(119.0) == ()
    assert s.remaining_case_s(119.0) == pytest.approx(1.0)
    (t,) = s.tick(125.0)
    assert t.timed_out and t.decision is None and t.certainty is None
    assert (t.answered_at, t.time_on_case_s, t.position) == (120.0, 30.0, 1)
    assert s.state is S.FEEDBACK and s.is_label_revealed(t.case_key)
    assert s.tick(126.0) == ()
    s.next(127.0)
    assert s.remaining_case_s(127.0) == 30.0


def test_late_answer_is_refused_and_its_timeout_kept_for_tick() -> None:
    s = make(time_limit_per_case_s=30.0)
    s.start(0.0)
    with pytest.raises(QuizStateError, match="Cannot answer"):
        s.answer(M, 80, 31.0)
    (t,) = s.tick(32.0)
    assert t.timed_out and t.answered_at == 30.0


def test_exam_case_limit_closes_cases_and_moves_on() -> None:
    s = make(QuizMode.EXAM, time_limit_per_case_s=10.0)
    s.start(0.0)
    s.go_to(2, 1.0)
    s.answer(M, 70, 2.0)
    s.go_to(1, 3.0)  # case 1 has 1 s used; runs out at t=12
    (t,) = s.tick(12.5)
    assert t.position == 1 and t.answered_at == 12.0
    assert s.is_closed(1) and s.position == 3  # the next unanswered case, not answered 2
    with pytest.raises(QuizStateError, match="run out"):
        s.go_to(1, 13.0)
    s.go_to(2, 13.0)  # answered, 2 s used, still open
    assert s.remaining_case_s(13.0) == pytest.approx(8.0)


def test_exam_all_cases_run_out_in_one_late_tick_in_order() -> None:
    s = make(QuizMode.EXAM, keys=("a", "b", "c"), time_limit_per_case_s=10.0)
    s.start(0.0)
    timeouts = s.tick(35.0)
    assert [t.answered_at for t in timeouts] == [10.0, 20.0, 30.0]
    assert [t.position for t in timeouts] == [1, 2, 3]
    assert s.state is S.SUBMITTED


def test_exam_answered_case_that_runs_out_keeps_its_answer() -> None:
    s = make(QuizMode.EXAM, keys=("a", "b"), time_limit_per_case_s=10.0)
    s.start(0.0)
    s.answer(M, 80, 4.0)
    assert s.tick(11.0) == ()
    assert s.position == 2 and s.attempt_at(1).decision is M  # type: ignore[union-attr]


def test_practice_total_limit_finishes_and_excludes_pauses() -> None:
    s = make(time_limit_total_s=60.0)
    s.start(0.0)
    s.answer(M, 80, 20.0)
    s.pause(25.0)
    s.resume(1000.0)
    assert s.remaining_total_s(1000.0) == 35.0
    s.next(1010.0)
    (t,) = s.tick(1100.0)
    assert t.position == 2 and t.answered_at == 1035.0 and t.time_on_case_s == 25.0
    assert s.state is S.FINISHED
    assert s.unanswered_positions() == (3, 4, 5)
    assert not s.is_label_revealed(s.order[2])


def test_practice_total_limit_during_feedback_adds_no_attempt() -> None:
    s = make(time_limit_total_s=60.0)
    s.start(0.0)
    s.answer(M, 80, 20.0)
    assert s.tick(61.0) == ()
    assert s.state is S.FINISHED and len(s.attempts) == 1


def test_exam_total_limit_auto_submits() -> None:
    s = make(QuizMode.EXAM, time_limit_total_s=30.0)
    s.start(0.0)
    s.answer(N, 100, 10.0)
    s.next(11.0)
    with pytest.raises(QuizStateError, match="submitted"):
        s.answer(M, 80, 31.0)
    (t,) = s.tick(31.0)
    assert t.position == 2 and t.answered_at == 30.0
    assert s.state is S.SUBMITTED and s.is_label_revealed(s.order[0])


def test_total_limit_before_case_limit_wins() -> None:
    s = make(time_limit_per_case_s=30.0, time_limit_total_s=20.0)
    s.start(0.0)
    (t,) = s.tick(100.0)
    assert t.answered_at == 20.0 and s.state is S.FINISHED


def test_case_limits_then_total_limit_in_one_tick() -> None:
    s = make(QuizMode.EXAM, time_limit_per_case_s=10.0, time_limit_total_s=25.0)
    s.start(0.0)
    timeouts = s.tick(500.0)
    assert [(t.position, t.answered_at) for t in timeouts] == [(1, 10.0), (2, 20.0), (3, 25.0)]
    assert timeouts[2].time_on_case_s == 5.0
    assert s.state is S.SUBMITTED


def test_paused_session_never_times_out() -> None:
    s = make(time_limit_per_case_s=5.0, time_limit_total_s=5.0)
    s.start(0.0)
    s.pause(1.0)
    assert s.tick(10_000.0) == ()
    assert s.remaining_case_s(10_000.0) == 4.0 and s.remaining_total_s(10_000.0) == 4.0
    s.resume(10_000.0)
    assert len(s.tick(10_004.0)) == 1


def test_no_limits_means_no_remaining() -> None:
    s = make()
    s.start(0.0)
    assert s.remaining_case_s(5.0) is None and s.remaining_total_s(5.0) is None


# -- restore ---------------------------------------------------------------------------


def test_restore_practice_at_first_unanswered_case() -> None:
    s = make()
    s.start(0.0)
    s.answer(M, 80, 5.0)
    s.next(6.0)
    s.answer(N, 60, 9.0)
    stored = s.attempts
    r = QuizSession.restore(s.spec, "Ana", stored, now=500.0)
    assert r.order == s.order
    assert r.state is S.SHOWING and r.position == 3
    assert r.attempts == stored
    assert r.is_label_revealed(s.order[0]) and not r.is_label_revealed(s.order[2])
    assert r.elapsed_total_s(500.0) == pytest.approx(8.0)
    a = r.answer(M, 90, 504.0)
    assert (a.position, a.started_at, a.time_on_case_s) == (3, 500.0, 4.0)


def test_restore_practice_all_answered_is_finished() -> None:
    s = make(keys=("a", "b"))
    s.start(0.0)
    s.answer(M, 80, 1.0)
    s.next(2.0)
    s.answer(M, 80, 3.0)
    r = QuizSession.restore(s.spec, "Ana", reversed(s.attempts), 10.0)
    assert r.state is S.FINISHED and r.attempts == s.attempts


def test_a_restored_session_holds_no_labels() -> None:
    """Stored answers carry the label; the running quiz they rebuild must not."""
    s = make(QuizMode.EXAM, keys=("a", "b"))
    s.start(0.0)
    s.answer(M, 80, 1.0)
    stored = [a.with_truth(Diagnosis.NO_METASTASES) for a in s.attempts]
    r = QuizSession.restore(s.spec, "Ana", stored, 10.0)
    assert [a.truth for a in r.attempts] == [None] and r.attempts == s.attempts


def test_restore_exam_keeps_closed_cases_and_hidden_labels() -> None:
    s = make(QuizMode.EXAM, keys=("a", "b", "c"), time_limit_per_case_s=10.0)
    s.start(0.0)
    s.tick(10.5)
    s.answer(M, 70, 12.0)
    r = QuizSession.restore(s.spec, "Ana", s.attempts, 100.0)
    assert r.is_closed(1) and not r.is_closed(2)
    assert r.position == 3 and r.state is S.SHOWING
    assert not any(r.is_label_revealed(k) for k in r.order)
    all_done = QuizSession.restore(
        s.spec, "Ana", [*s.attempts, replace(s.attempts[1], case_key=s.order[2])], 100.0
    )
    assert all_done.state is S.SHOWING and all_done.position == 3


def test_restore_exam_whose_cases_all_ran_out_is_submitted() -> None:
    s = make(QuizMode.EXAM, keys=("a", "b"), time_limit_per_case_s=10.0)
    s.start(0.0)
    assert len(s.tick(25.0)) == 2
    r = QuizSession.restore(s.spec, "Ana", s.attempts, 200.0)
    assert r.state is S.SUBMITTED and r.attempts == s.attempts
    assert all(r.is_label_revealed(k) for k in r.order)


def test_restore_later_answer_wins_and_unknown_cases_are_refused() -> None:
    s = make(QuizMode.EXAM)
    s.start(0.0)
    first = s.answer(M, 70, 1.0)
    second = s.answer(N, 90, 2.0)
    r = QuizSession.restore(s.spec, "Ana", [second, first], 10.0)
    assert r.attempts == (second,)
    with pytest.raises(UsageError, match="not in quiz"):
        QuizSession.restore(s.spec, "Ana", [replace(first, case_key="999")], 10.0)


def test_restore_fixes_positions_from_the_order() -> None:
    s = make()
    s.start(0.0)
    a = s.answer(M, 70, 1.0)
    r = QuizSession.restore(s.spec, "Ana", [replace(a, position=4)], 10.0)
    assert r.attempts[0].position == 1


# -- invariants under random use -------------------------------------------------------

ops = st.lists(
    st.tuples(
        st.sampled_from(["answer", "next", "go_to", "pause", "resume", "submit", "tick"]),
        st.floats(0.0, 40.0),
        st.integers(1, 4),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(mode=st.sampled_from(list(QuizMode)), steps=ops)
def test_random_use_keeps_invariants(mode: QuizMode, steps: list[tuple[str, float, int]]) -> None:
    s = make(mode, keys=("a", "b", "c", "d"), time_limit_per_case_s=30.0, time_limit_total_s=90.0)
    now = 0.0
    s.start(now)
    reported: list[object] = []
    for op, dt, pos in steps:
        now += dt
        try:
            if op == "answer":
                s.answer(M, 80, now)
            elif op == "go_to":
                s.go_to(pos, now)
            elif op == "tick":
                reported.extend(s.tick(now))
            else:
                getattr(s, op)(now)
        except QuizStateError:
            pass
        assert s.elapsed_total_s(now) <= 90.0 + 1e-9
        for a in s.attempts:
            assert a.time_on_case_s <= 30.0 + 1e-9
            assert a.case_key == s.order[a.position - 1]
            assert a.timed_out == (a.decision is None)
        if mode is QuizMode.EXAM and s.state is not S.SUBMITTED:
            assert not any(s.is_label_revealed(k) for k in s.order)
    reported.extend(s.tick(now))
    assert all(a.timed_out for a in reported)  # type: ignore[attr-defined]
    assert len({a.position for a in s.attempts}) == len(s.attempts)


# -- late answers and failed writes ------------------------------------------------------


def test_a_late_exam_answer_is_a_timeout_of_the_case_on_screen_not_the_next() -> None:
    from bonescan_tutor.core.quiz_session import TimeRanOut

    s = make(QuizMode.EXAM, keys=("a", "b", "c"), time_limit_per_case_s=60.0)
    s.start(0.0)
    on_screen = s.current_case_key
    # The key is pressed at 60.4 s; the screen's tick has not run since 60.0 s.
    with pytest.raises(TimeRanOut) as caught:
        s.answer(M, 90, 60.4)
    assert caught.value.attempt is not None and caught.value.attempt.case_key == on_screen
    assert caught.value.attempt.timed_out
    assert [a.case_key for a in s.attempts] == [on_screen]  # nothing stored for the next case
    assert s.attempt_at(2) is None and s.position == 2
    (t,) = s.tick(61.0)
    assert t.case_key == on_screen and t.answered_at == 60.0


def test_a_late_practice_answer_shows_that_cases_timeout() -> None:
    from bonescan_tutor.core.quiz_session import TimeRanOut

    s = make(time_limit_per_case_s=30.0)
    s.start(0.0)
    with pytest.raises(TimeRanOut):
        s.answer(M, 80, 30.5)
    assert s.state is S.FEEDBACK and s.attempt_at(1).timed_out  # type: ignore[union-attr]


def test_an_answer_whose_write_fails_is_not_recorded_and_the_case_stays() -> None:
    s = make(QuizMode.PRACTICE, time_limit_per_case_s=60.0)
    s.start(0.0)

    def full_disk(attempt: object) -> None:
        raise OSError("No space left on device")

    with pytest.raises(OSError):
        s.answer(M, 80, 5.0, persist=full_disk)
    assert s.state is S.SHOWING and s.attempts == () and s.position == 1
    stored: list[object] = []
    attempt = s.answer(M, 80, 5.0, persist=stored.append)
    assert stored == [attempt] and s.state is S.FEEDBACK


# -- time that survives, abandoning ----------------------------------------------------------


def test_a_restored_exam_continues_from_the_saved_time() -> None:
    s = make(QuizMode.EXAM, keys=("a", "b", "c"), time_limit_per_case_s=60.0,
             time_limit_total_s=600.0)
    s.start(0.0)
    s.answer(M, 80, 20.0)
    s.next(20.0)
    saved = s.clock(75.0)  # 55 s on the second case
    assert saved.total_s == 75.0 and saved.case_s[s.order[1]] == pytest.approx(55.0)
    stored = list(s.attempts)
    later = 75.0 + 3600.0  # an hour away
    r = QuizSession.restore(s.spec, "Ana", stored, later, clock=saved)
    assert r.position == 2
    assert r.remaining_case_s(later) == pytest.approx(5.0)
    assert r.remaining_total_s(later) == pytest.approx(525.0)
    (t,) = r.tick(later + 5.0)
    assert t.position == 2 and t.timed_out


def test_a_restored_case_whose_time_ran_out_while_away_times_out_at_once() -> None:
    s = make(QuizMode.EXAM, keys=("a", "b"), time_limit_per_case_s=60.0)
    s.start(0.0)
    saved = s.clock(60.0)
    r = QuizSession.restore(s.spec, "Ana", [], 500.0, clock=saved)
    (t,) = r.tick(500.0)
    assert t.case_key == s.order[0] and r.position == 2


def test_abandoning_locks_the_answers_as_given_and_keeps_exam_labels_hidden() -> None:
    s = make(QuizMode.EXAM, keys=("a", "b", "c"))
    s.start(0.0)
    s.answer(M, 80, 5.0)
    s.abandon(6.0)
    assert s.state is S.ABANDONED and s.done
    for op in (lambda: s.answer(N, 60, 7.0), lambda: s.submit(7.0), lambda: s.go_to(2, 7.0),
               lambda: s.abandon(7.0)):
        with pytest.raises(QuizStateError):
            op()
    assert [a.decision for a in s.attempts] == [M]
    assert not any(s.is_label_revealed(k) for k in s.order)
