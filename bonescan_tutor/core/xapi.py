"""The app's xAPI 1.0.3 statements, as typed values (no I/O).

The profile (verbs, activity ids, extensions) is documented in
``resources/formats/xapi.md``. Every statement is made here once, with a random UUID
fixed at creation and stored with it in the outbox, so sending it again after a lost
reply is harmless: a Learning Record Store keeps one statement per id.

The actor is the trainee's name with an account on the program's home page
(``DEFAULT_HOME_PAGE`` unless configured), never the operating-system user. Activity
ids are stable IRIs: a case is named by the dataset fingerprint and its key, a quiz
by its quiz set id, so statements of the same case or quiz from any computer match.

``statement_for`` makes the ``answered`` statement of a ``core.answers.Answer``;
``answer_from_statement`` reads one back (for the cohort), and raises ``XapiError``
naming what is wrong with one that does not follow the profile.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.errors import BonescanError
from bonescan_tutor.core.quiz import QuizMode

XAPI_VERSION = "1.0.3"
DEFAULT_HOME_PAGE = "https://bonescan-tutor.invalid"
"""Where trainee accounts live when the program names no home page of its own."""

PROFILE = "https://bonescan-tutor.invalid/xapi"
ACTIVITY_BASE = f"{PROFILE}/activities"
EXTENSION_BASE = f"{PROFILE}/extensions"
CASE_ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"
QUIZ_ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/assessment"


def extension(name: str) -> str:
    """The IRI of one of the profile's extensions (``certainty``, ``marks``, ...)."""
    return f"{EXTENSION_BASE}/{name}"


EXT_CERTAINTY = extension("certainty")
EXT_MARKS = extension("marks")
EXT_TIMED_OUT = extension("timed-out")
EXT_NOTE = extension("note")
EXT_CASE_KEY = extension("case-key")
EXT_POSITION = extension("position")
EXT_QUIZ_SET_ID = extension("quiz-set-id")
EXT_QUIZ_SET_TITLE = extension("quiz-set-title")
EXT_QUIZ_SET_FINGERPRINT = extension("quiz-set-fingerprint")
EXT_DATASET_FINGERPRINT = extension("dataset-fingerprint")
EXT_APP_VERSION = extension("app-version")
EXT_MODE = extension("mode")


class XapiError(BonescanError):
    """A statement that does not follow the app's xAPI profile; the message says why."""


class Verb(enum.Enum):
    """The profile's verbs (ADL vocabulary)."""

    ANSWERED = "answered"
    ATTEMPTED = "attempted"
    COMPLETED = "completed"
    PASSED = "passed"
    FAILED = "failed"

    @property
    def iri(self) -> str:
        return f"http://adlnet.gov/expapi/verbs/{self.value}"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.iri, "display": {"en-US": self.value}}


@dataclass(frozen=True)
class Actor:
    """The trainee: their name, as an account on the program's home page."""

    name: str
    home_page: str = DEFAULT_HOME_PAGE

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise XapiError("a statement needs the trainee's name; it is empty")

    def as_dict(self) -> dict[str, Any]:
        return {
            "objectType": "Agent",
            "name": self.name,
            "account": {"homePage": self.home_page, "name": self.name.strip()},
        }


@dataclass(frozen=True)
class QuizContext:
    """What every statement of one quiz session carries; ``registration`` is the
    session's UUID."""

    registration: str
    quiz_set_id: str
    quiz_set_title: str
    quiz_set_fingerprint: str
    dataset_fingerprint: str
    app_version: str
    mode: QuizMode

    def __post_init__(self) -> None:
        try:
            uuid.UUID(self.registration)
        except ValueError as exc:
            raise XapiError(
                f"a quiz session's registration must be a UUID, not {self.registration!r}"
            ) from exc

    @property
    def quiz_activity_id(self) -> str:
        return quiz_activity_id(self.quiz_set_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "registration": self.registration,
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": self.quiz_activity_id}]
            },
            "extensions": {
                EXT_QUIZ_SET_ID: self.quiz_set_id,
                EXT_QUIZ_SET_TITLE: self.quiz_set_title,
                EXT_QUIZ_SET_FINGERPRINT: self.quiz_set_fingerprint,
                EXT_DATASET_FINGERPRINT: self.dataset_fingerprint,
                EXT_APP_VERSION: self.app_version,
                EXT_MODE: self.mode.value,
            },
        }


