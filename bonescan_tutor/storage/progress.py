"""The trainee's progress file: trainees, quiz sessions, attempts and review cards.

One SQLite file, the only thing that writes it. Durability: WAL journal with
``synchronous=FULL``, and every write is its own transaction, so when
``record_attempt`` returns the answer is in the WAL and fsynced: a killed process
(or a power cut) loses nothing already returned. NORMAL would survive a killed
process but not a power cut, and one fsync per answer costs a few milliseconds
at human pace. WAL plus a busy timeout lets a second app instance read and write
the same file: writers take turns, readers never block.

While ``statements`` is set (an LRS is configured), the writes that describe the
trainee's activity queue their xAPI statements in the outbox in the same transaction
(``progress_xapi`` says which); ``on_queued`` is called after such a commit.

A corrupt file is renamed aside (``progress.corrupt-<time>.sqlite3``, never deleted)
and a fresh one started; ``recovered_from`` tells the app what happened.
"""

from __future__ import annotations

import contextlib
import gc
import getpass
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from bonescan_tutor import paths
from bonescan_tutor.core import xapi
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.quiz import QuizSpec
from bonescan_tutor.core.quiz_session import QuizClock
from bonescan_tutor.storage import outbox, progress_xapi
from bonescan_tutor.storage.answer_columns import ANSWER_COLUMNS_SQL, AnswerColumns
from bonescan_tutor.storage.progress_file import (
    CorruptFile,
    ProgressFileError,
    connect,
    file_error,
    reason,
    set_aside,
)
from bonescan_tutor.storage.progress_records import (
    ATTEMPT_COLUMNS,
    SessionRecord,
    SessionStatus,
    StoredAttempt,
    Trainee,
    attempt_from_row,
    clock_to_json,
    session_from_row,
)
from bonescan_tutor.storage.progress_xapi import SessionFacts, StatementOptions

__all__ = [
    "FILE_NAME",
    "AnswerColumns",
    "ProgressFileError",
    "ProgressStore",
    "SessionRecord",
    "SessionStatus",
    "StatementOptions",
    "StoredAttempt",
    "Trainee",
]

FILE_NAME = "progress.sqlite3"


