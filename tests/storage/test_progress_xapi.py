"""The progress file queues each record's xAPI statements in the record's own transaction."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from bonescan_tutor import __version__
from bonescan_tutor.core import xapi
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.quiz import QuizMode
from bonescan_tutor.storage import outbox
from bonescan_tutor.storage.progress import ProgressStore, StatementOptions, Trainee
from tests.storage.instructor_data import quiz_set
from tests.storage.test_progress import M, N, attempt, build_v1, spec

HOME = "https://residency.example.org"


@pytest.fixture
def store(tmp_path: Path):
    with ProgressStore.open(tmp_path / "progress.sqlite3") as s:
        s.statements = StatementOptions(home_page=HOME)
        yield s


@pytest.fixture
def ana(store: ProgressStore) -> Trainee:
    return store.get_or_create_trainee("Ana Rivas")


def queued(store: ProgressStore) -> list[dict]:
    """The outbox's statements, oldest first, as they will be sent."""
    return [w.body for w in outbox.oldest(store._conn, 10_000)]


def verbs(bodies: list[dict]) -> list[str]:
    return [b["verb"]["display"]["en-US"] for b in bodies]


def answers(bodies: list[dict]) -> list[Answer]:
    return [xapi.answer_from_statement(b).answer for b in bodies
            if b["verb"]["id"] == xapi.Verb.ANSWERED.iri]


def quizset_json(mode: QuizMode, pass_mark: float | None = None) -> tuple[str, str]:
    qs = replace(quiz_set(keys=("1", "2", "3", "4"), mode=mode), pass_mark=pass_mark)
    return json.dumps(qs.to_dict(), sort_keys=True), qs.fingerprint


def test_practice_answers_queue_one_statement_each_with_the_session_context(
    store: ProgressStore, ana: Trainee
) -> None:
    text, fingerprint = quizset_json(QuizMode.PRACTICE)
    sid = store.start_session(ana, spec(), "demo", "fp-9", started=50.0, quizset_json=text)
    registration = store.session(sid).registration
    assert registration is not None and uuid.UUID(registration)
    assert verbs(queued(store)) == ["attempted"]
    store.record_attempt(sid, attempt("1", 1, at=100.0), M, "fp-9", label_shown=True)
    store.record_attempt(sid, attempt("2", 2, at=110.0, decision=N), M, "fp-9", label_shown=True)
    bodies = queued(store)
    assert verbs(bodies) == ["attempted", "answered", "answered"]
    assert {b["context"]["registration"] for b in bodies} == {registration}
    got = answers(bodies)
    assert [(a.case_key, a.decision, a.answered_at) for a in got] == [("1", M, 100.0), ("2", N, 110.0)]
    assert [b["result"]["success"] for b in bodies[1:]] == [True, False]
    first = bodies[1]
    assert first["actor"] == {
        "objectType": "Agent",
        "name": "Ana Rivas",
        "account": {"homePage": HOME, "name": "Ana Rivas"},
    }
    ext = first["context"]["extensions"]
    assert ext[xapi.EXT_QUIZ_SET_ID] == "quiz-1" and ext[xapi.EXT_QUIZ_SET_TITLE] == "Week 1"
    assert ext[xapi.EXT_QUIZ_SET_FINGERPRINT] == fingerprint
    assert ext[xapi.EXT_DATASET_FINGERPRINT] == "fp-9"
    assert ext[xapi.EXT_APP_VERSION] == __version__
    assert store.waiting_statements() == {"Ana Rivas": 3}


def test_an_ad_hoc_quiz_is_named_by_its_spec(store: ProgressStore, ana: Trainee) -> None:
    store.start_session(ana, spec(), "demo", "fp")
    ext = queued(store)[0]["context"]["extensions"]
    assert ext[xapi.EXT_QUIZ_SET_ID] == "quiz-practice" and ext[xapi.EXT_QUIZ_SET_FINGERPRINT] == ""
    assert queued(store)[0]["object"]["definition"]["name"] == {"en-US": "Week 1"}


