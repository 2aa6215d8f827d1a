"""The xAPI outbox: statements waiting to reach the Learning Record Store.

A table of the progress file. The code that records an answer calls ``enqueue`` on the
progress file's connection inside its own write transaction, so a statement exists
exactly when the answer it describes does: a crash before the commit loses both, after
it keeps both. The background sender (``storage.lrs_sender``) reads the table on its
own connection and deletes each statement once the LRS has it. A statement keeps the
UUID it was made with, so a resend after a lost reply is harmless.

The table is created with ``CREATE TABLE IF NOT EXISTS`` by whoever touches it first,
so a progress file without it (older, or never used with an LRS) is simply empty.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bonescan_tutor.core.xapi import Statement

TABLE = "xapi_outbox"
_CREATE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    id TEXT PRIMARY KEY,
    trainee TEXT NOT NULL,
    created REAL NOT NULL,
    body TEXT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    last_error TEXT)"""


@dataclass(frozen=True)
class Waiting:
    """One statement waiting in the outbox: its id and the JSON object to send."""

    id: str
    trainee: str
    body: dict[str, Any]


def ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute(_CREATE)


def enqueue(conn: sqlite3.Connection, statements: Iterable[Statement]) -> int:
    """Add ``statements`` to the outbox on ``conn``; return how many are new.

    Call it inside the transaction that writes what the statements describe: it neither
    begins nor commits. A statement already waiting (same id) is not added twice.
    """
    ensure_table(conn)
    now = time.time()
    before = conn.total_changes
    conn.executemany(
        f"INSERT OR IGNORE INTO {TABLE} (id, trainee, created, body) VALUES (?, ?, ?, ?)",
        [
            (s.id, s.trainee, now, json.dumps(s.as_dict(), separators=(",", ":")))
            for s in statements
        ],
    )
    return conn.total_changes - before


def oldest(conn: sqlite3.Connection, limit: int) -> list[Waiting]:
    """Up to ``limit`` waiting statements, oldest first."""
    ensure_table(conn)
    rows = conn.execute(
        f"SELECT id, trainee, body FROM {TABLE} ORDER BY created, rowid LIMIT ?", (limit,)
    ).fetchall()
    return [Waiting(r[0], r[1], json.loads(r[2])) for r in rows]


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, or the caller's when one is open."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def remove(conn: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Forget statements the LRS now has (one short transaction)."""
    with _transaction(conn):
        conn.executemany(f"DELETE FROM {TABLE} WHERE id = ?", [(i,) for i in ids])


def note_failure(conn: sqlite3.Connection, ids: Sequence[str], message: str) -> None:
    """Count a failed try of these statements and keep the reason (they stay waiting)."""
    with _transaction(conn):
        conn.executemany(
            f"UPDATE {TABLE} SET tries = tries + 1, last_error = ? WHERE id = ?",
            [(message, i) for i in ids],
        )


def waiting_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many statements wait to be sent, per trainee (trainees with none left out)."""
    ensure_table(conn)
    rows = conn.execute(
        f"SELECT trainee, count(*) FROM {TABLE} GROUP BY trainee ORDER BY trainee"
    ).fetchall()
    return {r[0]: r[1] for r in rows}
