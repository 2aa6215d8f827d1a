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
    due_keys,
    is_leech,
    leeches,
    rating_for,
    review,
    scheduler,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def after(states: list[tuple[bool, int | None]], start: datetime = T0) -> tuple[str, datetime]:
    """Review a new card once per (correct, certainty), each time when it falls due."""
    card: str | None = None
    when = start
    for correct, certainty in states:
        card = review(card, correct, certainty, when, fuzz=False)
        when = due_at(card)
    assert card is not None
    return card, when


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


def test_easy_comes_back_later_than_good_later_than_hard() -> None:
    dues = {c: due_at(review(None, True, c, T0, fuzz=False)) for c in (60, 90, 100)}
    assert T0 < dues[60] < dues[90] < dues[100]
    assert dues[100] - T0 >= timedelta(days=1)
    # The same holds for a case already in long-term review.
    card, when = after([(True, 90)] * 3)
    hard = due_at(review(card, True, 60, when, fuzz=False))
    easy = due_at(review(card, True, 100, when, fuzz=False))
    assert when < hard < easy


def test_wrong_answer_makes_a_learned_case_due_soon() -> None:
    card, when = after([(True, 90)] * 4)
    assert due_at(card) - when == timedelta(0)  # `after` stops at the next due time
    right = due_at(review(card, True, 90, when, fuzz=False))
    wrong = due_at(review(card, False, 90, when, fuzz=False))
    assert right - when > timedelta(days=7)
    assert wrong - when <= timedelta(hours=1)
    assert due_at(review(None, False, None, T0, fuzz=False)) - T0 <= timedelta(hours=1)


def test_json_round_trip_and_storage_form() -> None:
    card = review(None, True, 90, T0, fuzz=False)
    parsed = fsrs.Card.from_json(card)
    assert json.loads(parsed.to_json()) == json.loads(card)
    assert json.loads(card)["last_review"] == T0.isoformat()
    # Reviewing from the stored JSON equals reviewing the live card.
    direct, _ = scheduler(fuzz=False).review_card(parsed, fsrs.Rating.Good, due_at(card))
    assert json.loads(review(card, True, 90, due_at(card), fuzz=False)) == json.loads(
        direct.to_json()
    )


def test_deterministic_without_fuzz() -> None:
    assert after([(True, 90)] * 5) == after([(True, 90)] * 5)


def test_other_time_zones_are_converted_and_naive_times_refused() -> None:
    paris = T0.astimezone(timezone(timedelta(hours=1)))
    assert review(None, True, 90, paris, fuzz=False) == review(None, True, 90, T0, fuzz=False)
    with pytest.raises(ValueError, match="timezone-aware"):
        review(None, True, 90, datetime(2025, 3, 1, 9, 0), fuzz=False)


def test_damaged_card_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="could not be read"):
        review("{not json", True, 90, T0)
    with pytest.raises(UsageError):
        due_at(json.dumps({"state": 2}))


def test_due_keys_most_overdue_first() -> None:
    soon = review(None, False, 90, T0, fuzz=False)  # due T0 + 1 min
    later = review(None, True, 90, T0, fuzz=False)  # due T0 + 10 min
    far = review(None, True, 100, T0, fuzz=False)  # due in days
    cards = {"c": later, "a": soon, "b": far, "d": soon}
    assert due_keys(cards, T0) == []
    assert due_keys(cards, T0 + timedelta(minutes=5)) == ["a", "d"]
    assert due_keys(cards, T0 + timedelta(hours=1)) == ["a", "d", "c"]
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