def test_the_os_user_is_never_sent(
    store: ProgressStore, ana: Trainee, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "labpc-user-7")
    sid = store.start_session(ana, spec(), "demo", "fp")
    store.record_attempt(sid, attempt("1", 1), M, "fp", label_shown=True)
    assert "labpc-user-7" not in json.dumps(queued(store))
    assert {b["actor"]["account"]["name"] for b in queued(store)} == {"Ana Rivas"}


def test_the_default_home_page_when_none_is_configured(tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path / "p.sqlite3") as s:
        s.statements = StatementOptions()
        s.start_session(s.get_or_create_trainee("Bo"), spec(), "demo", "fp")
        assert queued(s)[0]["actor"]["account"]["homePage"] == xapi.DEFAULT_HOME_PAGE


def test_nothing_is_queued_while_no_lrs_is_configured_nor_sent_later(tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path / "p.sqlite3") as s:
        ana = s.get_or_create_trainee("Ana")
        sid = s.start_session(ana, spec(), "demo", "fp")
        s.record_attempt(sid, attempt("1", 1), M, "fp", label_shown=True)
        assert queued(s) == [] and s.waiting_statements() == {}
        s.statements = StatementOptions()  # an LRS configured now: only what follows
        s.record_attempt(sid, attempt("2", 2, at=200.0), M, "fp", label_shown=True)
        s.statements = None
        s.record_attempt(sid, attempt("3", 3, at=300.0), M, "fp", label_shown=True)
        assert [a.case_key for a in answers(queued(s))] == ["2"]


def test_an_exams_answers_queue_nothing_until_it_is_submitted(
    store: ProgressStore, ana: Trainee
) -> None:
    text, _ = quizset_json(QuizMode.EXAM, pass_mark=0.5)
    sid = store.start_session(ana, spec(QuizMode.EXAM, n=4), "demo", "fp", quizset_json=text)
    store.record_attempt(sid, attempt("1", 1, at=100.0), M, "fp")
    store.record_attempt(sid, attempt("2", 2, at=110.0), N, "fp")
    store.record_attempt(sid, attempt("2", 2, at=120.0, decision=N, certainty=60), N, "fp")
    store.record_attempt(sid, attempt("3", 3, at=130.0, decision=None, certainty=None,
                                      timed_out=True), M, "fp")
    assert verbs(queued(store)) == ["attempted"]  # nothing the exam lock hides
    store.finish_session(sid, submitted=True, finished=200.0)
    bodies = queued(store)
    assert verbs(bodies) == ["attempted", "answered", "answered", "answered", "completed", "passed"]
    got = answers(bodies)
    assert [(a.case_key, a.decision, a.certainty) for a in got] == [
        ("1", M, 80), ("2", N, 60), ("3", None, None)]  # the final answers, one per case
    completed = bodies[4]["result"]
    assert completed["score"] == {"raw": 2, "min": 0, "max": 4, "scaled": 0.5}
    assert completed["duration"] == "PT12S" and bodies[5]["result"]["success"] is True
    assert bodies[5]["timestamp"] == xapi.timestamp(200.0)


def test_below_the_pass_mark_is_failed(store: ProgressStore, ana: Trainee) -> None:
    text, _ = quizset_json(QuizMode.EXAM, pass_mark=0.75)
    sid = store.start_session(ana, spec(QuizMode.EXAM, n=4), "demo", "fp", quizset_json=text)
    for k, truth in (("1", M), ("2", M), ("3", N)):  # 2 of 4 right, one case unanswered
        store.record_attempt(sid, attempt(k, int(k), at=100.0 + int(k)), truth, "fp")
    store.finish_session(sid, submitted=True)
    bodies = queued(store)
    assert verbs(bodies)[-2:] == ["completed", "failed"]
    assert bodies[-1]["result"]["score"]["scaled"] == 0.5
    assert bodies[-1]["result"]["success"] is False


