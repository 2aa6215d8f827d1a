"""The progress file: round trips, label hiding, concurrency, bad locations, damage, kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.quiz import QuizMode, QuizSpec, Tool
from bonescan_tutor.core.quiz_session import QuizSession, SessionState
from bonescan_tutor.storage import progress_schema
from bonescan_tutor.storage.progress import (
    FILE_NAME,
    ProgressFileError,
    ProgressStore,
    SessionStatus,
    Trainee,
)

M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES
REPO = Path(__file__).resolve().parents[2]


def spec(mode: QuizMode = QuizMode.PRACTICE, n: int = 5) -> QuizSpec:
    keys = tuple(str(k) for k in range(1, n + 1))
    return QuizSpec(id=f"quiz-{mode.value}", title="Week 1", case_keys=keys, mode=mode, seed=3)


def attempt(key: str = "1", position: int = 1, at: float = 100.0, **kw: object) -> Answer:
    fields: dict[str, object] = {"decision": M, "certainty": 80, "time_on_case_s": 4.0}
    fields.update(kw)
    return Answer(case_key=key, position=position, started_at=at - 4, answered_at=at, **fields)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def store(db: Path):
    with ProgressStore.open(db) as s:
        yield s


@pytest.fixture
def ana(store: ProgressStore) -> Trainee:
    return store.get_or_create_trainee("Ana")


# -- opening ---------------------------------------------------------------------------


def test_default_location_is_the_user_data_folder(_isolated_home: Path) -> None:
    with ProgressStore.open() as s:
        assert s.path == _isolated_home / "data" / FILE_NAME
        assert s.path.is_file() and s.recovered_from is None


def test_file_settings(db: Path, store: ProgressStore) -> None:
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert raw.execute("PRAGMA user_version").fetchone() == (progress_schema.SCHEMA_VERSION,)
    raw.close()
    conn = store._conn
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "attempts_by_trainee_time" in indexes


def test_creates_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "progress.sqlite3"
    with ProgressStore.open(path) as s:
        s.get_or_create_trainee("Ana")
    assert path.is_file()


def test_folder_that_is_a_file_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(ProgressFileError) as info:
        ProgressStore.open(blocker / "progress.sqlite3")
    message = str(info.value)
    assert str(blocker / "progress.sqlite3") in message
    assert "--home" in message and "BONESCAN_TUTOR_HOME" in message
    assert blocker.read_text() == "not a folder"


def test_file_that_is_a_folder_is_reported(db: Path) -> None:
    db.mkdir()
    with pytest.raises(ProgressFileError, match="a folder has that name"):
        ProgressStore.open(db)
    assert db.is_dir()


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores file permissions"
)
def test_read_only_folder_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ProgressFileError, match="--home"):
            ProgressStore.open(folder / "progress.sqlite3")
    finally:
        folder.chmod(0o700)


def test_file_locked_by_another_program(db: Path) -> None:
    ProgressStore.open(db).close()
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ProgressFileError, match="locked") as info:
            ProgressStore.open(db, busy_timeout_s=0.05)
        assert str(db) in str(info.value)
    finally:
        other.execute("ROLLBACK")
        other.close()
    ProgressStore.open(db).close()


def test_write_while_another_writer_holds_the_lock(db: Path) -> None:
    with ProgressStore.open(db, busy_timeout_s=0.05) as s:
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(ProgressFileError, match="locked"):
            s.get_or_create_trainee("Ana")
        other.execute("ROLLBACK")
        other.close()
        assert s.get_or_create_trainee("Ana").name == "Ana"
        assert not s._conn.in_transaction


# -- damaged files ---------------------------------------------------------------------


def corrupt_copies(db: Path) -> list[Path]:
    return sorted(db.parent.glob("progress.corrupt-*.sqlite3"))


def test_text_file_is_set_aside_and_kept_with_its_wal(db: Path) -> None:
    db.write_bytes(b"my notes, not a database\n" * 100)
    Path(f"{db}-wal").write_bytes(b"wal bytes")
    with ProgressStore.open(db) as s:
        (aside,) = corrupt_copies(db)
        assert s.recovered_from == aside
        assert aside.read_bytes() == b"my notes, not a database\n" * 100
        assert Path(f"{aside}-wal").read_bytes() == b"wal bytes"
        assert s.trainees() == []
        s.get_or_create_trainee("Ana")
    with ProgressStore.open(db) as again:
        assert again.recovered_from is None and len(again.trainees()) == 1


def test_damaged_pages_are_set_aside(db: Path) -> None:
    with ProgressStore.open(db) as s:
        t = s.get_or_create_trainee("Ana")
        sid = s.start_session(t, spec(), "demo", "fp")
        for i in range(200):
            s.record_attempt(sid, attempt(str(i), i + 1, note="x" * 500), N, "fp")
    data = bytearray(db.read_bytes())
    data[4096 : len(data)] = b"\xa5" * (len(data) - 4096)  # keep the header, wreck the pages
    db.write_bytes(bytes(data))
    with ProgressStore.open(db) as s:
        (aside,) = corrupt_copies(db)
        assert s.recovered_from == aside
        assert aside.read_bytes() == bytes(data)
        assert s.attempts() == []


def test_failed_integrity_check_is_set_aside(db: Path) -> None:
    """Orphaned pages: every query still works, but the file is not sound."""
    ProgressStore.open(db).close()
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE junk (a)")
    raw.executemany("INSERT INTO junk VALUES (?)", [(str(i) * 20,) for i in range(2000)])
    raw.execute("CREATE INDEX junk_a ON junk(a)")
    raw.commit()
    raw.execute("PRAGMA writable_schema = ON")
    raw.execute("DELETE FROM sqlite_master WHERE name = 'junk_a'")
    raw.commit()
    raw.close()
    with ProgressStore.open(db) as s:
        (aside,) = corrupt_copies(db)
        assert s.recovered_from == aside
    kept = sqlite3.connect(aside)
    assert kept.execute("SELECT count(*) FROM junk").fetchone() == (2000,)
    kept.close()


def test_second_damage_in_the_same_second_keeps_both(db: Path) -> None:
    for text in (b"first junk", b"second junk"):
        db.write_bytes(text * 10)
        ProgressStore.open(db).close()
    kept = {p.read_bytes() for p in corrupt_copies(db)}
    assert kept == {b"first junk" * 10, b"second junk" * 10}


def test_empty_file_is_a_fresh_store_not_damage(db: Path) -> None:
    db.write_bytes(b"")
    with ProgressStore.open(db) as s:
        assert s.recovered_from is None
    assert corrupt_copies(db) == []


def test_file_from_a_newer_app_is_refused_and_left_alone(db: Path) -> None:
    ProgressStore.open(db).close()
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {progress_schema.SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(ProgressFileError, match="newer bonescan-tutor"):
        ProgressStore.open(db)
    assert corrupt_copies(db) == [] and db.is_file()


# -- trainees, sessions, attempts ------------------------------------------------------


def test_trainees_are_unique_ignoring_case(store: ProgressStore) -> None:
    a = store.get_or_create_trainee(" Ana ")
    assert store.get_or_create_trainee("ANA") == a
    assert a.name == "Ana"
    store.get_or_create_trainee("Bruno")
    assert [t.name for t in store.trainees()] == ["Ana", "Bruno"]
    with pytest.raises(UsageError, match="needs a name"):
        store.get_or_create_trainee("  ")


def test_default_trainee_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "resident1")
    assert ProgressStore.default_trainee_name() == "resident1"

    def no_user() -> str:
        raise OSError("no user name")

    monkeypatch.setattr("getpass.getuser", no_user)
    assert ProgressStore.default_trainee_name() == "Trainee"


def test_attempt_round_trip_keeps_every_field(store: ProgressStore, ana: Trainee) -> None:
    sid = store.start_session(ana, spec(), "IICS-UNA", "fp1", started=50.0)
    a = attempt(
        "3",
        2,
        note="hot rib",
        marks=((Projection.POSTERIOR, 10.5, 700.0), (Projection.ANTERIOR, 1.0, 2.0)),
        tools_used=frozenset({Tool.INVERT, Tool.ASYMMETRY}),
    )
    rid = store.record_attempt(sid, a, N, "fp1")
    timeout = attempt("4", 3, decision=None, certainty=None, timed_out=True, at=200.0)
    store.record_attempt(sid, timeout, M, "fp1", label_shown=True)
    first, second = store.attempts(session_id=sid)
    assert first.id == rid and first.answer == a.with_truth(N)
    assert (first.truth, first.label_shown, first.revealed_truth) == (N, False, None)
    assert (first.session_id, first.trainee_id, first.dataset_fingerprint) == (sid, ana.id, "fp1")
    assert second.answer == timeout.with_truth(M) and second.revealed_truth is M


def test_labels_stay_hidden_until_shown(store: ProgressStore, ana: Trainee) -> None:
    sid = store.start_session(ana, spec(QuizMode.EXAM), "demo", "fp")
    for i in range(1, 4):
        store.record_attempt(sid, attempt(str(i), i), M, "fp")
    assert all(sa.revealed_truth is None for sa in store.attempts())
    store.mark_labels_shown(sid, ["2"])
    assert [sa.label_shown for sa in store.attempts()] == [False, True, False]
    store.finish_session(sid, submitted=True, finished=999.0)
    assert all(sa.revealed_truth is M for sa in store.attempts())
    record = store.session(sid)
    assert (record.status, record.finished) == (SessionStatus.SUBMITTED, 999.0)


def test_changed_exam_answer_replaces_the_row(store: ProgressStore, ana: Trainee) -> None:
    sid = store.start_session(ana, spec(QuizMode.EXAM), "demo", "fp")
    first = store.record_attempt(sid, attempt("2", 1, decision=M, at=10.0), N, "fp")
    again = store.record_attempt(sid, attempt("2", 1, decision=N, at=20.0), N, "fp")
    (only,) = store.attempts()
    assert first == again == only.id
    assert only.answer.decision is N and only.answer.answered_at == 20.0


def test_shown_label_is_not_hidden_again(store: ProgressStore, ana: Trainee) -> None:
    sid = store.start_session(ana, spec(), "demo", "fp")
    store.record_attempt(sid, attempt("2", 1), N, "fp", label_shown=True)
    store.record_attempt(sid, attempt("2", 1), N, "fp", label_shown=False)
    assert store.attempts()[0].label_shown


def test_closed_or_unknown_sessions_take_no_answers(store: ProgressStore, ana: Trainee) -> None:
    sid = store.start_session(ana, spec(QuizMode.EXAM), "demo", "fp")
    store.record_attempt(sid, attempt("1", 1), M, "fp")
    store.finish_session(sid, submitted=True)
    with pytest.raises(UsageError, match="locked"):
        store.record_attempt(sid, attempt("1", 1, decision=N), M, "fp")
    with pytest.raises(UsageError, match="locked"):
        store.finish_session(sid, submitted=False)
    assert store.attempts()[0].answer.decision is M
    with pytest.raises(UsageError, match="no quiz session 999"):
        store.record_attempt(999, attempt(), M, "fp")
    with pytest.raises(UsageError, match="no quiz session 999"):
        store.session(999)


def test_sessions_and_unfinished_sessions(store: ProgressStore, ana: Trainee) -> None:
    bruno = store.get_or_create_trainee("Bruno")
    s1 = store.start_session(ana, spec(), "demo", "fp", started=1.0)
    s2 = store.start_session(ana, spec(QuizMode.EXAM), "demo", "fp", started=2.0)
    s3 = store.start_session(ana, spec(), "demo", "fp", started=3.0)
    store.start_session(bruno, spec(), "demo", "fp", started=4.0)
    store.finish_session(s3, submitted=False)
    assert [r.id for r in store.sessions(ana)] == [s1, s2, s3]
    assert [r.id for r in store.unfinished_sessions(ana)] == [s2, s1]
    record = store.session(s2)
    assert record.mode is QuizMode.EXAM and record.spec == spec(QuizMode.EXAM)
    assert (record.quiz_id, record.quiz_title, record.dataset_name) == (
        "quiz-exam",
        "Week 1",
        "demo",
    )
    assert store.session(s3).status is SessionStatus.FINISHED


def test_attempt_filters(store: ProgressStore, ana: Trainee) -> None:
    bruno = store.get_or_create_trainee("Bruno")
    sa = store.start_session(ana, spec(), "demo", "fp")
    sb = store.start_session(bruno, spec(), "demo", "fp")
    store.record_attempt(sa, attempt("1", 1, at=30.0), M, "fp")
    store.record_attempt(sa, attempt("2", 2, at=10.0), M, "fp")
    store.record_attempt(sb, attempt("1", 1, at=20.0), M, "fp")
    assert [x.answer.answered_at for x in store.attempts()] == [10.0, 20.0, 30.0]
    assert [x.answer.case_key for x in store.attempts(trainee=ana)] == ["2", "1"]
    assert [x.answer.answered_at for x in store.attempts(since=20.0)] == [20.0, 30.0]
    assert [x.trainee_id for x in store.attempts(session_id=sb)] == [bruno.id]
    assert store.attempts(trainee=bruno, since=25.0) == []


def test_review_cards(store: ProgressStore, ana: Trainee) -> None:
    assert store.review_card(ana, "7") is None
    store.put_review_card(ana, "7", '{"due": 1}')
    store.put_review_card(ana, "8", '{"due": 2}')
    store.put_review_card(ana, "7", '{"due": 3}')
    assert store.review_card(ana, "7") == '{"due": 3}'
    assert store.review_cards(ana) == {"7": '{"due": 3}', "8": '{"due": 2}'}
    assert store.review_cards(store.get_or_create_trainee("Bruno")) == {}


def test_a_quiz_resumes_from_the_file(db: Path) -> None:
    quiz = spec(QuizMode.PRACTICE)
    with ProgressStore.open(db) as s:
        t = s.get_or_create_trainee("Ana")
        sid = s.start_session(t, quiz, "demo", "fp")
        session = QuizSession(quiz, t.name)
        session.start(0.0)
        for i in range(2):
            a = session.answer(M, 70, 5.0 + 10 * i, tools_used=frozenset({Tool.WINDOWING}))
            s.record_attempt(sid, a, N, "fp", label_shown=True)
            session.next(10.0 + 10 * i)
    with ProgressStore.open(db) as s:
        (record,) = s.unfinished_sessions(s.get_or_create_trainee("ana"))
        stored = [x.answer for x in s.attempts(session_id=record.id)]
        restored = QuizSession.restore(record.spec, "Ana", stored, now=100.0)
    assert restored.state is SessionState.SHOWING and restored.position == 3
    assert restored.attempts == session.attempts


# -- two app instances -----------------------------------------------------------------


def test_two_stores_on_one_file_see_each_others_writes(db: Path) -> None:
    with ProgressStore.open(db) as one, ProgressStore.open(db) as two:
        t1 = one.get_or_create_trainee("Ana")
        t2 = two.get_or_create_trainee("ana")
        assert t1 == t2
        s1 = one.start_session(t1, spec(), "demo", "fp")
        s2 = two.start_session(t2, spec(QuizMode.EXAM), "demo", "fp")
        for i in range(1, 6):
            one.record_attempt(s1, attempt(str(i), i, at=float(2 * i)), M, "fp")
            two.record_attempt(s2, attempt(str(i), i, at=float(2 * i + 1)), N, "fp")
            assert len(one.attempts()) == len(two.attempts()) == 2 * i
        assert [x.session_id for x in one.attempts()] == [s1, s2] * 5
        assert {r.id for r in two.unfinished_sessions(t2)} == {s1, s2}
        one.put_review_card(t1, "3", "{}")
        assert two.review_card(t2, "3") == "{}"


# -- migrations ------------------------------------------------------------------------

V1_SQL = [
    "CREATE TABLE trainees (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " created REAL NOT NULL)",
    "CREATE TABLE sessions (id INTEGER PRIMARY KEY, trainee_id INTEGER NOT NULL, quiz_id TEXT"
    " NOT NULL, quiz_title TEXT NOT NULL, mode TEXT NOT NULL, spec_json TEXT NOT NULL,"
    " dataset_name TEXT NOT NULL, dataset_fingerprint TEXT NOT NULL, started REAL NOT NULL,"
    " finished REAL, submitted INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL)",
    "CREATE TABLE attempts (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL, trainee_id"
    " INTEGER NOT NULL, case_key TEXT NOT NULL, dataset_fingerprint TEXT NOT NULL, position"
    " INTEGER NOT NULL, decision TEXT, certainty INTEGER, time_on_case_s REAL NOT NULL,"
    " started_at REAL NOT NULL, answered_at REAL NOT NULL, note TEXT NOT NULL DEFAULT '',"
    " marks_json TEXT NOT NULL DEFAULT '[]', timed_out INTEGER NOT NULL DEFAULT 0, truth TEXT"
    " NOT NULL, UNIQUE (session_id, case_key))",
    "CREATE INDEX attempts_by_trainee_time ON attempts(trainee_id, answered_at)",
    "CREATE TABLE review_cards (trainee_id INTEGER NOT NULL, case_key TEXT NOT NULL, card_json"
    " TEXT NOT NULL, updated REAL NOT NULL, PRIMARY KEY (trainee_id, case_key))",
]


def build_v1(db: Path) -> None:
    """A version-1 file as the first release wrote it, with one session of each kind."""
    raw = sqlite3.connect(db)
    for sql in V1_SQL:
        raw.execute(sql)
    raw.execute("INSERT INTO trainees VALUES (1, 'Ana', 1.0)")
    sessions = [
        (1, "practice", 0, "finished"),
        (2, "exam", 1, "submitted"),
        (3, "exam", 0, "active"),
    ]
    for sid, mode, submitted, state in sessions:
        raw.execute(
            "INSERT INTO sessions VALUES"
            " (?, 1, 'q', 'Old', ?, '{}', 'demo', 'fp', 1.0, NULL, ?, ?)",
            (sid, mode, submitted, state),
        )
        for k in range(1, 4):
            raw.execute(
                "INSERT INTO attempts (session_id, trainee_id, case_key, dataset_fingerprint,"
                " position, decision, certainty, time_on_case_s, started_at, answered_at, note,"
                " marks_json, timed_out, truth) VALUES (?, 1, ?, 'fp', ?, 'metastases', 90, 3.0,"
                " 1.0, ?, 'n', '[[\"anterior\", 1, 2]]', 0, 'no_metastases')",
                (sid, str(k), k, float(10 * sid + k)),
            )
    raw.execute("INSERT INTO review_cards VALUES (1, '2', '{\"s\": 1}', 5.0)")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()


def test_v1_file_migrates_keeping_every_row(db: Path) -> None:
    build_v1(db)
    with ProgressStore.open(db) as s:
        assert s._conn.execute("PRAGMA user_version").fetchone()[0] == \
            progress_schema.SCHEMA_VERSION
        assert s.session(3).clock is None and s.session(3).quizset_json is None
        rows = s.attempts()
        assert len(rows) == 9 and [r.id for r in rows] == list(range(1, 10))
        shown = {r.session_id: r.label_shown for r in rows}
        assert shown == {1: True, 2: True, 3: False}
        assert all(r.answer.tools_used == frozenset() for r in rows)
        assert rows[0].answer.marks == ((Projection.ANTERIOR, 1.0, 2.0),)
        assert rows[0].answer.decision is M and rows[0].truth is N and rows[0].answer.note == "n"
        (ana,) = s.trainees()
        assert s.review_cards(ana) == {"2": '{"s": 1}'}
        assert [r.id for r in s.unfinished_sessions(ana)] == [3]
        s.record_attempt(3, attempt("9", 4, tools_used=frozenset({Tool.MIDLINE})), M, "fp")
    with ProgressStore.open(db) as s:
        assert len(s.attempts()) == 10


def test_failed_migration_leaves_the_old_version(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_v1(db)

    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE attempts ADD COLUMN tools_json TEXT NOT NULL DEFAULT '[]'")
        raise RuntimeError("power cut")

    monkeypatch.setattr(progress_schema, "MIGRATIONS", (progress_schema.MIGRATIONS[0], half_done))
    with pytest.raises(RuntimeError, match="power cut"):
        ProgressStore.open(db)
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone() == (1,)
    columns = {r[1] for r in raw.execute("PRAGMA table_info(attempts)")}
    assert "tools_json" not in columns
    assert raw.execute("SELECT count(*) FROM attempts").fetchone() == (9,)
    raw.close()
    monkeypatch.undo()
    with ProgressStore.open(db) as s:
        assert len(s.attempts()) == 9


# -- a killed process loses nothing it committed ----------------------------------------

WRITER = """
import sys
from pathlib import Path
from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.answers import Answer
from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.storage.progress import ProgressStore

