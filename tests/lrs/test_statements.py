"""A real LRS accepts the app's statements and gives them back readable."""

from __future__ import annotations

import uuid

import pytest
import requests

from bonescan_tutor.core import xapi
from bonescan_tutor.core.cases import Diagnosis
from tests.core.test_xapi import attempt, context
from tests.lrs.conftest import REQUEST_TIMEOUT_S, XAPI_HEADERS, Ralph

pytestmark = pytest.mark.lrs


def test_ralph_accepts_every_statement_shape_and_returns_the_answer(ralph: Ralph) -> None:
    registration = str(uuid.uuid4())
    ctx, actor = context(registration), xapi.Actor("Ana Rivas", "https://program.example.org")
    made = [
        xapi.started(actor, ctx, 1764504000.0),
        xapi.statement_for(attempt().with_truth(Diagnosis.METASTASES), actor, ctx),
        xapi.statement_for(attempt("9", None).with_truth(Diagnosis.NO_METASTASES), actor, ctx),
        *xapi.finished(actor, ctx, 1764504100.0, correct=1, cases=2, duration_s=100, pass_mark=0.5),
    ]
    r = requests.post(
        f"{ralph.url}/xAPI/statements", json=[s.as_dict() for s in made],
        auth=(ralph.user, ralph.password), headers=XAPI_HEADERS, timeout=REQUEST_TIMEOUT_S,
    )
    assert r.status_code == 200, r.text
    back = {s["id"]: s for s in ralph.statements(registration=registration)}
    assert set(back) == {s.id for s in made}
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in back.values())
    assert verbs == ["answered", "answered", "attempted", "completed", "passed"]
    answers = sorted(
        (xapi.answer_from_statement(s).answer for s in back.values()
         if s["verb"]["id"] == xapi.Verb.ANSWERED.iri),
        key=lambda a: a.case_key,
    )
    assert [(a.case_key, a.decision, a.certainty, a.time_on_case_s) for a in answers] == [
        ("17", Diagnosis.METASTASES, 80, 12.5), ("9", None, None, 12.5)]
    assert answers[0].answered_at == 1764504012.5