def case_activity_id(dataset_fingerprint: str, case_key: str) -> str:
    """The stable IRI of one case of one dataset version."""
    return f"{ACTIVITY_BASE}/dataset/{quote(dataset_fingerprint, safe='')}/case/" + quote(
        case_key, safe=""
    )


def quiz_activity_id(quiz_set_id: str) -> str:
    """The stable IRI of a quiz set (the same for every version of the set)."""
    return f"{ACTIVITY_BASE}/quiz-set/{quote(quiz_set_id, safe='')}"


def iso_duration(seconds: float) -> str:
    """``seconds`` as an ISO 8601 duration, to the hundredth: 12.5 -> ``PT12.5S``."""
    if not math.isfinite(seconds) or seconds < 0:
        seconds = 0.0
    text = f"{round(seconds, 2):.2f}".rstrip("0").rstrip(".")
    return f"PT{text}S"


_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> float:
    """Seconds of an ISO 8601 duration of days, hours, minutes and seconds."""
    m = _DURATION.match(text)
    if m is None or text in ("P", "PT"):
        raise XapiError(f"{text!r} is not an ISO 8601 duration such as PT12.5S")
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def timestamp(epoch_s: float) -> str:
    """Epoch seconds as an ISO 8601 UTC timestamp (milliseconds), as xAPI wants it."""
    when = dt.datetime.fromtimestamp(epoch_s, dt.UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch(stamp: str) -> float:
    """An ISO 8601 timestamp as epoch seconds (UTC when it names no zone)."""
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError as exc:
        raise XapiError(f"{stamp!r} is not an ISO 8601 timestamp") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


@dataclass(frozen=True)
class Statement:
    """One xAPI statement; ``id`` is fixed when it is made, ``as_dict`` is what is sent."""

    id: str
    actor: Actor
    verb: Verb
    object_id: str
    object_type: str
    object_name: str
    context: QuizContext
    timestamp: str
    result: Mapping[str, Any] = field(default_factory=dict)

    @property
    def trainee(self) -> str:
        return self.actor.name

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "actor": self.actor.as_dict(),
            "verb": self.verb.as_dict(),
            "object": {
                "objectType": "Activity",
                "id": self.object_id,
                "definition": {
                    "type": self.object_type,
                    "name": {"en-US": self.object_name},
                },
            },
            "context": self.context.as_dict(),
            "timestamp": self.timestamp,
            "version": XAPI_VERSION,
        }
        if self.result:
            body["result"] = dict(self.result)
        return body


def _new_id() -> str:
    return str(uuid.uuid4())


def statement_for(answer: Answer, actor: Actor, context: QuizContext) -> Statement:
    """The ``answered`` statement of one answer (or timeout), which must carry its label
    (``Answer.truth``): success, response, duration, certainty, marks, note, case key and
    position. ``answer_from_statement`` reads it back."""
    if answer.truth is None:
        raise XapiError(f"the answer to case {answer.case_key} has no label to score it by")
    result: dict[str, Any] = {
        "success": answer.correct,
        "duration": iso_duration(answer.time_on_case_s),
        "extensions": {
            EXT_CERTAINTY: answer.certainty,
            EXT_MARKS: [[p.value, x, y] for p, x, y in answer.marks],
            EXT_TIMED_OUT: answer.timed_out,
            EXT_NOTE: answer.note,
            EXT_CASE_KEY: answer.case_key,
            EXT_POSITION: answer.position,
        },
    }
    if answer.decision is not None:
        result["response"] = answer.decision.value
    return Statement(
        id=_new_id(),
        actor=actor,
        verb=Verb.ANSWERED,
        object_id=case_activity_id(context.dataset_fingerprint, answer.case_key),
        object_type=CASE_ACTIVITY_TYPE,
        object_name=f"Case {answer.case_key}",
        context=context,
        timestamp=timestamp(answer.answered_at),
        result=result,
    )


def _quiz_statement(
    verb: Verb, actor: Actor, context: QuizContext, when: float, result: dict[str, Any]
) -> Statement:
    return Statement(
        id=_new_id(),
        actor=actor,
        verb=verb,
        object_id=context.quiz_activity_id,
        object_type=QUIZ_ACTIVITY_TYPE,
        object_name=context.quiz_set_title,
        context=context,
        timestamp=timestamp(when),
        result=result,
    )


def started(actor: Actor, context: QuizContext, when: float) -> Statement:
    """``attempted``: the trainee started the quiz."""
    return _quiz_statement(Verb.ATTEMPTED, actor, context, when, {})


