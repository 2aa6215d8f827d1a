"""The app's xAPI statements: their shape, their stable ids, and reading them back."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from bonescan_tutor.core import xapi
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.quiz import QuizMode


def context(registration: str | None = None) -> xapi.QuizContext:
    return xapi.QuizContext(
        registration=registration or str(uuid.uuid4()),
        quiz_set_id="set-1", quiz_set_title="Spine week", quiz_set_fingerprint="f" * 64,
        dataset_fingerprint="d1", app_version="0.9.0", mode=QuizMode.PRACTICE,
    )


def attempt(key: str = "17", decision: Diagnosis | None = Diagnosis.METASTASES) -> Answer:
    return Answer(
        case_key=key, position=3, decision=decision,
        certainty=None if decision is None else 80,
        started_at=1764504000.0, answered_at=1764504012.5, time_on_case_s=12.5,
        note="rib?", marks=((Projection.ANTERIOR, 120.0, 300.5),), timed_out=decision is None,
    )


def test_answered_statement_carries_the_answer_and_its_context() -> None:
    ctx = context()
    s = xapi.statement_for(attempt().with_truth(Diagnosis.NO_METASTASES),
                           xapi.Actor("Ana Rivas", "https://program.example.org"), ctx)
    body = s.as_dict()
    assert uuid.UUID(body["id"]) and body["id"] == s.as_dict()["id"]
    assert body["actor"] == {
        "objectType": "Agent", "name": "Ana Rivas",
        "account": {"homePage": "https://program.example.org", "name": "Ana Rivas"},
    }
    assert body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert body["object"]["id"] == xapi.case_activity_id("d1", "17")
    assert body["result"]["success"] is False
    assert body["result"]["response"] == "metastases"
    assert body["result"]["duration"] == "PT12.5S"
    assert body["result"]["extensions"][xapi.EXT_CERTAINTY] == 80
    assert body["result"]["extensions"][xapi.EXT_MARKS] == [["anterior", 120.0, 300.5]]
    assert body["context"]["registration"] == ctx.registration
    assert body["context"]["extensions"][xapi.EXT_DATASET_FINGERPRINT] == "d1"
    assert body["context"]["extensions"][xapi.EXT_APP_VERSION] == "0.9.0"
    assert body["context"]["contextActivities"]["parent"][0]["id"] == ctx.quiz_activity_id
    assert body["timestamp"] == "2025-11-30T12:00:12.500Z"


def test_each_statement_gets_its_own_id_and_activity_ids_are_stable() -> None:
    ctx, actor = context(), xapi.Actor("Ana")
    a = xapi.statement_for(attempt().with_truth(Diagnosis.METASTASES), actor, ctx)
    b = xapi.statement_for(attempt().with_truth(Diagnosis.METASTASES), actor, ctx)
    assert a.id != b.id and a.object_id == b.object_id
    assert actor.home_page == xapi.DEFAULT_HOME_PAGE
    assert xapi.case_activity_id("d1", "a/b c") != xapi.case_activity_id("d1", "a/b%20c")
    assert xapi.case_activity_id("d1", "17") != xapi.case_activity_id("d2", "17")


def test_answered_statement_reads_back_as_the_same_answer() -> None:
    ctx = context()
    for a in (attempt(), attempt("9", None)):
        statement = xapi.statement_for(a.with_truth(Diagnosis.METASTASES), xapi.Actor("Ana"), ctx)
        body = statement.as_dict()
        back = xapi.answer_from_statement(body)
        assert back.answer == replace(a, started_at=None)  # statements carry no start
        assert (back.trainee, back.context) == ("Ana", ctx)


def test_a_statement_needs_the_label_of_its_answer() -> None:
    with pytest.raises(xapi.XapiError, match="case 17 has no label"):
        xapi.statement_for(attempt(), xapi.Actor("Ana"), context())


def test_quiz_statements_score_and_pass_mark() -> None:
    ctx, actor = context(), xapi.Actor("Ana")
    assert xapi.started(actor, ctx, 1764504000.0).verb is xapi.Verb.ATTEMPTED
    done = xapi.finished(actor, ctx, 1764504100.0, correct=7, cases=10, duration_s=100)
    assert [s.verb for s in done] == [xapi.Verb.COMPLETED]
    assert done[0].result["score"] == {"raw": 7, "min": 0, "max": 10, "scaled": 0.7}
    passed = xapi.finished(actor, ctx, 1.0, correct=7, cases=10, duration_s=1, pass_mark=0.7)
    failed = xapi.finished(actor, ctx, 1.0, correct=6, cases=10, duration_s=1, pass_mark=0.7)
    assert passed[1].verb is xapi.Verb.PASSED and failed[1].verb is xapi.Verb.FAILED
    assert passed[1].result["success"] is True and failed[1].result["success"] is False
    with pytest.raises(xapi.XapiError, match="impossible"):
        xapi.finished(actor, ctx, 1.0, correct=11, cases=10, duration_s=1)


@pytest.mark.parametrize(
    ("text", "seconds"), [("PT12.5S", 12.5), ("PT1M", 60.0), ("P1DT1H", 90000.0), ("PT0S", 0.0)]
)
def test_durations(text: str, seconds: float) -> None:
    assert xapi.parse_duration(text) == seconds


def test_bad_input_is_named() -> None:
    with pytest.raises(xapi.XapiError, match="UUID"):
        context("session-1")
    with pytest.raises(xapi.XapiError, match="name"):
        xapi.Actor("  ")
    with pytest.raises(xapi.XapiError, match="duration"):
        xapi.parse_duration("12 s")
    answer = attempt().with_truth(Diagnosis.METASTASES)
    body = xapi.statement_for(answer, xapi.Actor("Ana"), context()).as_dict()
    body["result"]["extensions"][xapi.EXT_CERTAINTY] = "80"
    with pytest.raises(xapi.XapiError, match=f"statement {body['id']}: .*certainty"):
        xapi.answer_from_statement(body)
    body["verb"]["id"] = xapi.Verb.ATTEMPTED.iri
    with pytest.raises(xapi.XapiError, match="not an 'answered'"):
        xapi.answer_from_statement(body)
    assert xapi.iso_duration(float("nan")) == "PT0S"
