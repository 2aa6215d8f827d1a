"""Spaced repetition of cases with FSRS: missed cases come back on later days.

A case enters review only when it needs it: answered wrong, timed out, or right with
low certainty (``LOW_CERTAINTY``, 50-60 %). A confident right answer to a case that has
no card yet makes none. Once a case has a card, every later answer to it is a review,
so a case answered well on review moves out to longer intervals as FSRS schedules it.

Each card is an ``fsrs`` card; its state is kept by storage as the JSON string
``fsrs.Card.to_json()`` writes, and passed back in here. The answer becomes an FSRS
rating (``rating_for``): wrong or timed out -> Again, right with certainty <= 70 % ->
Hard, 80-90 % -> Good, 100 % -> Easy. The scheduler has no (re)learning steps, so a
miss comes back the next day (FSRS's one-day interval after Again), not minutes later
in the same sitting. The scheduler's configuration lives in ``scheduler()`` and
nowhere else.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import fsrs

from bonescan_tutor.core.errors import UsageError

DESIRED_RETENTION = 0.9
"""Schedule each case for when the trainee has a 90 % chance of still getting it right."""

LOW_CERTAINTY = 60
"""A right answer given with at most this certainty (%) still enters review."""

LEECH_MISSES = 3
"""A case missed in this many of its reviews is a leech (listed on the dashboard)."""


@functools.cache
def scheduler(fuzz: bool = True) -> fsrs.Scheduler:
    """The one FSRS scheduler configuration: default parameters, desired retention 0.9,
    and no learning or relearning steps (the defaults, 1 and 10 minutes, would bring a
    missed case back within the same session; without them FSRS schedules it in days,
    one day after a first miss). Fuzz spreads review dates of intervals of several
    days so cases missed together do not all come back on the same day; tests turn it
    off to be deterministic."""
    return fsrs.Scheduler(
        desired_retention=DESIRED_RETENTION,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=fuzz,
    )


def rating_for(correct: bool, certainty: int | None) -> fsrs.Rating:
    """The FSRS rating of an answer; how sure a right answer was sets how easy it was.

    Wrong or timed out -> Again; right at <= 70 % -> Hard; 80-90 % -> Good (also a
    right answer given without a certainty); 100 % -> Easy. A certainty between
    levels falls to the lower rating (75 % is Hard).
    """
    if certainty is not None and not 50 <= certainty <= 100:
        raise UsageError(f"certainty {certainty} % is outside 50..100 %")
    if not correct:
        return fsrs.Rating.Again
    if certainty is None:
        return fsrs.Rating.Good
    if certainty < 80:
        return fsrs.Rating.Hard
    if certainty < 100:
        return fsrs.Rating.Good
    return fsrs.Rating.Easy


def needs_review(correct: bool, certainty: int | None) -> bool:
    """Whether an answer to a case without a card puts it into review: a miss (wrong or
    timed out) or a right answer at ``LOW_CERTAINTY`` % or less."""
    return not correct or (certainty is not None and certainty <= LOW_CERTAINTY)


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("review times must be timezone-aware (UTC); got a naive datetime")
    return when.astimezone(UTC)


def _card(card_state: str) -> fsrs.Card:
    try:
        return fsrs.Card.from_json(card_state)
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"a saved review card could not be read ({exc}); the progress file may be "
            "damaged: reset the review schedule of that case to start it afresh"
        ) from exc


def new_card_json(when: datetime) -> str:
    """A card not yet reviewed, due at ``when``."""
    t = _utc(when)
    return str(fsrs.Card(card_id=int(t.timestamp() * 1000), due=t).to_json())


def review(
    card_state: str | None,
    correct: bool,
    certainty: int | None,
    when: datetime,
    *,
    fuzz: bool = True,
) -> str | None:
    """Schedule a case after an answer; returns the new card JSON for storage, or None
    when the case needs no card (``needs_review`` is False and it has none yet).

    ``card_state`` is the JSON stored from the previous review, or None for a case
    without a card. ``when`` is the answer time (aware, UTC or any zone).
    """
    t = _utc(when)
    if card_state is None and not needs_review(correct, certainty):
        return None
    card = _card(card_state if card_state is not None else new_card_json(t))
    card, _log = scheduler(fuzz).review_card(card, rating_for(correct, certainty), t)
    return str(card.to_json())


def due_at(card_state: str) -> datetime:
    """When a card is next due (UTC)."""
    due: datetime = _card(card_state).due
    return due


def schedule(cards: Mapping[str, str]) -> list[dict[str, str]]:
    """Every card as ``{case_key, due}`` (ISO 8601, UTC), soonest first (ties by key)."""
    rows = sorted((due_at(state).astimezone(UTC), key) for key, state in cards.items())
    return [{"case_key": key, "due": when.isoformat()} for when, key in rows]


def due_count(cards: Mapping[str, str], now: datetime) -> int:
    """How many cases are due by the end of ``now``'s day (local midnight of ``now``'s zone)."""
    t = now if now.tzinfo is not None else now.astimezone()
    end = datetime.combine(t.date(), datetime.min.time(), t.tzinfo) + timedelta(days=1)
    return sum(1 for state in cards.values() if due_at(state) < end)


def due_keys(cards: Mapping[str, str], now: datetime) -> list[str]:
    """Keys of the cases due at ``now``, most overdue first (ties by key)."""
    t = _utc(now)
    due = [(due_at(state), key) for key, state in cards.items()]
    return [key for when, key in sorted(due) if when <= t]


def misses(history: Sequence[bool]) -> int:
    """How many reviews of a case were wrong (``history``: True = answered right)."""
    return sum(1 for right in history if not right)


def is_leech(history: Sequence[bool]) -> bool:
    """A case the trainee keeps missing: wrong (or timed out) in >= LEECH_MISSES reviews.

    ``history`` is the case's answers in order, True when right. Like Anki's leeches
    the count is of misses ever, not in a row, so a case stays listed once it has
    been missed three times; the dashboard shows its recent answers beside it.
    """
    return misses(history) >= LEECH_MISSES


def leeches(histories: Mapping[str, Sequence[bool]]) -> list[str]:
    """Keys of the leech cases, most missed first (ties by key)."""
    found = [(-misses(h), key) for key, h in histories.items() if is_leech(h)]
    return [key for _, key in sorted(found)]
