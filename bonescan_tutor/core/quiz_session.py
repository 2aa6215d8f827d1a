"""The quiz state machine: which case is shown, answers, pauses, time limits, submit.

Every operation takes ``now`` (seconds, from one clock the caller chooses; the app uses
epoch seconds) so the logic is deterministic under test. Paused time counts towards
nothing. A clock that runs backwards is treated as standing still.

Practice: cases come in order; each answer is final and reveals that case's label
(state FEEDBACK) until ``next``. Exam: the trainee may move between cases and change
answers until ``submit``; labels stay hidden until then, and afterwards every
mutation raises.

Time limits are checked on every call; ``tick(now)`` (call it from a UI timer) returns
the timed-out attempts recorded since the last tick, so the caller can store them.
A per-case timeout records an attempt with ``decision=None``: in practice mode it then
shows that case's feedback (every case gets feedback); in exam mode the case closes
and the next open case is shown. The total limit ends the quiz (exam: auto-submit);
the case on screen, if unanswered, gets a timed-out attempt.

The limit is decided here, with the answer's own timestamp, never by the screen's
tick: an answer given after the case on screen ran out raises ``TimeRanOut`` naming
that case's standing attempt (its timeout), and is never recorded for another case.
``answer`` takes a ``persist`` callback that stores the attempt before the session
records it; when storing fails nothing but the clock moves, so a failed write never
advances the quiz.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from bonescan_tutor.core.answers import CERTAINTY_LEVELS, Answer, Mark
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.quiz import QuizMode, QuizSpec, Tool, alias, case_order


class SessionState(enum.Enum):
    NOT_STARTED = "not_started"
    SHOWING = "showing"  # a case is on screen and takes an answer (exam: or a changed one)
    FEEDBACK = "feedback"  # practice: answered, label revealed
    PAUSED = "paused"
    FINISHED = "finished"  # practice: done
    SUBMITTED = "submitted"  # exam: locked
    ABANDONED = "abandoned"  # given up part-way: answers locked as given


@dataclass(frozen=True)
class QuizClock:
    """The time used so far, to be saved while the quiz runs and handed to ``restore``.

    ``case_s`` maps a case key to the seconds it was on screen; ``total_s`` is the
    quiz's running time (pauses excluded).
    """

    total_s: float
    case_s: dict[str, float] = field(default_factory=dict)


class QuizStateError(UsageError):
    """An operation the quiz's current state does not allow (answering twice, after submit)."""


class TimeRanOut(QuizStateError):
    """An answer that came after the time of the case it was given for had run out."""

    def __init__(self, message: str, attempt: Answer | None) -> None:
        super().__init__(message)
        #: What stands for that case now: its timeout, or its earlier answer (exam).
        self.attempt = attempt


_RUNNING = (SessionState.SHOWING, SessionState.FEEDBACK)
_DONE = (SessionState.FINISHED, SessionState.SUBMITTED, SessionState.ABANDONED)


