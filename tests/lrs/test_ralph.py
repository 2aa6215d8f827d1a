"""The test LRS itself: it answers, keeps what it is sent, and pages its answers."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.lrs.conftest import REQUEST_TIMEOUT_S, XAPI_HEADERS, Ralph

pytestmark = pytest.mark.lrs


def _statement(registration: str, n: int) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://x.invalid", "name": "p"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
        "object": {"objectType": "Activity", "id": f"https://x.invalid/a/{n}"},
        "context": {"registration": registration},
    }


def test_ralph_stores_and_pages_statements(ralph: Ralph) -> None:
    registration = str(uuid.uuid4())
    sent = [_statement(registration, n) for n in range(130)]
    r = requests.post(
        f"{ralph.url}/xAPI/statements", json=sent, auth=(ralph.user, ralph.password),
        headers=XAPI_HEADERS, timeout=REQUEST_TIMEOUT_S,
    )
    assert r.status_code == 200, r.text
    assert sorted(r.json()) == sorted(s["id"] for s in sent)
    first = ralph.get("/xAPI/statements", registration=registration)
    assert len(first["statements"]) == 100 and first["more"]
    back = ralph.statements(registration=registration)
    assert sorted(s["id"] for s in back) == sorted(s["id"] for s in sent)


def test_ralph_keeps_one_statement_per_id_when_sent_twice(ralph: Ralph) -> None:
    registration = str(uuid.uuid4())
    first, second = _statement(registration, 1), _statement(registration, 2)
    first["timestamp"] = second["timestamp"] = "2026-12-01T10:00:00.000Z"
    for batch in ([first], [first, second]):
        r = requests.post(
            f"{ralph.url}/xAPI/statements", json=batch, auth=(ralph.user, ralph.password),
            headers=XAPI_HEADERS, timeout=REQUEST_TIMEOUT_S,
        )
        assert r.status_code == 200, r.text
    assert sorted(s["id"] for s in ralph.statements(registration=registration)) == sorted(
        [first["id"], second["id"]])
