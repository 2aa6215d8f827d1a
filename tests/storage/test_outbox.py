"""The outbox lives in the progress file and shares the answer's transaction."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from bonescan_tutor.core import xapi
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.storage import outbox
from bonescan_tutor.storage.progress_file import connect
from tests.core.test_xapi import attempt, context


def statements(trainee: str, n: int) -> list[xapi.Statement]:
    ctx = context(str(uuid.uuid4()))
    return [
        xapi.statement_for(attempt(str(i)).with_truth(Diagnosis.METASTASES), xapi.Actor(trainee), ctx)
        for i in range(n)
    ]


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = connect(tmp_path / "progress.sqlite3", 5.0)
    yield c
    c.close()


def _trainees(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM trainees")]


def test_rollback_drops_the_answer_and_its_statements_together(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO trainees (name, created) VALUES ('Ana', 0)")
    assert outbox.enqueue(conn, statements("Ana", 2)) == 2
    conn.execute("ROLLBACK")
    assert _trainees(conn) == [] and outbox.waiting_counts(conn) == {}

    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO trainees (name, created) VALUES ('Ana', 0)")
    outbox.enqueue(conn, statements("Ana", 2))
    conn.execute("COMMIT")
    assert _trainees(conn) == ["Ana"] and outbox.waiting_counts(conn) == {"Ana": 2}


def test_counts_per_trainee_oldest_first_and_no_double_entry(conn: sqlite3.Connection) -> None:
    ana, ben = statements("Ana", 3), statements("Ben", 1)
    outbox.enqueue(conn, ana)
    outbox.enqueue(conn, ben)
    assert outbox.enqueue(conn, ana[:1]) == 0
    assert outbox.waiting_counts(conn) == {"Ana": 3, "Ben": 1}
    first = outbox.oldest(conn, 2)
    assert [w.id for w in first] == [ana[0].id, ana[1].id]
    assert first[0].body == ana[0].as_dict()
    outbox.note_failure(conn, [ana[0].id], "down")
    outbox.remove(conn, [ana[0].id, ben[0].id])
    assert outbox.waiting_counts(conn) == {"Ana": 2}
    assert conn.execute("SELECT count(*) FROM xapi_outbox WHERE tries > 0").fetchone()[0] == 0


def test_the_progress_store_opens_a_file_with_an_outbox(tmp_path: Path) -> None:
    from bonescan_tutor.storage.progress import ProgressStore

    path = tmp_path / "progress.sqlite3"
    with ProgressStore.open(path) as store:
        store.get_or_create_trainee("Ana")
    c = sqlite3.connect(path, isolation_level=None)
    outbox.enqueue(c, statements("Ana", 1))
    c.close()
    with ProgressStore.open(path) as store:
        assert [t.name for t in store.trainees()] == ["Ana"]
