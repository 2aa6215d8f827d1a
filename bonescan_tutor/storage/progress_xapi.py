"""The xAPI statements the progress file queues, each with what it describes.

``ProgressStore`` calls these inside the write transaction of the record the
statements describe, so a statement exists exactly when its record does:

- a quiz starts (``start_session``): ``attempted``;
- a practice answer or timeout (``record_attempt``): its ``answered`` statement;
- an exam's answers make none while it runs (nothing reaches the LRS that the exam
  lock hides on screen); its submission (``finish_session``) makes one ``answered``
  per answered or timed-out case with the final answer, then ``completed`` and, when
  the quiz set has a pass mark, ``passed`` or ``failed``;
- an abandoned exam makes the ``answered`` statements of its answers as given and no
  ``completed`` (a registration without one reads back as incomplete);
- a practice quiz answered to its end makes ``completed`` (and ``passed``/``failed``).

Statements are queued only while the store's ``statements`` options are set, which the
app does while a Learning Record Store is configured: records made before one was
configured are never sent to it later. The score of ``completed`` counts every case of
the quiz; a case left unanswered is not right.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from bonescan_tutor import __version__
from bonescan_tutor.core import xapi
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.quiz import QuizMode
from bonescan_tutor.storage.progress_records import ATTEMPT_COLUMNS, attempt_from_row


@dataclass(frozen=True)
class StatementOptions:
    """Set on a ``ProgressStore`` while an LRS is configured: what every statement says
    of who made it (the trainee's account on ``home_page``) and with which app."""

    home_page: str = xapi.DEFAULT_HOME_PAGE
    app_version: str = __version__


@dataclass(frozen=True)
class SessionFacts:
    """What the statements of one stored quiz session share."""

    actor: xapi.Actor
    context: xapi.QuizContext
    pass_mark: float | None
    cases: int


_FACTS_SQL = """SELECT s.registration, s.quiz_id, s.quiz_title, s.mode, s.dataset_fingerprint,
    s.quizset_json, s.spec_json, t.name FROM sessions s JOIN trainees t ON t.id = s.trainee_id
    WHERE s.id = ?"""


def session_facts(
    conn: sqlite3.Connection, session_id: int, options: StatementOptions
) -> SessionFacts | None:
    """The actor and context of a session's statements; None for an unknown session."""
    row = conn.execute(_FACTS_SQL, (session_id,)).fetchone()
    if row is None or not row[0]:
        return None
    registration, quiz_id, title, mode, dataset_fp, quizset_json, spec_json, name = row
    set_fingerprint, pass_mark = "", None
    if quizset_json:
        from bonescan_tutor.storage.quizsets import quizset_from_dict  # with the first statement

        try:
            quiz_set = quizset_from_dict(json.loads(quizset_json), "the stored quiz set")
        except (ValueError, BonescanError):
            pass  # written by this app; unreadable only if damaged: the spec's id still names it
        else:
            quiz_id, title = quiz_set.id, quiz_set.title
            set_fingerprint, pass_mark = quiz_set.fingerprint, quiz_set.pass_mark
    context = xapi.QuizContext(
        registration=registration,
        quiz_set_id=quiz_id,
        quiz_set_title=title,
        quiz_set_fingerprint=set_fingerprint,
        dataset_fingerprint=dataset_fp,
        app_version=options.app_version,
        mode=QuizMode(mode),
    )
    cases = len(json.loads(spec_json).get("case_keys", ()))
    return SessionFacts(xapi.Actor(name, options.home_page), context, pass_mark, cases)


def started(facts: SessionFacts, when: float) -> list[xapi.Statement]:
    return [xapi.started(facts.actor, facts.context, when)]


def answered(facts: SessionFacts, answer: Answer, truth: Diagnosis) -> list[xapi.Statement]:
    """A practice answer's statement; none for an exam's while it runs."""
    if facts.context.mode is not QuizMode.PRACTICE:
        return []
    return [xapi.statement_for(answer.with_truth(truth), facts.actor, facts.context)]


def closing(
    conn: sqlite3.Connection,
    facts: SessionFacts,
    session_id: int,
    when: float,
    *,
    abandoned: bool,
) -> list[xapi.Statement]:
    """The statements of a session's end (see the module's list), in the order made."""
    rows = conn.execute(
        f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE session_id = ? ORDER BY position, id",
        (session_id,),
    ).fetchall()
    stored = [attempt_from_row(tuple(r)) for r in rows]
    made: list[xapi.Statement] = []
    if facts.context.mode is QuizMode.EXAM:
        made += [xapi.statement_for(s.answer, facts.actor, facts.context) for s in stored]
    if abandoned:
        return made
    correct = sum(s.answer.correct for s in stored)
    return made + xapi.finished(
        facts.actor,
        facts.context,
        when,
        correct=correct,
        cases=max(facts.cases, len(stored)),
        duration_s=sum(s.answer.time_on_case_s for s in stored),
        pass_mark=facts.pass_mark,
    )
