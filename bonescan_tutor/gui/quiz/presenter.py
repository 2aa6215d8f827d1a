"""The quiz's logic: runs a ``QuizSession``, saves every answer before the screen moves
on, and tells the view what it may show.

Label hiding lives here: the view receives a case's key, label, full clinical details
or teaching note only once ``QuizSession.is_label_revealed`` says so. Before that it
gets the neutral alias ("Case 7 of 20") and the pixels, plus age and sex when the quiz
shows clinical details: never the acquisition date, weight or height, which the
labelled library lists and which would find the case.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from bonescan_tutor.core import review
from bonescan_tutor.core.answers import CERTAINTY_LEVELS, Answer, Mark
from bonescan_tutor.core.cases import Case, ClinicalInfo, Dataset, Diagnosis, Projection
from bonescan_tutor.core.quiz import QuizMode, QuizSpec, Tool
from bonescan_tutor.core.quiz_session import QuizSession, SessionState, TimeRanOut
from bonescan_tutor.core.scoring import Summary, summary
from bonescan_tutor.storage.progress import (
    ProgressFileError,
    ProgressStore,
    SessionRecord,
    Trainee,
)

#: What the trainee chose after a failed write: try again, move the progress file to
#: another folder, or neither (the answer stays on screen, unsaved).
WriteChoice = Literal["retry"] | Path | None

log = logging.getLogger(__name__)

#: A running case's time is saved at least this often (seconds), so a killed app
#: loses at most this much of the trainee's time.
CLOCK_SAVE_S = 5.0


@dataclass(frozen=True)
class Feedback:
    """What the trainee learns about one answered case (its label is now revealed):
    the answer with its label (``Answer.truth``), the case's neutral alias and its
    clinical details, whose note is the teaching note."""

    alias: str
    answer: Answer
    clinical: ClinicalInfo

    @property
    def truth(self) -> Diagnosis:
        return self.answer.known_truth  # feedback exists once the label is shown


@dataclass(frozen=True)
class Progress:
    alias: str
    position: int
    total: int
    answered: int
    mode: QuizMode
    state: SessionState
    clinical_lines: tuple[str, ...]  # only when the quiz shows clinical details
    remaining_case_s: float | None
    remaining_total_s: float | None
    elapsed_case_s: float
    current: Answer | None  # exam: the answer given so far to this case


@dataclass(frozen=True)
class EndOfSession:
    title: str
    mode: QuizMode
    summary: Summary
    total_time_s: float
    missed: tuple[Feedback, ...]
    feedback: tuple[Feedback, ...]


class QuizView(Protocol):
    def show_case(self, case: Case, progress: Progress) -> None: ...
    def show_progress(self, progress: Progress) -> None: ...
    def show_feedback(self, feedback: Feedback, running: str) -> None: ...
    def show_end(self, end: EndOfSession) -> None: ...
    def show_message(self, text: str) -> None: ...


def quiz_clinical_lines(clinical: ClinicalInfo) -> tuple[str, ...]:
    """What a reader uses, and nothing that indexes the labelled library: age and sex.

    The exact acquisition date, weight and height are listed beside each case in the
    library, so any of them would find the case and its label.
    """
    out = []
    if clinical.age is not None:
        out.append(f"Age: {clinical.age} years")
    if clinical.sex:
        out.append(f"Sex: {clinical.sex}")
    return tuple(out)


class QuizPresenter:
    """One trainee taking one quiz on one dataset."""

    def __init__(self, view: QuizView, store: ProgressStore, dataset: Dataset,
                 trainee: Trainee, clock: Callable[[], float] = time.time) -> None:
        self.view = view
        self.store = store
        self.dataset = dataset
        self.trainee = trainee
        self.clock = clock
        self.session: QuizSession | None = None
        self.session_id: int | None = None
        self.certainty: int | None = None
        self.marks: list[Mark] = []
        self.tools_used: set[Tool] = set()
        self.listeners: list[Callable[[], None]] = []
        self.on_finished: list[Callable[[], None]] = []
        #: Asked when the progress file cannot be written (the view's dialog).
        self.on_write_failure: Callable[[str], WriteChoice] = lambda _text: None
        self._unsaved: list[Answer] = []  # timeouts recorded but not yet stored
        self._prompting = False  # a write-failure prompt is open: the tick waits
        self._clock_saved_at = -math.inf

    # --- starting ------------------------------------------------------------------------
    def start(self, spec: QuizSpec, quizset_json: str | None = None) -> None:
        """Start ``spec``; ``quizset_json`` (the quiz set it comes from) is kept with the
        session so every way it ends writes its results file."""
        missing = [k for k in spec.case_keys if k not in self.dataset]
        if missing:
            raise KeyError(f"{len(missing)} case(s) of the quiz are not in this dataset")
        self.session = QuizSession(spec, self.trainee.name)
        self.session_id = self.store.start_session(self.trainee, spec, self.dataset.name,
                                                   self.dataset.fingerprint,
                                                   quizset_json=quizset_json)
        self.session.start(self.clock())
        self._show_current()

    def resume(self, record: SessionRecord) -> None:
        """Continue a stored session at its first unanswered case, with its saved time."""
        spec = record.spec
        stored = [s.answer for s in self.store.attempts(session_id=record.id)]
        self.session = QuizSession.restore(spec, self.trainee.name, stored, self.clock(),
                                           clock=record.clock)
        self.session_id = record.id
        self._store_timeouts()  # cases whose time ran out while the app was away
        if self.session.done:
            self._finish()
            return
        if self.session.state is SessionState.PAUSED:
            self.session.resume(self.clock())
        if self.session.state is SessionState.FEEDBACK:
            self._show_current(feedback=True)
            return
        self._show_current()

    @property
    def active(self) -> bool:
        return (self.session is not None and not self.session.done
                and self.session.state is not SessionState.NOT_STARTED)

    @property
    def hides_labels(self) -> bool:
        """True while any case of the running quiz still has its label hidden."""
        s = self.session
        return s is not None and not s.done

    def allows(self, tool: Tool) -> bool:
        return self.session is None or tool in self.session.spec.tools_allowed

    def note_tool(self, tool: Tool) -> None:
        self.tools_used.add(tool)

    # --- answering -----------------------------------------------------------------------
    def set_certainty(self, certainty: int) -> None:
        if certainty not in CERTAINTY_LEVELS:
            raise ValueError(certainty)
        self.certainty = certainty
        self._changed()

    def step_certainty(self, delta: int) -> None:
        current = self.certainty if self.certainty is not None else 70
        i = min(max(CERTAINTY_LEVELS.index(current) + delta, 0), len(CERTAINTY_LEVELS) - 1)
        self.set_certainty(CERTAINTY_LEVELS[i])

    def toggle_mark(self, projection: Projection, x: float, y: float, radius: float = 12) -> None:
        """A click adds a mark on a suspicious spot; a click on a mark removes it."""
        for m in self.marks:
            if m[0] is projection and (m[1] - x) ** 2 + (m[2] - y) ** 2 <= radius ** 2:
                self.marks.remove(m)
                break
        else:
            self.marks.append((projection, float(x), float(y)))
        self._changed()

    def answer(self, decision: Diagnosis, note: str = "") -> Answer | None:
        """Store the answer durably, then show feedback (practice) or move on (exam).

        The answer's time is taken here, when it was given: one given after the case's
        time ran out leaves that case timed out (and is said so). If the progress file
        cannot be written, nothing moves on: the case stays with its answer filled in,
        and the trainee may retry or move the file to another folder. Returns the stored
        attempt, or None when nothing was stored.
        """
        s = self._session()
        now = self.clock()
        case = self.dataset.case(s.current_case_key)
        practice = s.mode is QuizMode.PRACTICE
        certainty = self.certainty if s.spec.certainty_required or self.certainty is not None \
            else None
        while True:
            try:
                attempt = s.answer(decision, certainty, now, note=note, marks=tuple(self.marks),
                                   tools_used=frozenset(self.tools_used),
                                   persist=lambda a: self._save(a, case, label_shown=practice))
                break
            except TimeRanOut as late:
                self._after_time_ran_out(late)
                return None
            except ProgressFileError as exc:
                if not self._recover_write(exc):
                    self.view.show_message(f"Your answer is NOT saved: {exc}")
                    self._changed()
                    return None
        self._store_timeouts()
        self.save_clock(force=True)
        if practice:
            self._show_current(feedback=True)
        else:
            self.view.show_progress(self.progress())
        self._changed()
        return attempt

    def next(self) -> None:
        s = self._session()
        if s.mode is QuizMode.EXAM and not [p for p in range(s.position + 1, s.total + 1)
                                            if not s.is_closed(p)]:
            self.view.show_message("This is the last case: submit the exam when you are ready.")
            return
        s.next(self.clock())
        if s.state is SessionState.FINISHED:
            self._finish()
        else:
            self._show_current()

    def go_to(self, position: int) -> None:
        s = self._session()
        s.go_to(position, self.clock())
        self._show_current()

    def pause(self) -> None:
        self._session().pause(self.clock())
        self.save_clock(force=True)
        self.view.show_progress(self.progress())
        self._changed()

    def leave(self) -> None:
        """The trainee leaves the quiz screen: the clock stops and the time is saved."""
        s = self.session
        if s is None or s.done or s.state in (SessionState.NOT_STARTED, SessionState.PAUSED):
            return  # a paused quiz saved its time when it was paused
        s.pause(self.clock())
        self._store_timeouts()
        self.save_clock(force=True)

    def abandon(self) -> None:
        """Give the quiz up: answers locked as given, the session closed as abandoned."""
        s = self._session()
        s.abandon(self.clock())
        self._store_timeouts()
        self._finish()

    def save_clock(self, force: bool = False) -> None:
        """Save the time used (at most every ``CLOCK_SAVE_S`` unless ``force``)."""
        s = self.session
        if s is None or self.session_id is None or s.done or s.state is SessionState.NOT_STARTED:
            return
        now = self.clock()
        if not force and now - self._clock_saved_at < CLOCK_SAVE_S:
            return
        try:
            self.store.save_clock(self.session_id, s.clock(now))
            self._clock_saved_at = now
        except ProgressFileError as exc:  # not an answer: the next save tries again
            log.warning("The time used could not be saved: %s", exc)

    def resume_paused(self) -> None:
        self._session().resume(self.clock())
        self.view.show_progress(self.progress())
        self._changed()

    @property
    def can_submit(self) -> bool:
        s = self.session
        return (s is not None and s.mode is QuizMode.EXAM
                and s.state in (SessionState.SHOWING, SessionState.PAUSED))

    def submit(self) -> None:
        """Lock the exam's answers; an exam already submitted stays as it is."""
        if not self.can_submit:
            self.view.show_message("This exam is already submitted; its answers are locked.")
            return
        s = self._session()
        s.submit(self.clock())
        self._finish()

    def tick(self) -> None:
        """Called every second by the screen: time limits, and the clocks shown."""
        s = self.session
        if s is None or self._prompting or s.done:
            return
        before = s.position
        s.tick(self.clock())
        self._store_timeouts()
        self.save_clock()
        self._show_after_time(before)

    # --- what the view gets --------------------------------------------------------------
    def progress(self) -> Progress:
        s = self._session()
        now = self.clock()
        case = self.dataset.case(s.current_case_key)
        lines = quiz_clinical_lines(case.clinical) if s.spec.show_clinical else ()
        return Progress(
            alias=s.current_alias, position=s.position, total=s.total,
            answered=len([a for a in s.attempts if a.decision is not None or a.timed_out]),
            mode=s.mode, state=s.state, clinical_lines=lines,
            remaining_case_s=s.remaining_case_s(now), remaining_total_s=s.remaining_total_s(now),
            elapsed_case_s=s.time_on_case_s(now), current=s.attempt_at(s.position))

    def feedback_for(self, attempt: Answer) -> Feedback:
        s = self._session()
        if not s.is_label_revealed(attempt.case_key):
            raise PermissionError("this case's label is still hidden")
        case = self.dataset.case(attempt.case_key)
        return Feedback(alias=f"Case {attempt.position} of {s.total}",
                        answer=attempt.with_truth(case.diagnosis), clinical=case.clinical)

    def running_score(self) -> str:
        s = self._session()
        done = [a for a in s.attempts if s.is_label_revealed(a.case_key)]
        right = sum(a.with_truth(self.dataset.case(a.case_key).diagnosis).correct for a in done)
        return f"Score so far: {right} of {len(done)} correct"

    def end_of_session(self) -> EndOfSession:
        s = self._session()
        feedback = tuple(self.feedback_for(a) for a in s.attempts)
        answers = [f.answer for f in feedback]
        return EndOfSession(
            title=s.spec.title, mode=s.mode, summary=summary(answers),
            total_time_s=sum(a.time_on_case_s for a in answers),
            missed=tuple(f for f in feedback if not f.answer.correct), feedback=feedback)

    # --- internals -----------------------------------------------------------------------
    _last_shown_feedback: int | None = None

    def _session(self) -> QuizSession:
        if self.session is None:
            raise RuntimeError("no quiz is running")
        return self.session

    def _show_current(self, feedback: bool = False) -> None:
        s = self._session()
        case = self.dataset.case(s.current_case_key)
        if not feedback:
            self.certainty = None
            self.marks = []
            self.tools_used = set()
            current = s.attempt_at(s.position)
            if current is not None and current.decision is not None:  # exam: earlier answer
                self.certainty = current.certainty
                self.marks = list(current.marks)
        self.view.show_case(case, self.progress())
        if feedback:
            attempt = s.attempt_at(s.position)
            if attempt is not None:
                self._last_shown_feedback = s.position
                self.view.show_feedback(self.feedback_for(attempt), self.running_score())
        self._changed()

    def _show_after_time(self, before: int) -> None:
        """Bring the screen up to date after the clock moved (timeouts, auto-submit)."""
        s = self._session()
        if s.done:
            self._finish()
        elif s.state is SessionState.FEEDBACK and self._last_shown_feedback != s.position:
            self._show_current(feedback=True)
        elif s.position != before:
            self._show_current()
        else:
            self.view.show_progress(self.progress())

    def _after_time_ran_out(self, late: TimeRanOut) -> None:
        s = self._session()
        before = late.attempt.position if late.attempt is not None else s.position
        self._store_timeouts()
        self._show_after_time(before)
        if late.attempt is not None:
            self.view.show_message(f"Time for Case {late.attempt.position} of {s.total} ran out "
                                   "before your answer; it is recorded as timed out.")

    def _store_timeouts(self) -> None:
        """Store the timeouts the session recorded; keep any that cannot be written yet."""
        s = self._session()
        self._unsaved += s.tick(self.clock()) if s.state is not SessionState.NOT_STARTED else ()
        while self._unsaved:
            attempt = self._unsaved[0]
            case = self.dataset.case(attempt.case_key)
            try:
                self._save(attempt, case, label_shown=s.mode is QuizMode.PRACTICE)
            except ProgressFileError as exc:
                if not self._recover_write(exc):
                    self.view.show_message(f"A timed-out case is NOT saved yet: {exc}")
                    return
                continue
            self._unsaved.pop(0)

    def _recover_write(self, exc: ProgressFileError) -> bool:
        """Ask the trainee what to do about a failed write; True to try again."""
        self._prompting = True
        try:
            choice = self.on_write_failure(str(exc))
            if isinstance(choice, Path):
                try:
                    self.store.relocate(choice)
                except ProgressFileError as moved:
                    self.view.show_message(str(moved))
                    return True  # asked again on the next failure
            return choice is not None
        finally:
            self._prompting = False

    def _save(self, attempt: Answer, case: Case, label_shown: bool) -> None:
        """One transaction: the answer and, once its label is shown, its review card."""
        assert self.session_id is not None
        card = self._next_card(attempt, case) if label_shown else None
        self.store.record_attempt(self.session_id, attempt, case.diagnosis,
                                  self.dataset.fingerprint, label_shown=label_shown,
                                  review_card=card)

    def _next_card(self, attempt: Answer, case: Case) -> str | None:
        correct = attempt.with_truth(case.diagnosis).correct
        when = dt.datetime.fromtimestamp(attempt.answered_at, dt.UTC)
        return review.review(self.store.review_card(self.trainee, case.key), correct,
                             attempt.certainty, when)

    def _finish(self) -> None:
        s = self._session()
        assert self.session_id is not None
        record = self.store.session(self.session_id)
        if record.finished is None:
            submitted = s.state is SessionState.SUBMITTED
            self.store.finish_session(self.session_id, submitted=submitted,
                                      abandoned=s.state is SessionState.ABANDONED)
            if submitted:
                for a in s.attempts:
                    if a.decision is not None or a.timed_out:
                        case = self.dataset.case(a.case_key)
                        card = self._next_card(a, case)
                        if card is not None:
                            self.store.put_review_card(self.trainee, case.key, card)
        if s.state is SessionState.ABANDONED:
            self.view.show_message("The quiz was abandoned; your answers are kept as given.")
        else:
            self.view.show_end(self.end_of_session())
        for callback in self.on_finished:
            callback()
        self._changed()

    def _changed(self) -> None:
        for listener in self.listeners:
            listener()