class QuizSession:
    """One trainee working through one ``QuizSpec``."""

    def __init__(self, spec: QuizSpec, trainee: str) -> None:
        spec.validate()
        self.spec = spec
        self.trainee = trainee
        self.order: tuple[str, ...] = case_order(spec, trainee)
        self._state = SessionState.NOT_STARTED
        self._paused_from = SessionState.SHOWING
        self._index = 0
        self._attempts: dict[int, Answer] = {}
        self._case_time = [0.0] * len(self.order)
        self._first_shown: dict[int, float] = {}
        self._total_time = 0.0
        self._clock: float | None = None
        self._closed: set[int] = set()  # exam: cases whose own time ran out
        self._unreported: list[Answer] = []

    # -- queries -------------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def mode(self) -> QuizMode:
        return self.spec.mode

    @property
    def total(self) -> int:
        return len(self.order)

    @property
    def position(self) -> int:
        """The current case's position, counting from 1."""
        self._require_started()
        return self._index + 1

    @property
    def current_case_key(self) -> str:
        """The key of the case on screen: for loading images, never for display."""
        self._require_started()
        return self.order[self._index]

    @property
    def current_alias(self) -> str:
        return alias(self.position, self.total)

    @property
    def attempts(self) -> tuple[Answer, ...]:
        """Every answer and timeout so far, in the trainee's order."""
        return tuple(self._attempts[i] for i in sorted(self._attempts))

    def attempt_at(self, position: int) -> Answer | None:
        return self._attempts.get(self._checked_index(position))

    def unanswered_positions(self) -> tuple[int, ...]:
        """Positions without any attempt (warn before an exam is submitted)."""
        return tuple(i + 1 for i in range(self.total) if i not in self._attempts)

    def is_closed(self, position: int) -> bool:
        """Exam: the case's own time ran out, so it can no longer be shown or changed."""
        return self._checked_index(position) in self._closed

    def is_label_revealed(self, key: str) -> bool:
        """Practice: once that case is answered (or timed out). Exam: only after submit."""
        if key not in self.order:
            raise UsageError(f"Case {key!r} is not in quiz {self.spec.title!r}.")
        if self.mode is QuizMode.EXAM:
            return self._state is SessionState.SUBMITTED
        return self.order.index(key) in self._attempts

    @property
    def done(self) -> bool:
        """Finished, submitted or abandoned: no answer changes any more."""
        return self._state in _DONE

    def clock(self, now: float) -> QuizClock:
        """The time used up to ``now``, for saving (does not change the session)."""
        pending = self._pending(now)
        case_s = {key: t for key, t in zip(self.order, self._case_time, strict=True) if t}
        if pending and self._state is SessionState.SHOWING:
            key = self.order[self._index]
            case_s[key] = case_s.get(key, 0.0) + pending
        return QuizClock(self._total_time + pending, case_s)

    def elapsed_total_s(self, now: float) -> float:
        """Time spent in the quiz, pauses excluded (does not change the session)."""
        return self._total_time + self._pending(now)

    def time_on_case_s(self, now: float) -> float:
        self._require_started()
        extra = self._pending(now) if self._state is SessionState.SHOWING else 0.0
        return self._case_time[self._index] + extra

    def remaining_case_s(self, now: float) -> float | None:
        """Seconds left on the current case, or None without a per-case limit."""
        limit = self.spec.time_limit_per_case_s
        return None if limit is None else max(0.0, limit - self.time_on_case_s(now))

    def remaining_total_s(self, now: float) -> float | None:
        limit = self.spec.time_limit_total_s
        return None if limit is None else max(0.0, limit - self.elapsed_total_s(now))

    # -- operations ----------------------------------------------------------------

    def start(self, now: float) -> None:
        if self._state is not SessionState.NOT_STARTED:
            raise QuizStateError("This quiz has already started.")
        self._clock = now
        self._show(0, now)
        self._advance(now)

    def answer(
        self,
        decision: Diagnosis,
        certainty: int | None,
        now: float,
        note: str = "",
        marks: Iterable[Mark] = (),
        tools_used: frozenset[Tool] = frozenset(),
        persist: Callable[[Answer], object] | None = None,
    ) -> Answer:
        """Record the trainee's answer to the case on screen and return it.

        ``now`` is when the answer was given. If the time of the case on screen (or of
        the quiz) ran out before it, ``TimeRanOut`` is raised and the case keeps its
        timeout. ``persist(attempt)`` runs before the answer is recorded; if it raises,
        the answer is not recorded and the case stays on screen.
        """
        shown = self._index if self._state is SessionState.SHOWING else None
        self._advance(now)
        if shown is not None and (self._state is not SessionState.SHOWING or self._index != shown):
            raise TimeRanOut(
                f"Cannot answer: time for {alias(shown + 1, self.total)} ran out before the "
                f"answer (the quiz is now {self._state.value}).",
                self._attempts.get(shown),
            )
        self._require(SessionState.SHOWING, "answer a case")
        i = self._index
        if self.mode is QuizMode.PRACTICE and i in self._attempts:
            raise QuizStateError(f"{self.current_alias} is already answered.")
        if not isinstance(decision, Diagnosis):
            raise UsageError(f"Choose metastases or no metastases, not {decision!r}.")
        if certainty is None:
            if self.spec.certainty_required:
                raise UsageError("This quiz asks for your certainty: pick 50-100 %.")
        elif isinstance(certainty, bool) or certainty not in CERTAINTY_LEVELS:
            raise UsageError(
                f"Certainty must be one of {', '.join(map(str, CERTAINTY_LEVELS))} %, not {certainty!r}."
            )
        extra_tools = set(tools_used) - set(self.spec.tools_allowed)
        if extra_tools:
            names = ", ".join(sorted(t.value for t in extra_tools))
            raise UsageError(f"This quiz does not allow the tool(s): {names}.")
        attempt = Answer(
            case_key=self.order[i],
            position=i + 1,
            decision=decision,
            certainty=certainty,
            started_at=self._first_shown[i],
            answered_at=now,
            time_on_case_s=self._case_time[i],
            note=note,
            marks=_checked_marks(marks),
            tools_used=frozenset(tools_used),
        )
        if persist is not None:
            persist(attempt)
        self._attempts[i] = attempt
        if self.mode is QuizMode.PRACTICE:
            self._state = SessionState.FEEDBACK
        return attempt

    def next(self, now: float) -> None:
        """Practice: leave the feedback for the next case (or finish). Exam: next open case."""
        self._advance(now)
        if self.mode is QuizMode.PRACTICE:
            self._require(SessionState.FEEDBACK, "move on")
            if self._index + 1 == self.total:
                self._state = SessionState.FINISHED
            else:
                self._show(self._index + 1, now)
            return
        self._require(SessionState.SHOWING, "move on")
        later = [j for j in range(self._index + 1, self.total) if j not in self._closed]
        if not later:
            raise QuizStateError("This is the last open case: submit the exam or go back.")
        self._show(later[0], now)

    def go_to(self, position: int, now: float) -> None:
        """Exam only: show an earlier or later case (to answer it or change the answer)."""
        self._advance(now)
        if self.mode is not QuizMode.EXAM:
            raise QuizStateError("In practice mode the cases come in order; use next.")
        self._require(SessionState.SHOWING, "change case")
        j = self._checked_index(position)
        if j in self._closed:
            raise QuizStateError(f"Time for {alias(position, self.total)} has run out.")
        self._show(j, now)

    def pause(self, now: float) -> None:
        self._advance(now)
        if self._state not in _RUNNING:
            raise QuizStateError(f"Cannot pause a quiz that is {self._state.value}.")
        self._paused_from = self._state
        self._state = SessionState.PAUSED

    def resume(self, now: float) -> None:
        self._advance(now)
        self._require(SessionState.PAUSED, "resume")
        self._state = self._paused_from

    def submit(self, now: float) -> None:
        """Exam only: lock every answer and reveal the labels."""
        self._advance(now)
        if self.mode is not QuizMode.EXAM:
            raise QuizStateError("Only an exam is submitted; a practice quiz ends by itself.")
        if self._state not in (SessionState.SHOWING, SessionState.PAUSED):
            raise QuizStateError(f"Cannot submit an exam that is {self._state.value}.")
        self._state = SessionState.SUBMITTED

    def abandon(self, now: float) -> None:
        """Give the quiz up part-way: every answer stays as given and is locked.

        An abandoned exam keeps its labels hidden (its cases may be set again).
        """
        if self._state is SessionState.NOT_STARTED or self._state in _DONE:
            raise QuizStateError(f"Cannot abandon a quiz that is {self._state.value}.")
        self._advance(now)
        if self._state not in _DONE:
            self._state = SessionState.ABANDONED

    def tick(self, now: float) -> tuple[Answer, ...]:
        """Apply time limits up to ``now``; return timeouts recorded since the last tick."""
        if self._state is not SessionState.NOT_STARTED:
            self._advance(now)
        out = tuple(self._unreported)
        self._unreported.clear()
        return out

    @classmethod
    def restore(
        cls,
        spec: QuizSpec,
        trainee: str,
        attempts: Iterable[Answer],
        now: float,
        clock: QuizClock | None = None,
    ) -> QuizSession:
        """Rebuild an unfinished session from stored attempts, at the first open case.

        The quiz clock restarts at ``now`` from the saved ``clock`` (time used per case
        and on the whole quiz), so limits continue where they were; without one, the
        stored times on case count as elapsed. A case whose time ran out while the app
        was away times out at once.
        """
        session = cls(spec, trainee)
        where = {key: i for i, key in enumerate(session.order)}
        for a in sorted(attempts, key=lambda a: a.answered_at):
            if a.case_key not in where:
                raise UsageError(
                    f"A stored answer is for a case that is not in quiz {spec.title!r}; "
                    "the quiz was changed after it was started."
                )
            i = where[a.case_key]
            # a running quiz holds no labels, whatever the stored answers carry
            session._attempts[i] = replace(a, position=i + 1, truth=None)
            session._case_time[i] = a.time_on_case_s
            if a.started_at is not None:
                session._first_shown[i] = a.started_at
            if a.timed_out and spec.mode is QuizMode.EXAM:
                session._closed.add(i)
        if clock is not None:
            for i, key in enumerate(session.order):
                session._case_time[i] = max(session._case_time[i], clock.case_s.get(key, 0.0))
        session._total_time = max(sum(session._case_time),
                                  clock.total_s if clock is not None else 0.0)
        session._clock = now
        unanswered = [i for i in range(session.total) if i not in session._attempts]
        open_cases = [i for i in range(session.total) if i not in session._closed]
        if unanswered:
            session._show(unanswered[0], now)
        elif spec.mode is QuizMode.EXAM and open_cases:
            session._show(open_cases[-1], now)
        else:
            session._index = session.total - 1
            session._state = _end_state(spec.mode)
        session._advance(now)
        return session

    # -- internals -----------------------------------------------------------------

    def _require_started(self) -> None:
        if self._state is SessionState.NOT_STARTED:
            raise QuizStateError("The quiz has not started yet.")

    def _require(self, state: SessionState, doing: str) -> None:
        if self._state is state:
            return
        why = {
            SessionState.NOT_STARTED: "the quiz has not started yet",
            SessionState.SHOWING: "the case has not been answered yet",
            SessionState.FEEDBACK: "this case is answered; move on to the next one",
            SessionState.PAUSED: "the quiz is paused; resume it first",
            SessionState.FINISHED: "the quiz is finished",
            SessionState.SUBMITTED: "the exam was submitted and its answers are locked",
            SessionState.ABANDONED: "the quiz was abandoned and its answers are locked",
        }[self._state]
        raise QuizStateError(f"Cannot {doing}: {why}.")

    def _checked_index(self, position: int) -> int:
        if isinstance(position, bool) or not isinstance(position, int):
            raise UsageError(f"A case position is a whole number, not {position!r}.")
        if not 1 <= position <= self.total:
            raise UsageError(f"Case position {position} is outside 1..{self.total}.")
        return position - 1

    def _pending(self, now: float) -> float:
        """Running time since the last call, not yet added to the counters."""
        if self._clock is None or self._state not in _RUNNING:
            return 0.0
        return max(0.0, now - self._clock)

    def _show(self, index: int, now: float) -> None:
        self._index = index
        self._first_shown.setdefault(index, now)
        self._state = SessionState.SHOWING

    def _advance(self, now: float) -> None:
        """Move the quiz clock to ``now``, applying each limit at the moment it expired."""
        if self._clock is None:
            self._require_started()
            return
        now = max(now, self._clock)
        case_limit = self.spec.time_limit_per_case_s
        total_limit = self.spec.time_limit_total_s
        while self._state in _RUNNING:
            showing = self._state is SessionState.SHOWING
            case_left = math.inf
            if showing and case_limit is not None:
                case_left = case_limit - self._case_time[self._index]
            total_left = math.inf if total_limit is None else total_limit - self._total_time
            step = max(0.0, min(now - self._clock, case_left, total_left))
            self._total_time += step
            if showing:
                self._case_time[self._index] += step
            self._clock += step
            if total_left <= step:
                self._expire_total(self._clock)
            elif case_left <= step:
                self._expire_case(self._clock)
            else:
                break
        self._clock = now

    def _time_out(self, at: float) -> None:
        i = self._index
        attempt = Answer(
            case_key=self.order[i],
            position=i + 1,
            decision=None,
            certainty=None,
            started_at=self._first_shown[i],
            answered_at=at,
            time_on_case_s=self._case_time[i],
            timed_out=True,
        )
        self._attempts[i] = attempt
        self._unreported.append(attempt)

    def _expire_case(self, at: float) -> None:
        i = self._index
        if i not in self._attempts:
            self._time_out(at)
        if self.mode is QuizMode.PRACTICE:
            self._state = SessionState.FEEDBACK
            return
        self._closed.add(i)
        ring = [(i + k) % self.total for k in range(1, self.total)]
        open_cases = [j for j in ring if j not in self._closed]
        unanswered = [j for j in open_cases if j not in self._attempts]
        if unanswered or open_cases:
            self._show((unanswered or open_cases)[0], at)
        else:
            self._state = SessionState.SUBMITTED

    def _expire_total(self, at: float) -> None:
        if self._state is SessionState.SHOWING and self._index not in self._attempts:
            self._time_out(at)
        self._state = _end_state(self.mode)


def _end_state(mode: QuizMode) -> SessionState:
    return SessionState.SUBMITTED if mode is QuizMode.EXAM else SessionState.FINISHED


def _checked_marks(marks: Iterable[Mark]) -> tuple[Mark, ...]:
    out: list[Mark] = []
    for mark in marks:
        projection, x, y = mark
        if not isinstance(projection, Projection):
            raise UsageError(f"A mark must name its view (anterior/posterior), not {projection!r}.")
        if not (math.isfinite(x) and math.isfinite(y)):
            raise UsageError(f"A mark needs finite pixel coordinates, not ({x!r}, {y!r}).")
        out.append((projection, float(x), float(y)))
    return tuple(out)
