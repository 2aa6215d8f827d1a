"""The progress file's tables and the migrations between their versions.

``PRAGMA user_version`` holds the schema version. ``MIGRATIONS[v]`` takes a file from
version ``v`` to ``v + 1``; each runs inside the caller's write transaction, so a
crash mid-migration leaves the file at the old version. Never edit a migration that
has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable


def _to_v1(conn: sqlite3.Connection) -> None:
    """The first layout: trainees, quiz sessions, attempts, review cards."""
    statements = [
        """CREATE TABLE trainees (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            created REAL NOT NULL)""",
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            trainee_id INTEGER NOT NULL REFERENCES trainees(id),
            quiz_id TEXT NOT NULL,
            quiz_title TEXT NOT NULL,
            mode TEXT NOT NULL,
            spec_json TEXT NOT NULL,
            dataset_name TEXT NOT NULL,
            dataset_fingerprint TEXT NOT NULL,
            started REAL NOT NULL,
            finished REAL,
            submitted INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL)""",
        "CREATE INDEX sessions_by_trainee ON sessions(trainee_id, started)",
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            trainee_id INTEGER NOT NULL REFERENCES trainees(id),
            case_key TEXT NOT NULL,
            dataset_fingerprint TEXT NOT NULL,
            position INTEGER NOT NULL,
            decision TEXT,
            certainty INTEGER,
            time_on_case_s REAL NOT NULL,
            started_at REAL NOT NULL,
            answered_at REAL NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            marks_json TEXT NOT NULL DEFAULT '[]',
            timed_out INTEGER NOT NULL DEFAULT 0,
            truth TEXT NOT NULL,
            UNIQUE (session_id, case_key))""",
        "CREATE INDEX attempts_by_trainee_time ON attempts(trainee_id, answered_at)",
        """CREATE TABLE review_cards (
            trainee_id INTEGER NOT NULL REFERENCES trainees(id),
            case_key TEXT NOT NULL,
            card_json TEXT NOT NULL,
            updated REAL NOT NULL,
            PRIMARY KEY (trainee_id, case_key))""",
    ]
    for sql in statements:
        conn.execute(sql)


def _to_v2(conn: sqlite3.Connection) -> None:
    """Record the viewer tools used, and whether each case's label has been shown.

    Before v2 a label was shown right after a practice answer and after an exam's
    submission, so existing rows get ``label_shown`` from their session.
    """
    conn.execute("ALTER TABLE attempts ADD COLUMN tools_json TEXT NOT NULL DEFAULT '[]'")
    conn.execute("ALTER TABLE attempts ADD COLUMN label_shown INTEGER NOT NULL DEFAULT 0")
    conn.execute(
        """UPDATE attempts SET label_shown = 1 WHERE session_id IN
           (SELECT id FROM sessions WHERE mode = 'practice' OR submitted = 1)"""
    )


def _to_v3(conn: sqlite3.Connection) -> None:
    """Time that survives a restart, and the quiz set a session was taken from.

    ``clock_json`` holds the time used on the quiz and on each case (JSON object
    ``{"total_s": float, "case_s": {key: float}}``; empty before any save).
    ``quizset_json`` is the quiz-set file's content, so a resumed or abandoned
    quiz still writes its results file. Sessions may now be ``abandoned``.
    """
    conn.execute("ALTER TABLE sessions ADD COLUMN clock_json TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE sessions ADD COLUMN quizset_json TEXT")


def _to_v4(conn: sqlite3.Connection) -> None:
    """A registration (a UUID) per quiz session, and the xAPI outbox.

    The registration names the session in the statements sent to a Learning Record
    Store; sessions stored before v4 get one now. The outbox holds the statements
    waiting to be sent (``storage.outbox``; older apps may have made it already).
    """
    conn.execute("ALTER TABLE sessions ADD COLUMN registration TEXT")
    ids = [row[0] for row in conn.execute("SELECT id FROM sessions")]
    conn.executemany(
        "UPDATE sessions SET registration = ? WHERE id = ?", [(str(uuid.uuid4()), i) for i in ids]
    )
    conn.execute(
        """CREATE TABLE IF NOT EXISTS xapi_outbox (
            id TEXT PRIMARY KEY,
            trainee TEXT NOT NULL,
            created REAL NOT NULL,
            body TEXT NOT NULL,
            tries INTEGER NOT NULL DEFAULT 0,
            last_error TEXT)"""
    )


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _to_v1,
    _to_v2,
    _to_v3,
    _to_v4,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file up to ``SCHEMA_VERSION`` in one transaction; return the old version.

    The version is re-read after taking the write lock, so two app instances opening
    an old file at once migrate it once. A file newer than this app is left alone and
    reported by the caller.
    """
    if schema_version(conn) >= SCHEMA_VERSION:
        return schema_version(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        old = schema_version(conn)
        for version in range(old, SCHEMA_VERSION):
            MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA user_version = {max(old, SCHEMA_VERSION)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return old