class ProgressStore:
    """The progress file. Open with ``ProgressStore.open``; use from one thread."""

    def __init__(self, path: Path, conn: sqlite3.Connection, recovered_from: Path | None) -> None:
        self.path = path
        self._conn = conn
        conn.row_factory = sqlite3.Row
        #: Where the damaged file was moved to, when opening had to start afresh.
        self.recovered_from = recovered_from
        self._statements: StatementOptions | None = None
        self._facts: dict[int, SessionFacts | None] = {}
        #: Called after a commit that queued xAPI statements (the sender's wake).
        self.on_queued: Callable[[], None] | None = None

    # -- xAPI statements -------------------------------------------------------------

    @property
    def statements(self) -> StatementOptions | None:
        """Queue xAPI statements with the records they describe while set (None: make
        none; the app sets it while a Learning Record Store is configured)."""
        return self._statements

    @statements.setter
    def statements(self, options: StatementOptions | None) -> None:
        self._statements = options
        self._facts.clear()

    def waiting_statements(self) -> dict[str, int]:
        """How many statements wait to be sent, per trainee name (none left out)."""
        try:
            return outbox.waiting_counts(self._conn)
        except sqlite3.DatabaseError as exc:
            raise file_error(self.path, reason(exc)) from exc

    def _queue(self, conn: sqlite3.Connection, made: list[xapi.Statement]) -> int:
        return outbox.enqueue(conn, made) if made else 0

    def _session_facts(self, conn: sqlite3.Connection, session_id: int) -> SessionFacts | None:
        if self._statements is None:
            return None
        if session_id not in self._facts:
            self._facts[session_id] = progress_xapi.session_facts(
                conn, session_id, self._statements
            )
        return self._facts[session_id]

    def _queued(self, count: int) -> None:
        if count and self.on_queued is not None:
            self.on_queued()

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None, *, busy_timeout_s: float = 5.0) -> ProgressStore:
        """Open (or create) the progress file, its folders and its tables."""
        path = (path if path is not None else paths.user_data_dir() / FILE_NAME).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise file_error(path, f"its folder cannot be created ({exc.strerror or exc})") from exc
        if path.is_dir():
            raise file_error(path, "a folder has that name")
        recovered: Path | None = None
        try:
            conn = connect(path, busy_timeout_s)
        except CorruptFile:
            recovered = set_aside(path)
            try:
                conn = connect(path, busy_timeout_s)
            except CorruptFile as exc:  # pragma: no cover - a fresh file cannot be corrupt
                raise file_error(path, "a fresh file could not be created") from exc
        return cls(path, conn, recovered)

    def close(self) -> None:
        self._conn.close()

    def relocate(self, folder: Path, *, busy_timeout_s: float = 5.0) -> None:
        """Copy the progress file into ``folder`` and keep working there.

        For a disk that filled up or a folder that turned read-only mid-quiz: the copy
        holds everything stored so far (SQLite's online backup); the old file is left
        where it was, never deleted. A folder that already holds a progress file is
        refused, so two histories are never mixed.
        """
        target = Path(folder).expanduser() / FILE_NAME
        if target.exists():
            raise file_error(target, "a progress file is already there; choose an empty folder")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            copy = sqlite3.connect(target)
            try:
                self._conn.backup(copy)
            finally:
                copy.close()
            conn = connect(target, busy_timeout_s)
        except OSError as exc:
            raise file_error(target, f"it cannot be written ({exc.strerror or exc})") from exc
        except sqlite3.Error as exc:
            raise file_error(target, reason(exc)) from exc
        except CorruptFile as exc:  # pragma: no cover - a fresh copy of a good file
            raise file_error(target, "the copy could not be read back") from exc
        self._conn.close()
        conn.row_factory = sqlite3.Row
        self._conn = conn
        self.path = target

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @staticmethod
    def default_trainee_name() -> str:
        """The operating-system user name, or "Trainee" when there is none."""
        try:
            name = getpass.getuser().strip()
        except Exception:  # no user database entry, no env vars (a locked-down lab PC)
            name = ""
        return name or "Trainee"

    # -- trainees --------------------------------------------------------------------

    def trainees(self) -> list[Trainee]:
        rows = self._read("SELECT id, name, created FROM trainees ORDER BY name")
        return [Trainee(*row) for row in rows]

    def get_or_create_trainee(self, name: str) -> Trainee:
        """The trainee of that name (names compare case-insensitively), created if new."""
        clean = name.strip()
        if not clean:
            raise UsageError("A trainee needs a name.")
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO trainees (name, created) VALUES (?, ?)", (clean, time.time())
            )
            row = conn.execute(
                "SELECT id, name, created FROM trainees WHERE name = ?", (clean,)
            ).fetchone()
        return Trainee(*row)

    # -- sessions --------------------------------------------------------------------

    def start_session(
        self,
        trainee: Trainee,
        spec: QuizSpec,
        dataset_name: str,
        fingerprint: str,
        *,
        started: float | None = None,
        quizset_json: str | None = None,
    ) -> int:
        """Store a new session of ``spec`` on a dataset version; return its id.

        ``quizset_json`` (the quiz set it comes from) lets a resumed, abandoned or
        timed-out quiz still write its results file. The session gets a new UUID, its
        registration in xAPI statements.
        """
        when = time.time() if started is None else started
        with self._write() as conn:
            cur = conn.execute(
                """INSERT INTO sessions (trainee_id, quiz_id, quiz_title, mode, spec_json,
                   dataset_name, dataset_fingerprint, started, state, quizset_json,
                   registration)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    trainee.id,
                    spec.id,
                    spec.title,
                    spec.mode.value,
                    json.dumps(spec.to_dict(), sort_keys=True),
                    dataset_name,
                    fingerprint,
                    when,
                    SessionStatus.ACTIVE.value,
                    quizset_json,
                    str(uuid.uuid4()),
                ),
            )
            session_id = cur.lastrowid
            assert session_id is not None
            facts = self._session_facts(conn, session_id)
            queued = self._queue(conn, progress_xapi.started(facts, when) if facts else [])
        self._queued(queued)
        return session_id

    def save_clock(self, session_id: int, clock: QuizClock) -> None:
        """Save the time used so far, so a resumed quiz continues from it."""
        with self._write() as conn:
            self._active_session(conn, session_id)
            conn.execute(
                "UPDATE sessions SET clock_json = ? WHERE id = ?", (clock_to_json(clock), session_id)
            )

    def finish_session(
        self,
        session_id: int,
        submitted: bool,
        *,
        finished: float | None = None,
        abandoned: bool = False,
    ) -> None:
        """Close a session. Submitting an exam reveals (marks shown) all its labels;
        an abandoned session locks its answers and reveals nothing more. The session's
        closing statements are queued with it (``progress_xapi``)."""
        status = SessionStatus.SUBMITTED if submitted else SessionStatus.FINISHED
        if abandoned:
            status, submitted = SessionStatus.ABANDONED, False
        when = time.time() if finished is None else finished
        with self._write() as conn:
            self._active_session(conn, session_id)
            conn.execute(
                "UPDATE sessions SET finished = ?, submitted = ?, state = ? WHERE id = ?",
                (when, int(submitted), status.value, session_id),
            )
            if submitted:
                conn.execute(
                    "UPDATE attempts SET label_shown = 1 WHERE session_id = ?", (session_id,)
                )
            facts = self._session_facts(conn, session_id)
            made = (
                progress_xapi.closing(conn, facts, session_id, when, abandoned=abandoned)
                if facts
                else []
            )
            queued = self._queue(conn, made)
        self._queued(queued)

    def session(self, session_id: int) -> SessionRecord:
        rows = self._read(f"{_SESSION_SELECT} WHERE id = ?", (session_id,))
        if not rows:
            raise UsageError(f"There is no quiz session {session_id} in {self.path}.")
        return session_from_row(rows[0])

    def sessions(self, trainee: Trainee) -> list[SessionRecord]:
        rows = self._read(
            f"{_SESSION_SELECT} WHERE trainee_id = ? ORDER BY started, id", (trainee.id,)
        )
        return [session_from_row(r) for r in rows]

    def unfinished_sessions(self, trainee: Trainee) -> list[SessionRecord]:
        """Sessions to offer for resuming, newest first."""
        rows = self._read(
            f"{_SESSION_SELECT} WHERE trainee_id = ? AND state = ? ORDER BY started DESC, id DESC",
            (trainee.id, SessionStatus.ACTIVE.value),
        )
        return [session_from_row(r) for r in rows]

    def quizset_sessions(self, trainee: Trainee) -> list[SessionRecord]:
        """Closed sessions taken from a quiz set (their results can be written again),
        newest first."""
        rows = self._read(
            f"{_SESSION_SELECT} WHERE trainee_id = ? AND state != ? AND quizset_json IS NOT NULL"
            " ORDER BY finished DESC, id DESC",
            (trainee.id, SessionStatus.ACTIVE.value),
        )
        return [session_from_row(r) for r in rows]

    # -- attempts --------------------------------------------------------------------

    def record_attempt(
        self,
        session_id: int,
        attempt: Answer,
        truth: Diagnosis,
        fingerprint: str,
        *,
        label_shown: bool = False,
        review_card: str | None = None,
    ) -> int:
        """Store an answer durably before the screen moves on; return its row id.

        ``truth`` is the case's label now; it is stored with the answer and read back as
        its ``Answer.truth``.

        An exam answer changed before submission replaces the earlier row for that case
        (same id). ``label_shown`` is True for a practice answer, whose feedback follows.
        ``review_card`` (the case's new spaced-review card) is written in the same
        transaction: one disk sync per answer, and never an answer without its card;
        so is a practice answer's xAPI statement while ``statements`` is set.
        """
        values = (
            attempt.position,
            attempt.decision.value if attempt.decision else None,
            attempt.certainty,
            attempt.time_on_case_s,
            attempt.started_at,
            attempt.answered_at,
            attempt.note,
            json.dumps([[p.value, x, y] for p, x, y in attempt.marks]),
            json.dumps(sorted(t.value for t in attempt.tools_used)),
            int(attempt.timed_out),
            int(label_shown),
            truth.value,
            fingerprint,
        )
        with self._write() as conn:
            trainee_id = self._active_session(conn, session_id)
            row = conn.execute(
                """INSERT INTO attempts (session_id, trainee_id, case_key, position, decision,
                   certainty, time_on_case_s, started_at, answered_at, note, marks_json,
                   tools_json, timed_out, label_shown, truth, dataset_fingerprint)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (session_id, case_key) DO UPDATE SET
                   position = excluded.position, decision = excluded.decision,
                   certainty = excluded.certainty, time_on_case_s = excluded.time_on_case_s,
                   started_at = excluded.started_at, answered_at = excluded.answered_at,
                   note = excluded.note, marks_json = excluded.marks_json,
                   tools_json = excluded.tools_json, timed_out = excluded.timed_out,
                   label_shown = max(label_shown, excluded.label_shown),
                   truth = excluded.truth, dataset_fingerprint = excluded.dataset_fingerprint
                   RETURNING id""",
                (session_id, trainee_id, attempt.case_key, *values),
            ).fetchone()
            if review_card is not None:
                self._put_card(conn, trainee_id, attempt.case_key, review_card)
            facts = self._session_facts(conn, session_id)
            queued = self._queue(conn, progress_xapi.answered(facts, attempt, truth) if facts else [])
        self._queued(queued)
        attempt_id: int = row[0]
        return attempt_id

    def mark_labels_shown(self, session_id: int, case_keys: Iterable[str]) -> None:
        with self._write() as conn:
            conn.executemany(
                "UPDATE attempts SET label_shown = 1 WHERE session_id = ? AND case_key = ?",
                [(session_id, key) for key in case_keys],
            )

    def attempts(
        self,
        trainee: Trainee | None = None,
        since: float | None = None,
        session_id: int | None = None,
    ) -> list[StoredAttempt]:
        """Stored attempts, oldest answer first; ``since`` compares with ``answered_at``."""
        rows = self._attempt_rows(_ATTEMPT_SELECT, trainee, since, session_id)
        return [attempt_from_row(r) for r in rows]

    def answer_columns(
        self,
        trainee: Trainee | None = None,
        since: float | None = None,
        session_id: int | None = None,
    ) -> AnswerColumns:
        """The same attempts as ``attempts`` as numpy columns, for screens that read a
        whole history (labels not yet shown come back as ``HIDDEN``)."""
        # 50,000 rows of plain values cannot form cycles, yet their allocation sets off
        # collections that scan every object of the app; a fifth of the read
        with _collector_paused():
            rows = self._attempt_rows(_ANSWER_SELECT, trainee, since, session_id)
            return AnswerColumns.from_rows(rows)

    # -- review cards ----------------------------------------------------------------

    def review_card(self, trainee: Trainee, case_key: str) -> str | None:
        rows = self._read(
            "SELECT card_json FROM review_cards WHERE trainee_id = ? AND case_key = ?",
            (trainee.id, case_key),
        )
        return str(rows[0][0]) if rows else None

    def review_cards(self, trainee: Trainee) -> dict[str, str]:
        rows = self._read(
            "SELECT case_key, card_json FROM review_cards WHERE trainee_id = ?", (trainee.id,)
        )
        return {str(k): str(v) for k, v in rows}

    def put_review_card(self, trainee: Trainee, case_key: str, card_json: str) -> None:
        with self._write() as conn:
            self._put_card(conn, trainee.id, case_key, card_json)

    @staticmethod
    def _put_card(conn: sqlite3.Connection, trainee_id: int, case_key: str, card_json: str) -> None:
        conn.execute(
            """INSERT INTO review_cards (trainee_id, case_key, card_json, updated)
               VALUES (?, ?, ?, ?) ON CONFLICT (trainee_id, case_key)
               DO UPDATE SET card_json = excluded.card_json, updated = excluded.updated""",
            (trainee_id, case_key, card_json, time.time()),
        )

    # -- internals -------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction; SQLite errors become ``ProgressFileError``."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # a bug in the caller, not a problem with the file
        except sqlite3.DatabaseError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise file_error(self.path, reason(exc)) from exc

    def _attempt_rows(
        self, select: str, trainee: Trainee | None, since: float | None, session_id: int | None
    ) -> list[tuple[Any, ...]]:
        """Rows of ``select`` narrowed by trainee, start time and session, oldest first."""
        where, params = [], []
        for clause, value in (
            ("trainee_id = ?", trainee.id if trainee else None),
            ("answered_at >= ?", since),
            ("session_id = ?", session_id),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = select + (" WHERE " + " AND ".join(where) if where else "")
        try:
            cursor = self._conn.execute(sql + " ORDER BY answered_at, id", params)
            cursor.row_factory = None  # plain tuples: much faster than sqlite3.Row here
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            raise file_error(self.path, reason(exc)) from exc
        return rows

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            raise file_error(self.path, reason(exc)) from exc

    def _active_session(self, conn: sqlite3.Connection, session_id: int) -> int:
        """The session's trainee id; ``UsageError`` when it is unknown or closed."""
        row = conn.execute(
            "SELECT trainee_id, state FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if row is None:
            raise UsageError(f"There is no quiz session {session_id} in {self.path}.")
        if row[1] != SessionStatus.ACTIVE.value:
            raise UsageError(f"Quiz session {session_id} is {row[1]}; its answers are locked.")
        trainee_id: int = row[0]
        return trainee_id


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (it resumes, and catches up, after)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_SESSION_SELECT = """SELECT id, trainee_id, quiz_id, quiz_title, mode, spec_json, dataset_name,
    dataset_fingerprint, started, finished, state, clock_json, quizset_json, registration
    FROM sessions"""

_ATTEMPT_SELECT = f"SELECT {ATTEMPT_COLUMNS} FROM attempts"
_ANSWER_SELECT = f"SELECT {ANSWER_COLUMNS_SQL} FROM attempts"