def test_without_a_pass_mark_only_completed(store: ProgressStore, ana: Trainee) -> None:
    text, _ = quizset_json(QuizMode.EXAM)
    sid = store.start_session(ana, spec(QuizMode.EXAM, n=4), "demo", "fp", quizset_json=text)
    store.record_attempt(sid, attempt("1", 1), M, "fp")
    store.finish_session(sid, submitted=True)
    assert verbs(queued(store)) == ["attempted", "answered", "completed"]


def test_an_abandoned_exam_sends_its_answers_as_given_and_no_completed(
    store: ProgressStore, ana: Trainee
) -> None:
    text, _ = quizset_json(QuizMode.EXAM, pass_mark=0.5)
    sid = store.start_session(ana, spec(QuizMode.EXAM, n=4), "demo", "fp", quizset_json=text)
    store.record_attempt(sid, attempt("1", 1), M, "fp")
    assert verbs(queued(store)) == ["attempted"]
    store.finish_session(sid, submitted=False, abandoned=True)
    assert verbs(queued(store)) == ["attempted", "answered"]


def test_a_practice_quiz_answered_to_its_end_is_completed(
    store: ProgressStore, ana: Trainee
) -> None:
    text, _ = quizset_json(QuizMode.PRACTICE, pass_mark=0.5)
    sid = store.start_session(ana, spec(n=2), "demo", "fp", quizset_json=text)
    store.record_attempt(sid, attempt("1", 1), M, "fp", label_shown=True)
    store.record_attempt(sid, attempt("2", 2, at=101.0), M, "fp", label_shown=True)
    store.finish_session(sid, submitted=False)
    assert verbs(queued(store)) == ["attempted", "answered", "answered", "completed", "passed"]
    abandoned = store.start_session(ana, spec(n=2), "demo", "fp", quizset_json=text)
    store.record_attempt(abandoned, attempt("1", 1), N, "fp", label_shown=True)
    store.finish_session(abandoned, submitted=False, abandoned=True)
    assert verbs(queued(store))[5:] == ["attempted", "answered"]  # nothing more at the end


def test_the_statement_is_in_the_answers_transaction(store: ProgressStore, ana: Trainee) -> None:
    """A statement that cannot be queued takes its answer down with it, and vice versa."""
    sid = store.start_session(ana, spec(), "demo", "fp")
    store._conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON xapi_outbox BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        store.record_attempt(sid, attempt("1", 1), M, "fp", label_shown=True)
    assert store.attempts(session_id=sid) == []
    store._conn.execute("DROP TRIGGER refuse")
    store.finish_session(sid, submitted=False)
    with pytest.raises(UsageError, match="locked"):  # a refused answer queues nothing
        store.record_attempt(sid, attempt("2", 2), M, "fp", label_shown=True)
    assert verbs(queued(store)) == ["attempted", "completed"]


def test_on_queued_is_called_after_each_commit_that_queued(
    store: ProgressStore, ana: Trainee
) -> None:
    calls: list[int] = []
    store.on_queued = lambda: calls.append(len(queued(store)))  # the commit is visible
    sid = store.start_session(ana, spec(QuizMode.EXAM, n=2), "demo", "fp")
    store.record_attempt(sid, attempt("1", 1), M, "fp")  # exam: nothing queued, no call
    store.finish_session(sid, submitted=True)
    assert calls == [1, 3]


def test_a_v3_file_gets_registrations_and_an_outbox(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    build_v1(db)
    raw = sqlite3.connect(db)
    for version in (1, 2):
        from bonescan_tutor.storage import progress_schema

        progress_schema.MIGRATIONS[version](raw)
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()
    with ProgressStore.open(db) as s:
        regs = [s.session(i).registration for i in (1, 2, 3)]
        assert all(r and uuid.UUID(r) for r in regs) and len(set(regs)) == 3
        assert s.waiting_statements() == {}
        s.statements = StatementOptions()
        s.record_attempt(3, attempt("9", 4), M, "fp")  # an old unfinished exam
        s.finish_session(3, submitted=True)
        bodies = queued(s)
        assert {b["context"]["registration"] for b in bodies} == {regs[2]}
        assert verbs(bodies) == ["answered"] * 4 + ["completed"]
