"""Spaced repetition of cases: rating map, scheduling direction, leeches, card JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import fsrs
import pytest

from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.review import (
    DESIRED_RETENTION,
    due_at,
    due_count,
    due_keys,
    is_leech,
    leeches,
    needs_review,
    rating_for,
    review,
    schedule,
    scheduler,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def after(states: list[tuple[bool, int | None]], start: datetime = T0) -> tuple[str, datetime]:
    """A case missed at ``start``, then reviewed once per (correct, certainty) when due."""
    card = review(None, False, 90, start, fuzz=False)
    assert card is not None
    when = due_at(card)
    for correct, certainty in states:
        card = review(card, correct, certainty, when, fuzz=False)
        assert card is not None
        when = due_at(card)
    return card, when


def reviewed(card: str | None, correct: bool, certainty: int | None, when: datetime) -> str:
    out = review(card, correct, certainty, when, fuzz=False)
    assert out is not None
    return out


@pytest.mark.parametrize(
    ("correct", "certainty", "rating"),
    [
        (False, 100, fsrs.Rating.Again),
        (False, None, fsrs.Rating.Again),  # timed out
        (True, 50, fsrs.Rating.Hard),
        (True, 70, fsrs.Rating.Hard),
        (True, 75, fsrs.Rating.Hard),
        (True, 80, fsrs.Rating.Good),
        (True, 90, fsrs.Rating.Good),
        (True, None, fsrs.Rating.Good),
        (True, 100, fsrs.Rating.Easy),
    ],
)
def test_rating_map(correct: bool, certainty: int | None, rating: fsrs.Rating) -> None:
    assert rating_for(correct, certainty) is rating


def test_rating_rejects_impossible_certainty() -> None:
    with pytest.raises(UsageError, match="120"):
        rating_for(True, 120)


def test_scheduler_configuration() -> None:
    s = scheduler(fuzz=False)
    assert s.desired_retention == DESIRED_RETENTION == 0.9
    assert s.enable_fuzzing is False
    assert s.parameters == fsrs.Scheduler().parameters  # FSRS defaults
    assert scheduler(fuzz=False) is s  # one configuration, built once


def test_a_session_queues_exactly_its_misses_and_unsure_right_answers() -> None:
    """20 cases: 4 missed (3 wrong, 1 timed out), 2 right at 50-60 %, 14 right and sure."""
    answers: dict[str, tuple[bool, int | None]] = {
        **{f"w{i}": (False, 90) for i in range(3)},
        "timeout": (False, None),
        "unsure50": (True, 50),
        "unsure60": (True, 60),
        **{f"r{i}": (True, c) for i, c in enumerate([70, 80, 90, 100, None] * 2 + [70] * 4)},
    }
    assert len(answers) == 20
    cards: dict[str, str] = {}
    for n, (key, (correct, certainty)) in enumerate(answers.items()):
        when = T0 + timedelta(minutes=n)
        card = review(None, correct, certainty, when, fuzz=True)
        if card is not None:
            cards[key] = card
        assert needs_review(correct, certainty) is (card is not None)
    queued = {"w0", "w1", "w2", "timeout", "unsure50", "unsure60"}
    assert set(cards) == queued
    # Nothing comes back within the session or the same evening ...
    assert due_keys(cards, T0 + timedelta(hours=12)) == []
    # ... every miss is back the next day (FSRS without learning steps: one day) ...
    for n, key in enumerate(answers):
        if key in cards:
            wait = due_at(cards[key]) - (T0 + timedelta(minutes=n))
            assert timedelta(hours=12) <= wait <= timedelta(days=3), key
    misses_ = [k for k in queued if not answers[k][0]]
    assert all(due_at(cards[k]) - T0 < timedelta(days=1, hours=1) for k in misses_)
    # ... and all six are due within three days.
    assert set(due_keys(cards, T0 + timedelta(days=3, hours=1))) == queued


def test_scheduler_has_no_minute_steps() -> None:
    s = scheduler(fuzz=False)
    assert tuple(s.learning_steps) == () and tuple(s.relearning_steps) == ()


def test_a_case_answered_well_on_review_graduates() -> None:
    card, when = after([])  # missed, now due
    assert due_at(card) - T0 == timedelta(days=1)
    intervals = []
    for _ in range(4):
        card = reviewed(card, True, 90, when)
        intervals.append(due_at(card) - when)
        when = due_at(card)
    # Each good review spaces the case out further, as FSRS's Good schedules it.
    assert intervals == sorted(intervals) and intervals[-1] > timedelta(days=14)
    direct = fsrs.Card.from_json(after([])[0])
    t = due_at(after([])[0])
    for _ in range(4):
        direct, _log = scheduler(fuzz=False).review_card(direct, fsrs.Rating.Good, t)
        t = direct.due
    assert due_at(card) == direct.due


def test_a_sure_right_answer_to_a_case_in_review_still_counts() -> None:
    card, when = after([])
    assert review(card, True, 100, when, fuzz=False) is not None


def test_easy_comes_back_later_than_good_later_than_hard() -> None:
    card, when = after([])
    dues = {c: due_at(reviewed(card, True, c, when)) for c in (60, 90, 100)}
    assert when < dues[60] <= dues[90] < dues[100]
    # The same holds for a case already in long-term review.
    card, when = after([(True, 90)] * 3)
    hard = due_at(reviewed(card, True, 60, when))
    easy = due_at(reviewed(card, True, 100, when))
    assert when < hard < easy


def test_wrong_answer_brings_a_learned_case_back_next_day() -> None:
    card, when = after([(True, 90)] * 4)
    assert due_at(card) - when == timedelta(0)  # `after` stops at the next due time
    right = due_at(reviewed(card, True, 90, when))
    wrong = due_at(reviewed(card, False, 90, when))
    assert right - when > timedelta(days=7)
    assert timedelta(hours=12) <= wrong - when <= timedelta(days=3)
    assert due_at(reviewed(None, False, None, T0)) - T0 == timedelta(days=1)


def test_json_round_trip_and_storage_form() -> None:
    card = reviewed(None, False, 90, T0)
    parsed = fsrs.Card.from_json(card)
    assert json.loads(parsed.to_json()) == json.loads(card)
    assert json.loads(card)["last_review"] == T0.isoformat()
    # Reviewing from the stored JSON equals reviewing the live card.
    direct, _ = scheduler(fuzz=False).review_card(parsed, fsrs.Rating.Good, due_at(card))
    assert json.loads(reviewed(card, True, 90, due_at(card))) == json.loads(direct.to_json())


def test_deterministic_without_fuzz() -> None:
    assert after([(True, 90)] * 5) == after([(True, 90)] * 5)


def test_other_time_zones_are_converted_and_naive_times_refused() -> None:
    paris = T0.astimezone(timezone(timedelta(hours=1)))
    assert reviewed(None, False, 90, paris) == reviewed(None, False, 90, T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        review(None, False, 90, datetime(2025, 3, 1, 9, 0), fuzz=False)


def test_damaged_card_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="could not be read"):
        review("{not json", True, 90, T0)
    with pytest.raises(UsageError):
        due_at(json.dumps({"state": 2}))


def test_due_keys_most_overdue_first() -> None:
    soon = reviewed(None, False, 90, T0)  # due T0 + 1 day
    later = reviewed(None, False, 90, T0 + timedelta(hours=2))  # due T0 + 1 day 2 h
    far = reviewed(soon, True, 100, due_at(soon))  # easy on review: days later
    cards = {"c": later, "a": soon, "b": far, "d": soon}
    assert due_keys(cards, T0) == []
    assert due_keys(cards, T0 + timedelta(days=1, hours=1)) == ["a", "d"]
    assert due_keys(cards, T0 + timedelta(days=1, hours=3)) == ["a", "d", "c"]
    assert due_keys(cards, T0 + timedelta(days=365)) == ["a", "d", "c", "b"]


@pytest.mark.parametrize(
    ("history", "leech"),
    [
        ([], False),
        ([False, False], False),
        ([False, True, False, True, True], False),
        ([False, False, False], True),
        ([False, True, False, True, False, True, True], True),  # misses need not be in a row
    ],
)
def test_leech_rule(history: list[bool], leech: bool) -> None:
    assert is_leech(history) is leech


def test_leeches_listed_most_missed_first() -> None:
    histories = {
        "x": [False, False, False],
        "y": [True, True],
        "z": [False] * 5,
        "w": [False, True, False, False],
    }
    assert leeches(histories) == ["z", "w", "x"]


def test_due_count_counts_to_the_end_of_the_local_day() -> None:
    card = reviewed(None, False, 90, T0)  # due 2025-03-02 09:00 UTC
    cards = {"a": card}
    assert due_count(cards, T0) == 0
    assert due_count(cards, datetime(2025, 3, 2, 0, 5, tzinfo=UTC)) == 1  # due later today
    # At 20:00 UTC on 1 March the card is due tomorrow in UTC, but in UTC-10 it is
    # 10:00 and the card falls due at 23:00 local time: today.
    evening = datetime(2025, 3, 1, 20, 0, tzinfo=UTC)
    assert due_count(cards, evening) == 0
    assert due_count(cards, evening.astimezone(timezone(timedelta(hours=-10)))) == 1
    assert schedule(cards) == [{"case_key": "a", "due": "2025-03-02T09:00:00+00:00"}]