def finished(
    actor: Actor,
    context: QuizContext,
    when: float,
    *,
    correct: int,
    cases: int,
    duration_s: float,
    pass_mark: float | None = None,
) -> list[Statement]:
    """``completed`` with the score (correct of ``cases``) and, when the set defines a
    pass mark (a fraction of cases correct), ``passed`` or ``failed`` too."""
    if cases < 0 or not 0 <= correct <= cases:
        raise XapiError(f"a score of {correct} correct of {cases} cases is impossible")
    scaled = correct / cases if cases else 0.0
    result: dict[str, Any] = {
        "completion": True,
        "duration": iso_duration(duration_s),
        "score": {"raw": correct, "min": 0, "max": cases, "scaled": scaled},
    }
    made = [_quiz_statement(Verb.COMPLETED, actor, context, when, result)]
    if pass_mark is not None:
        verb = Verb.PASSED if scaled >= pass_mark else Verb.FAILED
        made.append(
            _quiz_statement(verb, actor, context, when, {**result, "success": verb is Verb.PASSED})
        )
    return made


@dataclass(frozen=True)
class AnsweredStatement:
    """An ``answered`` statement read back: who gave the answer, in which quiz session
    (``context``), and the answer itself (``Answer``, without its label: the reader
    scores it against the dataset it holds)."""

    statement_id: str
    trainee: str
    context: QuizContext
    answer: Answer


def _get(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, Mapping) or key not in obj:
            raise XapiError(f"it has no {'.'.join(keys)}")
        obj = obj[key]
    return obj


def _typed(value: Any, kind: type, what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise XapiError(f"its {what} has the wrong type ({type(value).__name__})")
    return value


_VIEWS = {p.value: p for p in Projection}


def answer_from_statement(body: Any) -> AnsweredStatement:
    """The answer an ``answered`` statement of this profile describes (the inverse of
    ``statement_for``; a mark on a view the app does not have is dropped); ``XapiError``
    (with the statement id) when it does not follow the profile."""
    sid = body.get("id", "?") if isinstance(body, Mapping) else "?"
    try:
        if _get(body, "verb", "id") != Verb.ANSWERED.iri:
            raise XapiError("it is not an 'answered' statement")
        ctx = _get(body, "context", "extensions")
        ext = _get(body, "result", "extensions")
        response = _get(body, "result").get("response")
        decision = None if response is None else Diagnosis(response)
        certainty = ext.get(EXT_CERTAINTY)
        if certainty is not None:
            _typed(certainty, int, "certainty")
        marks = tuple(
            (_VIEWS[str(m[0])], float(m[1]), float(m[2]))
            for m in _typed(ext.get(EXT_MARKS, []), list, "marks")
            if str(m[0]) in _VIEWS
        )
        context = QuizContext(
            registration=_typed(_get(body, "context", "registration"), str, "registration"),
            quiz_set_id=_typed(_get(ctx, EXT_QUIZ_SET_ID), str, "quiz set id"),
            quiz_set_title=_typed(_get(ctx, EXT_QUIZ_SET_TITLE), str, "quiz set title"),
            quiz_set_fingerprint=_typed(
                _get(ctx, EXT_QUIZ_SET_FINGERPRINT), str, "quiz set fingerprint"
            ),
            dataset_fingerprint=_typed(
                _get(ctx, EXT_DATASET_FINGERPRINT), str, "dataset fingerprint"
            ),
            app_version=_typed(_get(ctx, EXT_APP_VERSION), str, "app version"),
            mode=QuizMode(_get(ctx, EXT_MODE)),
        )
        answer = Answer(
            case_key=_typed(_get(ext, EXT_CASE_KEY), str, "case key"),
            position=_typed(_get(ext, EXT_POSITION), int, "position"),
            decision=decision,
            certainty=certainty,
            started_at=None,
            answered_at=epoch(_typed(_get(body, "timestamp"), str, "timestamp")),
            time_on_case_s=parse_duration(_typed(_get(body, "result", "duration"), str, "duration")),
            timed_out=bool(ext.get(EXT_TIMED_OUT, False)),
            note=str(ext.get(EXT_NOTE, "")),
            marks=marks,
        )
        trainee = _typed(_get(body, "actor", "name"), str, "actor name")
        return AnsweredStatement(str(sid), trainee, context, answer)
    except XapiError as exc:
        raise XapiError(f"statement {sid}: {exc}") from None
    except (ValueError, TypeError, IndexError) as exc:
        raise XapiError(f"statement {sid}: a value does not follow the profile ({exc})") from None