store = ProgressStore.open(Path(sys.argv[1]))
trainee = store.get_or_create_trainee("Ana")
keys = tuple(str(i) for i in range(100_000))
sid = store.start_session(trainee, QuizSpec("k", "Kill", keys, QuizMode.PRACTICE), "demo", "fp")
for i, key in enumerate(keys):
    a = Answer(key, i + 1, Diagnosis.METASTASES, 80, float(i), float(i) + 1, 1.0)
    store.record_attempt(sid, a, Diagnosis.NO_METASTASES, "fp")
    print(key, flush=True)
"""


def test_kill_9_after_commit_loses_nothing(db: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    printed = []
    try:
        for _ in range(40):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "writer died"
            printed.append(line.strip())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    with ProgressStore.open(db) as s:
        assert s.recovered_from is None
        stored = [x.answer.case_key for x in s.attempts()]
    assert len(stored) >= len(printed)
    assert stored == [str(i) for i in range(len(stored))]  # every printed one, no gaps


def test_an_answer_and_its_review_card_are_saved_together(tmp_path: Path) -> None:
    from bonescan_tutor.core.answers import Answer
    from bonescan_tutor.core.quiz import QuizMode, QuizSpec

    with ProgressStore.open(tmp_path / "p.sqlite3") as store:
        trainee = store.get_or_create_trainee("Ana")
        spec = QuizSpec.create("t", ("1", "2"), QuizMode.PRACTICE)
        sid = store.start_session(trainee, spec, "demo", "fp")
        attempt = Answer("1", 1, Diagnosis.METASTASES, 80, 1.0, 2.0, 1.0)
        store.record_attempt(sid, attempt, Diagnosis.METASTASES, "fp", label_shown=True,
                             review_card='{"card": 1}')
        assert store.review_card(trainee, "1") == '{"card": 1}'
        store.record_attempt(sid, attempt, Diagnosis.METASTASES, "fp", label_shown=True,
                             review_card='{"card": 2}')
        assert store.review_cards(trainee) == {"1": '{"card": 2}'}


def test_the_time_used_is_saved_and_read_back(store: ProgressStore, ana: Trainee) -> None:
    from bonescan_tutor.core.quiz_session import QuizClock

    sid = store.start_session(ana, spec(QuizMode.EXAM), "demo", "fp", quizset_json='{"x": 1}')
    assert store.session(sid).clock is None
    store.save_clock(sid, QuizClock(75.0, {"1": 20.0, "2": 55.0}))
    again = store.session(sid)
    assert again.clock == QuizClock(75.0, {"1": 20.0, "2": 55.0})
    assert again.quizset_json == '{"x": 1}'


def test_an_abandoned_session_is_locked_and_listed_for_its_results(
        store: ProgressStore, ana: Trainee) -> None:
    sid = store.start_session(ana, spec(QuizMode.EXAM), "demo", "fp", quizset_json="{}")
    other = store.start_session(ana, spec(), "demo", "fp")
    store.record_attempt(sid, attempt("1"), M, "fp")
    store.finish_session(sid, submitted=False, abandoned=True)
    store.finish_session(other, submitted=False)
    record = store.session(sid)
    assert record.status is SessionStatus.ABANDONED and record.finished is not None
    assert not store.attempts(session_id=sid)[0].label_shown
    with pytest.raises(UsageError, match="locked"):
        store.record_attempt(sid, attempt("2", 2), M, "fp")
    assert [r.id for r in store.quizset_sessions(ana)] == [sid]
    assert store.unfinished_sessions(ana) == []


def test_relocating_copies_everything_and_keeps_the_old_file(
        store: ProgressStore, ana: Trainee, tmp_path: Path) -> None:
    sid = store.start_session(ana, spec(), "demo", "fp")
    store.record_attempt(sid, attempt("1"), M, "fp")
    old = store.path
    store.relocate(tmp_path / "elsewhere")
    assert store.path == tmp_path / "elsewhere" / "progress.sqlite3" and old.exists()
    store.record_attempt(sid, attempt("2", 2, at=101.0), N, "fp")
    assert [a.answer.case_key for a in store.attempts(session_id=sid)] == ["1", "2"]
    with ProgressStore.open(old) as before:
        assert len(before.attempts()) == 1
    with pytest.raises(ProgressFileError, match="already there"):
        store.relocate(tmp_path / "elsewhere")
